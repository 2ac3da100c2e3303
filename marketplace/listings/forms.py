"""Forms for offers and wants, enquiries and bulk import."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import Length, Optional

from ..forms_util import options
from ..services.listing_check import UNITS

# The units by name: 吨/年, Nm³/天 (the value stays the unit as the services read it).
UNIT_LABELS = {"t/yr": _l("t/yr"), "t/month": _l("t/month"), "t/day": _l("t/day"), "GJ/yr": _l("GJ/yr"),
               "MWh/yr": _l("MWh/yr"), "m3/yr": _l("m³/yr"), "Nm3/yr": _l("Nm³/yr"), "m3/day": _l("m³/day"),
               "Nm3/day": _l("Nm³/day")}
# The modes the knowledge base gives transport radii for (matching/knowledge/routes.py TRANSPORT_MODES).
TRANSPORT_MODE_LABELS = {"road": _l("road"), "rail": _l("rail"), "barge": _l("barge / ship"),
                         "pipeline": _l("pipeline")}
VISIBILITY_LABELS = {"named": _l("named: show our company"),
                     "anonymous": _l("anonymous: hide our company until we answer an enquiry")}


class ListingForm(FlaskForm):
    # Content is checked by services/listing_check.check_listing, which names every bad field at once;
    # the form only bounds lengths. Choices of site and unit are checked there and in the view too.
    site = SelectField(_l("Site"), choices=options([]), validate_choice=False)
    material = TextAreaField(_l("Material (name in Chinese or English, synonym or code)"),
                             validators=[Length(max=1000)], render_kw={"rows": 2})
    quantity = StringField(_l("Quantity"), validators=[Length(max=40)])
    unit = SelectField(_l("Unit"), choices=options((unit, UNIT_LABELS.get(unit, unit)) for unit in UNITS), default="t/yr",
                       validate_choice=False)
    # The form's script shows the chosen material's quality fields and grades and writes them here as
    # key=value text, the form the API and imports take too; without the script this text is typed.
    quality = StringField(_l("Quality (key=value; key=value)"), validators=[Length(max=1000)])
    price_cny = StringField(_l("Price (CNY per unit; negative: you pay a gate fee)"), validators=[Length(max=40)])
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_to = DateField(_l("Available until"), validators=[Optional()])
    hazard_code = StringField(_l("Hazardous-waste code (such as 900-052-31), if hazardous"), validators=[Length(max=12)])
    visibility = SelectField(_l("Visibility"), choices=options(VISIBILITY_LABELS.items()), default="named",
                             validate_choice=False)
    transport_modes = SelectMultipleField(_l("Transport modes"), choices=options(TRANSPORT_MODE_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)], render_kw={"rows": 3})
    # Ticked after the form warned of a likely duplicate (services/listing_duplicates.py): save it all the same.
    save_anyway = BooleanField(_l("Save anyway: this is a different lot"))
    save = SubmitField(_l("Save as draft"))
    publish = SubmitField(_l("Publish"))


class EnquiryForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[Length(max=4000)], render_kw={"rows": 4})


class ImportForm(FlaskForm):
    # The service tells CSV from XLSX by content and explains a wrong one (e.g. an old .xls).
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])
    publish = BooleanField(_l("Publish the imported listings now"), default=True)
