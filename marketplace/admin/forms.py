"""Administration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField, FloatField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Optional

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


class RouteFieldsForm(FlaskForm):
    """The figures of a route an administrator changes most, written into its entry; the rest is edited as YAML."""

    part = HiddenField(default="fields")
    process_zh = StringField(_l("Process (zh)"), validators=[DataRequired()])
    process_en = StringField(_l("Process (en)"), validators=[DataRequired()])
    user_sectors = StringField(_l("User sectors (GB/T 4754 codes, separated by commas)"), validators=[DataRequired()])
    road_km = FloatField(_l("Road radius (km)"), validators=[Optional()])
    rail_km = FloatField(_l("Rail radius (km)"), validators=[Optional()])
    barge_km = FloatField(_l("Barge radius (km)"), validators=[Optional()])
    pipeline_km = FloatField(_l("Pipeline radius (km)"), validators=[Optional()])
    typical_price_cny_per_unit = FloatField(_l("Typical price (CNY per unit; negative: a gate fee the supplier pays)"),
                                            validators=[InputRequired()])
    supplier_disposal_cost_cny_per_unit = FloatField(_l("Supplier's disposal cost avoided (CNY per unit)"),
                                                     validators=[InputRequired()])
    co2_avoided_t_per_unit = FloatField(_l("CO₂ avoided (t per unit)"), validators=[InputRequired()])
    replacement_ratio = FloatField(_l("Replacement ratio"), validators=[InputRequired()])


class MaterialFieldsForm(FlaskForm):
    """A material's names and synonyms, written into its entry; the rest is edited as YAML."""

    part = HiddenField(default="fields")
    name_zh = StringField(_l("Name (zh)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (en)"), validators=[DataRequired()])
    synonyms_zh = TextAreaField(_l("Synonyms (zh), one per line"), validators=[Optional()])
    synonyms_en = TextAreaField(_l("Synonyms (en), one per line"), validators=[Optional()])
