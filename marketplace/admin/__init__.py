"""Administration: verify organisations, manage users, edit the knowledge base, import park boundaries."""
from flask import Blueprint
from flask_login import current_user, login_required

from ..permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    require(current_user, "admin")


from . import knowledge, routes  # noqa: E402,F401
