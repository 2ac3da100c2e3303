"""flask listings expire: offers and wants past their availability window."""
from __future__ import annotations

import click
from flask import Blueprint

bp = Blueprint("listings_commands", __name__, cli_group=None)


@bp.cli.group()
def listings():
    """Offers and wants."""


@listings.command("expire")
def listings_expire():
    """Mark published listings whose availability window has ended as expired."""
    from ..services.listings import expire_listings

    click.echo(f"{expire_listings()} listings expired")
