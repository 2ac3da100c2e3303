"""flask demo load: the Anhui demo data set."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from ..cli import fail
from ..extensions import db
from ..models import Organisation
from ..services.errors import FieldError, ImportRejected

bp = Blueprint("demo_commands", __name__, cli_group=None)


@bp.cli.group()
def demo():
    """The Anhui demo data set."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Load only into a database that has no organisations yet.")
def demo_load(if_empty: bool):
    """Load the demo parks, companies, sites and accounts (idempotent)."""
    from ..services.demo import DEMO_PASSWORD, load_demo

    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        click.echo("The database already holds data; the demo was not loaded.")
        return
    try:
        result = load_demo()
    except (FieldError, ImportRejected) as exc:
        problems = getattr(exc, "problems", [exc])
        fail("the demo data did not load:\n" + "\n".join(f"  {p}" for p in problems))
    click.echo(f"Demo loaded: {result.parks} parks, {result.organisations} organisations, {result.sites} sites, "
               f"{result.listings} listings.")
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for account in result.accounts:
        click.echo(f"  {account.email:<22} {', '.join(account.roles):<14} {account.organisation}")
