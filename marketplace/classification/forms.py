"""The one form of the classification queue."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class ClassifyForm(FlaskForm):
    name_code = HiddenField(validators=[DataRequired(), Length(max=320)])
    material = StringField(_l("Material (code or name)"), validators=[DataRequired(), Length(max=200)])
