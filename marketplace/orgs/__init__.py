"""My organisation: its details, licences and sites."""
from flask import Blueprint

bp = Blueprint("orgs", __name__)

from . import routes  # noqa: E402,F401
