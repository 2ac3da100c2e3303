"""Offers and wants: my listings, forms, detail pages, enquiries, bulk import and export."""
from flask import Blueprint

bp = Blueprint("listings", __name__, url_prefix="/listings")

from . import routes  # noqa: E402,F401
