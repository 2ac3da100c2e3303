"""Forms of the links pages: a side's answer, and starting a match run."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField
from wtforms.validators import AnyOf, Optional

from ..forms_util import options

# Pages a decision may return to; anything else goes to the link's own page.
DECISION_RETURNS = ("mine", "detail", "run")


class DecisionForm(FlaskForm):
    # The page has one button per answer, each submitting its value.
    decision = RadioField(_l("Answer"), choices=options([("accept", _l("Accept")), ("decline", _l("Decline"))]))
    back = HiddenField(validators=[Optional(), AnyOf(DECISION_RETURNS)])


class RunForm(FlaskForm):
    park = SelectField(_l("Park"), choices=options([]))  # filled per user: the parks they may run
    latent = BooleanField(_l("Also propose sites whose sector uses the material but posted no want (latent mode)"))
