"""Administration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..forms_util import options
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectMultipleField, StringField
from wtforms.validators import Optional

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


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""
