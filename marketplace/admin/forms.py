"""Administration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional

from ..forms_util import options
from ..labels import ROLE_LABELS
from ..models import ROLES


class ParkImportForm(FlaskForm):
    boundary_file = FileField(_l("Park boundaries (GeoJSON, GeoPackage or zipped Shapefile)"), validators=[
        FileRequired(), FileAllowed(["geojson", "json", "gpkg", "zip"], _l("GeoJSON, GeoPackage or zipped Shapefile"))])
    code_field = StringField(_l("Property holding the park code (optional)"), validators=[Optional()])
    name_field = StringField(_l("Property holding the park name (optional)"), validators=[Optional()])


class RolesForm(FlaskForm):
    roles = SelectMultipleField(_l("Roles"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    parks = SelectMultipleField(_l("Managed parks"), choices=options([]), validate_choice=False)


class NewUserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Email()])
    roles = SelectMultipleField(_l("Roles"), choices=options((r, ROLE_LABELS[r]) for r in ROLES),
                                validators=[DataRequired()])
    organisation = SelectField(_l("Organisation"), choices=options([]), validate_choice=False)
    parks = SelectMultipleField(_l("Managed parks"), choices=options([]), validate_choice=False)
    password = PasswordField(_l("Initial password (leave empty for a random one, shown once)"),
                             validators=[Optional()])


class VerifyForm(FlaskForm):
    verified = HiddenField()
    confirm = BooleanField(_l("I have checked this organisation with the national enterprise credit register"))


class EntryForm(FlaskForm):
    entry = TextAreaField(_l("Entry (YAML, as in the data files)"), validators=[DataRequired()])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
