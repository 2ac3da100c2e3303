"""Sign-up, sign-in and user administration."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from geo.messages import Message, N_

from ..extensions import db
from ..models import ROLES, Organisation, Park, User
from ..models.user import hash_token
from .errors import FieldError
from .orgs import OrganisationInput, create_organisation
from .transaction import unit_of_work

SELF_SERVICE_ROLES = ("plant", "recycler")
MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_new_email(email: str) -> str:
    email = normalise_email(email)
    if not email:
        raise FieldError("email", Message(N_("an email address is required")))
    if find_user(email) is not None:
        raise FieldError("email", Message(N_("an account with the email %(email)s already exists"), email=email))
    return email


@dataclass(frozen=True)
class SignupInput:
    organisation: OrganisationInput
    email: str
    password: str
    role: str


def sign_up(signup: SignupInput) -> User:
    """Create an organisation with its first user; nothing is stored if any field is bad."""
    if signup.role not in SELF_SERVICE_ROLES:
        raise FieldError("role", Message(N_("choose one of: %(SELF_SERVICE_ROLES)s"),
                                         SELF_SERVICE_ROLES=', '.join(SELF_SERVICE_ROLES)))
    if len(signup.password) < MIN_PASSWORD_LENGTH:
        raise FieldError("password", Message(N_("use at least %(MIN_PASSWORD_LENGTH)s characters"),
                                             MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH))
    email = _check_new_email(signup.email)
    with unit_of_work():
        organisation = create_organisation(signup.organisation, commit=False)
        user = User(email=email, organisation=organisation)
        user.set_password(signup.password)
        user.set_roles({signup.role})
        db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for either mistake)."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


def create_user(email: str, password: str, *, roles: set[str], organisation: Organisation | None = None,
                parks: list[Park] | None = None) -> User:
    """Store a user; an ``organisation`` the caller has just added unsaved is stored with it, or not at all."""
    # The checks are inside the unit too: a refused user must not leave that new organisation behind.
    with unit_of_work():
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise FieldError("role", Message(N_("roles must be among: %(ROLES)s"), ROLES=', '.join(ROLES)))
        if len(password) < 4:
            raise FieldError("password", Message(N_("the password is too short")))
        email = _check_new_email(email)
        user = User(email=email, organisation=organisation)
        user.set_password(password)
        user.set_roles(roles)
        user.managed_parks = list(parks or [])
        db.session.add(user)
    return user


def issue_api_token(user: User) -> str:
    """A new bearer token for ``user``; the previous one stops working."""
    with unit_of_work():
        token = user.new_api_token()
    return token


def update_roles(user: User, roles: set[str], parks: list[Park]) -> None:
    with unit_of_work():
        if not roles:
            raise FieldError("roles", Message(N_("a user needs at least one role")))
        user.set_roles(roles)
        user.managed_parks = parks if "park_manager" in roles else []


def set_active(user: User, active: bool) -> None:
    with unit_of_work():
        user.active = active


def initial_password() -> str:
    """A random first password for an account an administrator creates, shown to them once."""
    return secrets.token_urlsafe(12)


def create_user_by_admin(email: str, *, roles: set[str], organisation: Organisation | None,
                         parks: list[Park], password: str | None = None) -> tuple[User, str]:
    """An administrator's new user and its first password (``password``, or a random one when None).

    A park manager manages at least one park; parks go only with that role.
    """
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError("password", Message(N_("use at least %(MIN_PASSWORD_LENGTH)s characters"),
                                             MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH))
    if "park_manager" in roles and not parks:
        raise FieldError("parks", Message(N_("a park manager manages at least one park")))
    if "park_manager" not in roles and parks:
        raise FieldError("parks", Message(N_("only a park manager manages parks")))
    password = password or initial_password()
    user = create_user(email, password, roles=roles, organisation=organisation, parks=parks)
    return user, password
