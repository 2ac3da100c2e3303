"""The search form of the materials page (a GET form: no CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from ..forms_util import options
from ..services.materials import MAX_QUERY, families
from .labels import FAMILY_LABELS

FLAG_CHOICES = (("", _l("any")), ("yes", _l("yes")), ("no", _l("no")))


class MaterialSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, synonym, abbreviation or code"), validators=[Optional(), Length(max=MAX_QUERY)])
    family = SelectField(_l("Family"), choices=options([("", _l("all"))] + [
        (family, FAMILY_LABELS.get(family, family)) for family in families()]), default="")
    hazardous = SelectField(_l("Hazardous"), choices=options(FLAG_CHOICES), default="")
    bulk = SelectField(_l("Bulk solid waste"), choices=options(FLAG_CHOICES), default="")


def flag(value: str | None) -> bool | None:
    """'yes' / 'no' / '' from the form as True / False / None."""
    return {"yes": True, "no": False}.get(value or "")
