"""Sign-up, sign-in and sign-out views."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..forms_util import apply_field_errors
from ..services.accounts import SignupInput, authenticate, sign_up
from ..services.errors import FieldError
from ..services.orgs import OrganisationInput
from . import bp
from .forms import LoginForm, SignupForm


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never follow ``next`` to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing_page_for(user) -> str:
    if user.has_role("admin"):
        return url_for("admin.index")
    if user.has_role("park_manager"):
        return url_for("parks.index", mine=1)
    return url_for("orgs.my_organisation")


def _account_and_address() -> str:
    # Per account and address: colleagues behind one NAT address do not lock each other out, and one
    # account cannot be guessed at from many places faster than from one.
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().casefold()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_account_and_address,
               deduct_when=lambda response: response.status_code == 400)
def login():
    if current_user.is_authenticated:
        return redirect(landing_page_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or landing_page_for(user))
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = sign_up(SignupInput(
                organisation=OrganisationInput(form.name_zh.data, form.name_en.data, form.credit_code.data),
                email=form.email.data, password=form.password.data, role=form.role.data))
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            login_user(user)
            flash(_("Welcome! Your organisation is registered; an administrator will verify it."), "success")
            return redirect(url_for("orgs.my_organisation"))
    return render_template("auth/signup.html", form=form), (400 if form.errors else 200)
