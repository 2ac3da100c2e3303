"""Proposed links between sites, each side's answer, and the match runs that propose them."""
from flask import Blueprint

bp = Blueprint("links", __name__, url_prefix="/links")

from . import routes  # noqa: E402,F401
