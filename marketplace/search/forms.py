"""The search form (GET) and the form that saves it (POST)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..forms_util import options

SORT_CHOICES = [("distance", _l("nearest first")), ("delivered_cost", _l("cheapest delivered first")),
                ("score", _l("best score first"))]


class SearchFields:
    """The search's fields; checked by the search service, which names the field at fault."""

    material = StringField(_l("Material (code or name, zh or en)"), validators=[Optional(), Length(max=200)])
    want = SelectField(_l("…or the materials one of our wants accepts"), choices=options([]),
                       validate_choice=False)
    site = SelectField(_l("Near our site"), choices=options([]), validate_choice=False)
    lon = StringField(_l("…or longitude"), validators=[Optional(), Length(max=30)])
    lat = StringField(_l("latitude"), validators=[Optional(), Length(max=30)])
    radius_km = StringField(_l("Radius (km)"), default="50", validators=[Optional(), Length(max=20)])
    min_quantity = StringField(_l("Minimum quantity available (per year, in the material's unit)"),
                               validators=[Optional(), Length(max=30)])
    quality = StringField(_l("Quality (e.g. grade=II; loi_pct_max=5)"), validators=[Optional(), Length(max=300)])
    max_price = StringField(_l("Maximum price (CNY per unit)"), validators=[Optional(), Length(max=30)])
    sort = SelectField(_l("Sort"), choices=options(SORT_CHOICES), default="distance", validate_choice=False)
    # Off by default: an organisation searching for supply is not looking for its own.
    own = BooleanField(_l("Include our own offers"))


class SearchForm(SearchFields, FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing; its URL can be bookmarked and shared


class SaveSearchForm(SearchFields, FlaskForm):
    name = StringField(_l("Name of the saved search"), validators=[Optional(), Length(max=200)])
