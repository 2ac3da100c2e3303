"""Forms for signing up and in."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..forms_util import options
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    # No syntax check here: accounts made by administrators may use addresses such as the demo's
    # *.local, which email-validator refuses as a special-use domain.
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))


class SignupForm(FlaskForm):
    name_zh = StringField(_l("Organisation name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Organisation name (English)"), validators=[Optional(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), Length(min=18, max=18)])
    role = RadioField(_l("We mainly"), choices=options([("plant", _l("generate by-products and wastes (plant)")),
                                                ("recycler", _l("take in secondary raw materials (recycler / user plant)"))]),
                      default="plant", validators=[DataRequired()])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(), EqualTo("password")])
