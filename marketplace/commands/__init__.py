"""Command line: flask --app wsgi demo|parks|import|export|kb|listings|match|users … (db comes from Flask-Migrate).

Each module is a blueprint holding one command group; its commands run inside the application context.
"""
from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from . import demo, imports, knowledge, listings, match, parks, users

    for module in (demo, parks, imports, knowledge, listings, match, users):
        app.register_blueprint(module.bp)
