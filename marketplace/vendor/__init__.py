"""Front-end libraries served from their installed Python packages (XStatic), never from a CDN."""
from __future__ import annotations

import xstatic.pkg.bootstrap
import xstatic.pkg.leaflet
from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {
    "bootstrap": xstatic.pkg.bootstrap.BASE_DIR,
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
}


@bp.route("/<package>/<path:filename>")
def asset(package: str, filename: str):
    base_dir = PACKAGES.get(package)
    if base_dir is None:
        abort(404)
    # send_from_directory refuses paths that escape base_dir.
    return send_from_directory(base_dir, filename, max_age=86400)
