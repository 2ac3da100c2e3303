"""Classification queue: administrators give unclassified material names a material of the knowledge base."""
from flask import Blueprint
from flask_login import current_user, login_required

from ..permissions import require

bp = Blueprint("classification", __name__, url_prefix="/admin/classification")


@bp.before_request
@login_required
def admins_only():
    require(current_user, "admin")


from . import routes  # noqa: E402,F401
