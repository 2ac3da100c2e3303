"""Forms for an organisation, its sites and licences."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..forms_util import options
from wtforms import DateField, DecimalField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class OrganisationForm(FlaskForm):
    name_zh = StringField(_l("Organisation name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Organisation name (English)"), validators=[Optional(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=18)])


class SiteForm(FlaskForm):
    external_ref = StringField(_l("Your reference for the site"), validators=[DataRequired(), Length(max=64)])
    name_zh = StringField(_l("Site name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Site name (English)"), validators=[Optional(), Length(max=200)])
    sector = StringField(_l("Industry sector(s): GB/T 4754 code, official or trade name; several separated by |, "
                            "the main one first"), validators=[DataRequired(), Length(max=5000)])
    transport_access = SelectMultipleField(
        _l("Transport besides road"), choices=options([
            ("rail", _l("rail siding")), ("quay", _l("quay")), ("pipeline", _l("pipeline"))]),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    crs = SelectField(_l("Coordinate system"), choices=options([
        ("WGS84", _l("WGS-84 (GPS)")), ("GCJ02", _l("GCJ-02 (AMap / Tencent maps)")),
        ("BD09", _l("BD09 (Baidu Maps)")), ("CGCS2000", _l("CGCS2000 (Tianditu, surveys)"))]), default="WGS84")
    lon = StringField(_l("Longitude"), validators=[DataRequired()])
    lat = StringField(_l("Latitude"), validators=[DataRequired()])
    city = StringField(_l("City (6-digit administrative code or name)"), validators=[Optional(), Length(max=40)])
    park = SelectField(_l("Industrial park"), choices=options([]), validate_choice=False)


class LicenceForm(FlaskForm):
    kind = SelectField(_l("Licence"), choices=options([
        ("hw_permit", _l("Hazardous-waste operating permit")),
        ("battery_listing", _l("Retired power battery compliant-enterprise listing"))]))
    site = SelectField(_l("Site"), choices=options([]), validate_choice=False)
    number = StringField(_l("Licence number"), validators=[Optional(), Length(max=64)])
    hw_codes = StringField(_l("HW categories or 8-digit codes, comma-separated"), validators=[Optional(), Length(max=500)])
    capacity_t_per_yr = DecimalField(_l("Licensed capacity (t/yr)"), validators=[Optional(), NumberRange(min=0)])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])
    battery_scope = SelectField(_l("Listing"), choices=options([
        ("", "—"), ("cascade", _l("cascade use")), ("recycling", _l("recycling")), ("both", _l("both"))]),
        default="", validate_choice=False)  # checked by the service, with the other licence fields


class SectorForm(FlaskForm):
    """Confirm the sectors read for a site as they are, or correct them."""

    sector = StringField(_l("Sectors"), validators=[Optional(), Length(max=5000)])
