"""How Flask-Login finds the current user: the session cookie, or a bearer token for the API."""
from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import User
from ..services.accounts import user_for_token


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def register_user_loaders(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        header = req.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return user_for_token(header[7:].strip())
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            response = jsonify(code=401, status="Unauthorized", message="sign in or send a bearer token")
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
