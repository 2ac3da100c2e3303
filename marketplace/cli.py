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


def report_unreachable_database(exc_type, exc, traceback, *, fallback=sys.excepthook) -> None:
    """``sys.excepthook`` for the command line: a database that cannot be reached is one line, not a traceback."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        click.echo(f"Error: the database cannot be reached ({reason})", err=True)
        return
    fallback(exc_type, exc, traceback)


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
        click.echo(f"Demo loaded: {result.parks} parks, {result.organisations} organisations, {result.sites} sites, "
                   f"{result.listings} listings.")
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

    @app.cli.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--draft", is_flag=True, help="Import listings as drafts instead of publishing them.")
    def import_file(path: str, draft: bool):
        """Import sites and/or listings from CSV or XLSX (PRODUCT section 4), as an administrator.

        All or nothing: any bad row and nothing is stored; every bad row is listed.
        """
        from .services.imports import import_tables
        from .services.imports.files import read_import_file

        try:
            result = import_tables(read_import_file(path), publish=not draft)
        except ImportRejected as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            _fail(f"{len(exc.problems)} problem(s) in {path}; nothing was imported")
        except FieldError as exc:
            _fail(str(exc))
        click.echo(result.summary())

    @app.cli.group()
    def export():
        """Export data."""

    @export.command("listings")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    @click.option("--org", "org_name", help="Only this organisation's listings.")
    def export_listings_command(path: str, org_name: str | None):
        """Write listings to PATH, CSV or XLSX by its extension, in the import format."""
        from .services.imports.export import export_listings
        from .services.listings import all_listings

        fmt = path.rsplit(".", 1)[-1].lower()
        if fmt not in ("csv", "xlsx"):
            _fail("the file must end in .csv or .xlsx")
        organisation = None
        if org_name:
            organisation = db.session.scalar(select(Organisation).where(Organisation.name_zh == org_name))
            if organisation is None:
                _fail(f"no organisation named {org_name}")
        listings = all_listings(organisation)
        with open(path, "wb") as handle:
            handle.write(export_listings(listings, fmt))
        click.echo(f"{len(listings)} listings written to {path}")

    @app.cli.group()
    def kb():
        """The materials knowledge base."""

    @kb.command("sync")
    def kb_sync():
        """Load matching/knowledge/ (materials and routes) into the database."""
        from matching.knowledge.errors import KnowledgeError

        from .services.knowledge import sync_knowledge

        try:
            with db.engine.begin() as connection:
                result = sync_knowledge(connection)
        except KnowledgeError as exc:
            _fail(str(exc))
        click.echo(f"materials: {result.materials_added} added, {result.materials_updated} updated, "
                   f"{result.materials_removed} removed; routes: {result.routes_added} added, "
                   f"{result.routes_updated} updated, {result.routes_removed} removed")

    @app.cli.group()
    def listings():
        """Offers and wants."""

    @listings.command("expire")
    def listings_expire():
        """Mark published listings whose availability window has ended as expired."""
        from .services.listings import expire_listings

        click.echo(f"{expire_listings()} listings expired")

    @app.cli.group()
    def match():
        """The matching engine."""

    @match.command("run")
    @click.option("--park", "park_code", help="Only links with at least one side in this park (its code).")
    @click.option("--latent", is_flag=True, help="Also propose sites that use the material but posted no want.")
    @click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
    def match_run(park_code: str | None, latent: bool, fmt: str):
        """Run the matcher over the published listings, store the run, print its links."""
        import json

        from matching.errors import MatchingError

        from .services.matching import run_json, start_run

        park = None
        if park_code:
            park = db.session.scalar(select(Park).where(Park.code == park_code))
            if park is None:
                _fail(f"no park with the code {park_code!r}")
        try:
            run = start_run(park=park, latent=latent)
        except MatchingError as exc:
            _fail(str(exc))
        output = run_json(run)
        if fmt == "json":
            click.echo(json.dumps(output, ensure_ascii=False, indent=2))
            return
        click.echo(f"Run {run.id}: {len(output['links'])} links proposed")
        for link in output["links"]:
            receiver = link.get("want") or link.get("receiver")
            click.echo(f"  {link['offer']['site_id']:<16} -> {receiver['site_id']:<16} {link['offer']['material_code']:<24} "
                       f"{link['quantity']:>12,.0f} {link['unit']:<4} {link['distance_km']:>6.1f} km "
                       f"{link['net_benefit_cny']:>14,.0f} CNY {link['co2_avoided_t']:>10,.0f} t CO2"
                       f"{'  latent' if link['latent'] else ''}")

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
            parks_found = []
            for code in park_codes:
                park = db.session.scalar(select(Park).where(Park.code == code))
                if park is None:
                    raise FieldError("park", f"no park with the code {code!r}")
                parks_found.append(park)
            organisation = None
            if org_name:  # a new organisation is stored by create_user together with the user, or not at all
                organisation = find_organisation(org_name) or create_organisation(OrganisationInput(org_name),
                                                                                  commit=False)
            user = create_user(email, password, roles=set(roles), organisation=organisation, parks=parks_found)
        except FieldError as exc:
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
