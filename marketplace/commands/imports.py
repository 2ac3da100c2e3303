"""flask import / flask export listings: sites and listings in and out as CSV or XLSX."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from ..cli import fail
from ..extensions import db
from ..models import Organisation
from ..services.errors import FieldError, ImportRejected

bp = Blueprint("import_export_commands", __name__, cli_group=None)


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--draft", is_flag=True, help="Import listings as drafts instead of publishing them.")
def import_file(path: str, draft: bool):
    """Import sites and/or listings from CSV or XLSX (PRODUCT section 4), as an administrator.

    All or nothing: any bad row and nothing is stored; every bad row is listed.
    """
    from ..services.imports import import_tables
    from ..services.imports.files import read_import_file

    try:
        result = import_tables(read_import_file(path), publish=not draft)
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(f"{len(exc.problems)} problem(s) in {path}; nothing was imported")
    except FieldError as exc:
        fail(str(exc))
    click.echo(result.summary())


@bp.cli.group()
def export():
    """Export data."""


@export.command("listings")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--org", "org_name", help="Only this organisation's listings.")
def export_listings_command(path: str, org_name: str | None):
    """Write listings to PATH, CSV or XLSX by its extension, in the import format."""
    from ..services.imports.export import export_listings
    from ..services.listings import all_listings

    fmt = path.rsplit(".", 1)[-1].lower()
    if fmt not in ("csv", "xlsx"):
        fail("the file must end in .csv or .xlsx")
    organisation = None
    if org_name:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name_zh == org_name))
        if organisation is None:
            fail(f"no organisation named {org_name}")
    listings = all_listings(organisation)
    with open(path, "wb") as handle:
        handle.write(export_listings(listings, fmt))
    click.echo(f"{len(listings)} listings written to {path}")
