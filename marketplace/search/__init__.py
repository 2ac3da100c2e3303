"""Nearby-supply search, saved searches and notifications."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from . import routes  # noqa: E402,F401
