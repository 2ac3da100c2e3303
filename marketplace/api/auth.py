"""API access: signed in by session (reads) or bearer token (reads and writes)."""
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from ..permissions import can
from .errors import forbidden_message


def api_login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401, message=_("Sign in, or send the header Authorization: Bearer followed by your API token."))
        if request.method not in ("GET", "HEAD", "OPTIONS") and not request.headers.get(
                "Authorization", "").lower().startswith("bearer "):
            # A cookie alone could be replayed by another site's form; writes need the token.
            abort(401, message=_("Changes through the API need the header Authorization: Bearer followed by your "
                                 "API token."))
        return view(*args, **kwargs)

    return wrapper


def api_require(action: str, target: object | None = None) -> None:
    if not can(current_user, action, target):
        abort(403, message=forbidden_message(action))
