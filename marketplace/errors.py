"""Error pages: JSON for the API and for clients that ask for it, HTML otherwise."""
from flask import jsonify, render_template, request
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from geo.messages import Message

from .services.errors import FieldError


def register_error_handlers(app) -> None:
    # Imported here: the API's modules import this module's message helpers.
    from .api.errors import localise
    from .auth.loader import wants_json
    from .extensions import rest_api

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            # flask-smorest's format, which carries field errors of a 422, with its message and field errors
            # in the request's language.
            payload, code, headers = rest_api.handle_http_exception(exc)
            return localise(payload, exc), code, headers
        if wants_json():
            response = jsonify(code=exc.code, status=exc.name, message=error_description(exc))
            response.status_code = exc.code
            return response
        return render_template("error.html", error=exc, title=error_title(exc),
                               description=error_description(exc)), exc.code

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
        return render_template("error_plain.html", error=unavailable, title=error_title(unavailable),
                               description=error_description(unavailable)), 503


# The status line of an error page in the reader's language (werkzeug's names are English: "Not Found").
STATUS_TITLES = {
    400: _l("Bad request"), 401: _l("Sign-in needed"), 403: _l("No access"), 404: _l("Not found"),
    405: _l("Method not allowed"), 409: _l("Conflict"), 413: _l("Too large"), 415: _l("Unsupported content type"),
    422: _l("Values not valid"), 429: _l("Too many requests"), 500: _l("Server error"),
    503: _l("Service unavailable"),
}


def error_title(exc: HTTPException) -> str:
    return str(STATUS_TITLES.get(exc.code, exc.name))


def error_description(exc: HTTPException) -> str:
    """What the view said, in the reader's language; for werkzeug's own English text, the status's message."""
    from .api.errors import STATUS_MESSAGES

    if exc.description == type(exc).description or not exc.description:
        default = STATUS_MESSAGES.get(exc.code or 500)
        return str(default) if default is not None else ""
    return translated(exc.description)


def translated(text) -> str:
    """A message in the reader's language: a :class:`~geo.messages.Message` by its template and values, a
    lazy string as it renders, anything else as it is (text a user wrote, a name)."""
    if isinstance(text, Message):
        return text.translate(_, "en" if str(get_locale()) == "en" else "zh")
    return "" if text is None else str(text)


def field_error_text(error: FieldError, *, with_field: bool = True) -> str:
    """"quantity: 数量必须大于零 — 粉煤灰, …" in the reader's language (the field as the form or file names it)."""
    message = translated(error.message)
    if error.suggestions:
        message = _("%(message)s (did you mean: %(suggestions)s?)", message=message,
                    suggestions=", ".join(error.suggestions))
    if not with_field:
        return message
    if error.row is not None:
        return _("row %(row)s, %(field)s: %(message)s", row=error.row, field=error.field, message=message)
    return _("%(field)s: %(message)s", field=error.field, message=message)
