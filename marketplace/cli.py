"""Command line: flask --app wsgi demo|parks|users|import … (db comes from Flask-Migrate)."""
from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import select

from .extensions import db
from .models import ROLES, Organisation, Park
from .services.errors import FieldError, ImportRejected


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def register_cli(app: Flask) -> None:
    @app.cli.group()
    def demo():
        """The Anhui demo data set."""

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Load only into a database that has no organisations yet.")
    def demo_load(if_empty: bool):
        """Load the demo parks, companies, sites and accounts (idempotent)."""
        from .services.demo import DEMO_PASSWORD, load_demo

        if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
            click.echo("The database already holds data; the demo was not loaded.")
            return
        try:
            result = load_demo()
        except (FieldError, ImportRejected) as exc:
            problems = getattr(exc, "problems", [exc])
            _fail("the demo data did not load:\n" + "\n".join(f"  {p}" for p in problems))
        click.echo(f"Demo loaded: {result.parks} parks, {result.organisations} organisations, {result.sites} sites.")
        click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for account in result.accounts:
            click.echo(f"  {account.email:<22} {', '.join(account.roles):<14} {account.organisation}")

    @app.cli.group()
    def parks():
        """Industrial parks."""

    @parks.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--code-field", help="Property that holds the park code.")
    @click.option("--name-field", help="Property that holds the park name.")
    def parks_import(path: str, code_field: str | None, name_field: str | None):
        """Import park boundaries from GeoJSON, GeoPackage or Shapefile (.shp or .zip)."""
        from .services.parks import import_park_boundaries

        try:
            result = import_park_boundaries(path, code_field=code_field, name_field=name_field)
        except FieldError as exc:
            _fail(str(exc))
        click.echo(f"{len(result.created)} parks created, {len(result.updated)} updated, "
                   f"{result.sites_assigned} sites placed in a park.")

    @app.cli.group()
    def users():
        """User accounts."""

    @users.command("create")
    @click.argument("email")
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
                  help="Repeat for several roles.")
    @click.option("--org", "org_name", help="Organisation name (zh); created if it does not exist.")
    @click.option("--park", "park_codes", multiple=True, help="Code of a park this user manages (repeatable).")
    @click.password_option(prompt="Password", confirmation_prompt=True)
    def users_create(email: str, roles: tuple[str, ...], org_name: str | None, park_codes: tuple[str, ...],
                     password: str):
        """Create a user; the password is read from the prompt or standard input."""
        from .services.accounts import create_user
        from .services.orgs import OrganisationInput, create_organisation, find_organisation

        try:
            organisation = None
            if org_name:
                organisation = find_organisation(org_name) or create_organisation(OrganisationInput(org_name))
            parks_found = []
            for code in park_codes:
                park = db.session.scalar(select(Park).where(Park.code == code))
                if park is None:
                    raise FieldError("park", f"no park with the code {code!r}")
                parks_found.append(park)
            user = create_user(email, password, roles=set(roles), organisation=organisation, parks=parks_found)
        except FieldError as exc:
            db.session.rollback()
            _fail(str(exc))
        click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")

    @users.command("token")
    @click.argument("email")
    def users_token(email: str):
        """Print a new API bearer token for EMAIL (the previous one stops working)."""
        from .services.accounts import find_user, issue_api_token

        user = find_user(email)
        if user is None:
            _fail(f"no user with the email {email}")
        click.echo(issue_api_token(user))
