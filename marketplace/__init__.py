"""The industrial symbiosis marketplace: Flask application factory."""
from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, session
from flask_login import current_user

from .config import LOCALES, settings_from_environment
from .extensions import babel, csrf, db, limiter, login_manager, migrate, rest_api


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    from flask import current_app

    from .api.language import requested_language

    return requested_language(LOCALES) or current_app.config["DEFAULT_LOCALE"]


def create_app(config: Mapping | None = None) -> Flask:
    """Create the app; ``config`` overrides the settings read from the environment.

    The cyclic garbage collector is paused meanwhile: registering the blueprints imports most of the code base,
    hundreds of thousands of objects that live as long as the app, which the collector would otherwise walk
    several times over (a tenth of a second of every command line start) to free nothing.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _create_app(config)
    finally:
        if collecting:
            gc.enable()


def _create_app(config: Mapping | None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from .urls import RowIdConverter

    # Before any blueprint registers its rules: every <int:id> in the app is a row id.
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(settings_from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # Times the database fills in (now()) are UTC whatever the server's zone, as the app reads them.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "options": "-c timezone=UTC"}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    rest_api.init_app(app)

    from .auth.loader import register_user_loaders

    register_user_loaders(login_manager)

    from .admin import bp as admin_bp
    from .api import register_api
    from .auth import bp as auth_bp
    from .classification import bp as classification_bp
    from .links import bp as links_bp
    from .listings import bp as listings_bp
    from .main import bp as main_bp
    from .materials import bp as materials_bp
    from .network import bp as network_bp
    from .orgs import bp as orgs_bp
    from .parks import bp as parks_bp
    from .search import bp as search_bp
    from .vendor import bp as vendor_bp

    for blueprint in (main_bp, auth_bp, orgs_bp, parks_bp, admin_bp, vendor_bp, listings_bp, search_bp,
                      materials_bp, network_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(links_bp)
    app.register_blueprint(classification_bp)
    register_api(rest_api)
    from .api.docs import bp as api_docs_bp

    app.register_blueprint(api_docs_bp)

    from .errors import register_error_handlers
    from .security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)

    from .labels import register_label_filters

    register_label_filters(app)

    from .commands import register_commands

    register_commands(app)

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "locales": LOCALES, "current_user": current_user}

    return app
