"""Put service errors on the form fields they name."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from .errors import field_error_text
from .services.errors import FieldError

# Service field names that a form calls differently.
FIELD_ALIASES = {"name": "name_zh", "lon/lat": "lon", "site_id": "external_ref", "hw_permit": "hw_codes",
                 "hw_capacity_t": "capacity_t_per_yr", "battery_listing": "battery_scope"}


def apply_field_errors(form: FlaskForm, errors: list[FieldError]) -> None:
    for error in errors:
        name = error.field if error.field in form else FIELD_ALIASES.get(error.field, error.field)
        # In the reader's language (the service's message is a template with its values).
        message = field_error_text(error, with_field=False)
        if name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            form.form_errors.append(field_error_text(error))


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField/RadioField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
