"""flask parks import: park boundaries from geodata files."""
from __future__ import annotations

import click
from flask import Blueprint

from ..cli import fail
from ..services.errors import FieldError

bp = Blueprint("parks_commands", __name__, cli_group=None)


@bp.cli.group()
def parks():
    """Industrial parks."""


@parks.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--code-field", help="Property that holds the park code.")
@click.option("--name-field", help="Property that holds the park name.")
def parks_import(path: str, code_field: str | None, name_field: str | None):
    """Import park boundaries from GeoJSON, GeoPackage or Shapefile (.shp or .zip)."""
    from ..services.parks import import_park_boundaries

    try:
        result = import_park_boundaries(path, code_field=code_field, name_field=name_field)
    except FieldError as exc:
        fail(str(exc))
    click.echo(f"{len(result.created)} parks created, {len(result.updated)} updated, "
               f"{result.sites_assigned} sites placed in a park.")
