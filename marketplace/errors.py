"""Error pages: JSON for the API and for clients that ask for it, HTML otherwise."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .api.errors import localise
from .auth.loader import wants_json
from .extensions import rest_api


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            # flask-smorest's format, which carries field errors of a 422, with its message and field errors
            # in the request's language.
            payload, code, headers = rest_api.handle_http_exception(exc)
            return localise(payload, exc), code, headers
        if wants_json():
            response = jsonify(code=exc.code, status=exc.name, message=exc.description)
            response.status_code = exc.code
            return response
        return render_template("error.html", error=exc), exc.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unreachable(exc):
        # A database that is down or refuses connections is the service being unavailable, not a bug.
        app.logger.error("database unavailable: %s", exc.__class__.__name__)
        from .extensions import db

        db.session.remove()
        unavailable = ServiceUnavailable(_("The database cannot be reached. Please try again later."))
        if request.path.startswith("/api/") or wants_json():
            return http_error(unavailable)
        # The full layout looks up the signed-in user, which needs the database.
        return render_template("error_plain.html", error=unavailable), 503
