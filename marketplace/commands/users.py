"""flask users create|token: accounts and API bearer tokens."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from ..cli import fail
from ..extensions import db
from ..models import ROLES, Park
from ..services.errors import FieldError

bp = Blueprint("users_commands", __name__, cli_group=None)


@bp.cli.group()
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
    from ..services.accounts import create_user
    from ..services.orgs import OrganisationInput, create_organisation, find_organisation

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
        fail(str(exc))
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@users.command("token")
@click.argument("email")
def users_token(email: str):
    """Print a new API bearer token for EMAIL (the previous one stops working)."""
    from ..services.accounts import find_user, issue_api_token

    user = find_user(email)
    if user is None:
        fail(f"no user with the email {email}")
    click.echo(issue_api_token(user))
