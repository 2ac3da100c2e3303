"""Error pages: JSON for the API and for clients that ask for it, HTML otherwise."""
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .auth.loader import wants_json
from .extensions import rest_api


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            # flask-smorest's format, which carries field errors of a 422.
            return rest_api.handle_http_exception(exc)
        if wants_json():
            response = jsonify(code=exc.code, status=exc.name, message=exc.description)
            response.status_code = exc.code
            return response
        return render_template("error.html", error=exc), exc.code
