"""The symbiosis network of a park or the province: map, indicators, exports and a printable report."""
from flask import Blueprint

bp = Blueprint("network", __name__)

from . import boundaries, routes  # noqa: E402,F401
