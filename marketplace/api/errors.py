"""API error answers in the reader's language.

flask-smorest answers an error with ``{"code", "status", "message"?, "errors"?}``. Here every answer
gets a ``message`` in the request's language (:mod:`.language`): the one the view gave (views pass it
through gettext; a plain English text that is a catalogue entry is translated here), else one for the
status. Field errors of a 422 (``errors``) come from marshmallow and webargs in English: their standard
texts are translated with their values kept ("Must be one of: t, GJ." -> "必须是以下之一：t, GJ。").
``code`` and ``status`` (the HTTP reason phrase) stay as they are: they are for programs, not people.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import get_locale, gettext, lazy_gettext as _l

from geo.messages import Message
from werkzeug.exceptions import HTTPException

# A message for each status a client meets, when the view gave none (db.get_or_404, an unknown URL ...).
STATUS_MESSAGES = {
    400: _l("The request could not be read."),
    401: _l("Sign in, or send the header Authorization: Bearer followed by your API token."),
    403: _l("You may not do this."),
    404: _l("Not found: there is no such object, or nothing at this address."),
    405: _l("This method is not allowed at this address."),
    409: _l("The request conflicts with the object's current state."),
    413: _l("The request is too large."),
    415: _l("This content type is not accepted here."),
    422: _l("Some values are not valid."),
    429: _l("Too many requests: please wait and try again."),
    500: _l("Something went wrong on the server. Please try again later."),
    503: _l("The service is unavailable. Please try again later."),
}

# What each permission lets one do, for "You may not …" (marketplace.permissions actions).
ACTIONS = {
    "admin": _l("administer the marketplace"),
    "enquiry.reply": _l("reply to this enquiry"),
    "enquiry.view": _l("see this enquiry"),
    "link.decide": _l("answer this link"),
    "link.view": _l("see this link"),
    "listing.create": _l("create listings for this site"),
    "listing.edit": _l("change this listing"),
    "listing.enquire": _l("enquire about this listing"),
    "listing.import_any": _l("import listings for other organisations"),
    "listing.view": _l("see this listing"),
    "match_run.detail": _l("see this match run in full"),
    "match_run.list": _l("list match runs"),
    "match_run.start": _l("start a match run here"),
    "match_run.view": _l("see this match run"),
    "network.full": _l("see the whole network and its indicators here"),
    "network.view": _l("see this network"),
    "notification.edit": _l("change this notification"),
    "org.edit": _l("change this organisation"),
    "org.view": _l("see this organisation"),
    "park.detail": _l("see this park in detail"),
    "park.manage": _l("manage this park"),
    "park.view": _l("see this park"),
    "saved_search.edit": _l("change this saved search"),
    "search.use": _l("search offers"),
    "site.create": _l("create sites"),
    "site.edit": _l("change this site"),
    "site.view": _l("see this site"),
    "want.search": _l("search for this want"),
}


def forbidden_message(action: str) -> str:
    """"You may not see this network." in the request's language; a generic refusal for an unknown action."""
    what = ACTIONS.get(action)
    return gettext("You may not %(what)s.", what=what) if what is not None else gettext("You may not do this.")


# marshmallow's and webargs' standard field messages, with their values as named groups.
FIELD_MESSAGES = [
    ("Missing data for required field.", _l("This field is required.")),
    ("Field may not be null.", _l("This field may not be empty (null).")),
    ("Invalid value.", _l("Invalid value.")),
    ("Invalid input.", _l("Invalid input.")),
    ("Unknown field.", _l("Unknown field.")),
    ("Invalid input type.", _l("Invalid input type.")),
    ("Invalid type.", _l("Invalid type.")),
    ("Invalid JSON body.", _l("The body is not valid JSON.")),
    ("Not a valid boolean.", _l("Not a valid boolean (true or false).")),
    # The API's own strict booleans (a JSON API takes true or false, not "yes" or 1).
    ("must be true or false", _l("Must be true or false.")),
    ("Not a valid integer.", _l("Not a valid integer.")),
    ("Not a valid number.", _l("Not a valid number.")),
    ("Number too large.", _l("Number too large.")),
    ("Special numeric values (nan or infinity) are not permitted.",
     _l("Special numeric values (nan or infinity) are not permitted.")),
    ("Not a valid string.", _l("Not a valid string.")),
    ("Not a valid utf-8 string.", _l("Not a valid UTF-8 string.")),
    ("Not a valid list.", _l("Not a valid list.")),
    ("Not a valid tuple.", _l("Not a valid list.")),
    ("Not a valid mapping type.", _l("Not a valid object (mapping).")),
    ("Not a valid date.", _l("Not a valid date (YYYY-MM-DD).")),
    ("Not a valid datetime.", _l("Not a valid date and time.")),
    ("Not a valid email address.", _l("Not a valid email address.")),
    ("Not a valid URL.", _l("Not a valid URL.")),
    ("Not a valid UUID.", _l("Not a valid UUID.")),
    ("String does not match expected pattern.", _l("The text does not have the expected form.")),
    ("Must be one of: {choices}.", _l("Must be one of: %(choices)s.")),
    ("One or more of the choices you made was not in: {choices}.", _l("Every choice must be one of: %(choices)s.")),
    ("Must be equal to {other}.", _l("Must be %(other)s.")),
    ("Shorter than minimum length {min}.", _l("Shorter than the minimum length %(min)s.")),
    ("Longer than maximum length {max}.", _l("Longer than the maximum length %(max)s.")),
    ("Length must be between {min} and {max}.", _l("The length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", _l("The length must be %(equal)s.")),
    ("Must be greater than or equal to {min}.", _l("Must be at least %(min)s.")),
    ("Must be greater than {min}.", _l("Must be more than %(min)s.")),
    ("Must be less than or equal to {max}.", _l("Must be at most %(max)s.")),
    ("Must be less than {max}.", _l("Must be less than %(max)s.")),
    ("Must be greater than or equal to {min} and less than or equal to {max}.",
     _l("Must be between %(min)s and %(max)s.")),
    ("Must be greater than {min} and less than {max}.", _l("Must be more than %(min)s and less than %(max)s.")),
    ("Must be greater than or equal to {min} and less than {max}.",
     _l("Must be at least %(min)s and less than %(max)s.")),
    ("Must be greater than {min} and less than or equal to {max}.",
     _l("Must be more than %(min)s and at most %(max)s.")),
    ('"{input}" cannot be formatted as a date.', _l("“%(input)s” cannot be written as a date.")),
]


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    # Even parts are literal text, odd ones the names of values.
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
                      + r"\Z", re.S)


# The most literal text first: "Must be greater than {min} and less than {max}." before "Must be greater
# than {min}.", whose value would otherwise swallow the rest.
_FIELD_PATTERNS = [(_pattern(english), translated) for english, translated in
                   sorted(FIELD_MESSAGES, key=lambda entry: -len(re.sub(r"\{\w+\}", "", entry[0])))]


def translate_message(text: str) -> str:
    """``text`` in the request's language: a standard field message with its values, or a catalogue entry.

    Text that is neither (already translated, or not in the catalogue) comes back unchanged.
    """
    if isinstance(text, Message):  # a service's or the engine's message: its template in the catalogue
        return text.translate(gettext, "en" if str(get_locale()) == "en" else "zh")
    for pattern, translated in _FIELD_PATTERNS:
        match = pattern.match(text)
        if match:
            return str(translated) % match.groupdict() if match.groupdict() else str(translated)
    return gettext(text)


def translate_errors(errors):
    """The field errors of a 422 (nested dicts and lists of messages) with every message translated."""
    if isinstance(errors, str):
        return translate_message(errors)
    if isinstance(errors, Mapping):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_errors(value) for value in errors]
    return errors


# Where webargs found a value: the top level of a 422's errors, not a field.
LOCATIONS = frozenset({"json", "query", "path", "form", "files", "headers", "cookies", "querystring"})


def _field_names(errors: Mapping, prefix: str = "", *, top: bool = True) -> list[str]:
    """``{"json": {"quantity": [...], "items": {"0": {"name": [...]}}}}`` -> ``["quantity", "items.0.name"]``."""
    names: list[str] = []
    for key, value in errors.items():
        name = prefix if top and key in LOCATIONS else (f"{prefix}.{key}" if prefix else str(key))
        if isinstance(value, Mapping):
            names += _field_names(value, name, top=False)
        elif name:
            names.append(name)
    return names


def localise(payload: dict, exc: HTTPException) -> dict:
    """flask-smorest's error ``payload`` with ``message`` (and any field errors) in the request's language."""
    payload = dict(payload)
    if "errors" in payload and isinstance(payload["errors"], Mapping):
        fields = _field_names(payload["errors"])
        payload["errors"] = translate_errors(payload["errors"])
        if "message" not in payload and fields:
            payload["message"] = gettext("Not valid: %(fields)s.", fields=", ".join(fields))
    message = payload.get("message")
    if isinstance(message, str) and message:
        payload["message"] = translate_message(message)
    else:
        default = STATUS_MESSAGES.get(exc.code or 500)
        payload["message"] = str(default) if default is not None else exc.name
    return payload
