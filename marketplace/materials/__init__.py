"""The materials knowledge base: browse and search materials and their routes."""
from flask import Blueprint

bp = Blueprint("materials", __name__, url_prefix="/materials")

from . import routes  # noqa: E402,F401
