"""Front-end libraries served from their installed packages, never from a CDN nor copied into the repository.

Bootstrap and Leaflet come from PyPI (XStatic); ECharts and Swagger UI (the API documentation page), which
have no current PyPI package, from npm (``package.json``, installed by ``make setup`` into ``NODE_MODULES_DIR``).
"""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.bootstrap
import xstatic.pkg.leaflet
from flask import Blueprint, abort, current_app, send_from_directory
from flask.blueprints import BlueprintSetupState

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# Browsers may keep a library a day; the ETag and Last-Modified that send_from_directory adds let them
# revalidate cheaply after that.
MAX_AGE_S = 86400

PACKAGES = {
    "bootstrap": xstatic.pkg.bootstrap.BASE_DIR,
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
}

# The npm packages pages may load, with the files they load: only these packages are served, so the other
# packages in node_modules (their dependencies, anything installed by hand) stay private.
NPM_PACKAGES = {
    "echarts": ("dist/echarts.min.js",),
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css"),
}


@bp.route("/<package>/<path:filename>")
def asset(package: str, filename: str):
    base_dir = PACKAGES.get(package)
    if base_dir is None:
        abort(404)
    # send_from_directory refuses paths that escape base_dir.
    return send_from_directory(base_dir, filename, max_age=MAX_AGE_S)


@bp.route("/npm/<package>/<path:filename>")
def npm_asset(package: str, filename: str):
    if package not in NPM_PACKAGES:
        abort(404)
    package_dir = Path(current_app.config["NODE_MODULES_DIR"]) / package
    # send_from_directory refuses paths that escape package_dir, and answers 404 when npm ci has not run.
    return send_from_directory(package_dir, filename, max_age=MAX_AGE_S)


def missing_npm_files(node_modules_dir: str | Path) -> list[Path]:
    """The files of :data:`NPM_PACKAGES` that are not installed under ``node_modules_dir``."""
    node_modules = Path(node_modules_dir)
    return [node_modules / package / entry for package, entries in NPM_PACKAGES.items() for entry in entries
            if not (node_modules / package / entry).is_file()]


@bp.record_once
def _warn_about_missing_npm_files(state: BlueprintSetupState) -> None:
    # A missing library only breaks the charts (or the API documentation page), so the app still starts; the
    # log says how to fix it.
    missing = missing_npm_files(state.app.config["NODE_MODULES_DIR"])
    if missing:
        state.app.logger.warning(
            "Front-end files from npm are missing: %s. Charts and the API documentation page will not draw "
            "until `make setup` (npm ci) "
            "installs them, or NODE_MODULES_DIR points at the node_modules that holds them.",
            ", ".join(str(path) for path in missing))
