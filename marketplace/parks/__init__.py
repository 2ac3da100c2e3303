"""Industrial parks: list, map and park page."""
from flask import Blueprint

bp = Blueprint("parks", __name__, url_prefix="/parks")

from . import routes  # noqa: E402,F401
