"""Administration views: organisations, users, park boundaries."""
import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from ..extensions import db
from ..forms_util import apply_field_errors, options
from ..labels import local_name
from ..models import Organisation, User
from ..services.accounts import create_user_by_admin, set_active, update_roles
from ..services.errors import FieldError
from ..services.orgs import ORG_STATUSES, credit_code_warning, listing_count, search_organisations, verify_organisation
from ..services.parks import all_parks, import_park_boundaries
from . import bp
from .forms import EmptyForm, NewUserForm, ParkImportForm, RolesForm, VerifyForm


@bp.route("/")
def index():
    text = request.args.get("q", "").strip()
    status = request.args.get("status", "all")
    status = status if status in ORG_STATUSES else "all"
    page = request.args.get("page", 1, type=int) or 1
    result = search_organisations(text, status=status, page=page)
    warnings = {org.id: credit_code_warning(org) for org in result.items}
    return render_template("admin/index.html", result=result, warnings=warnings, q=text, status=status)


@bp.route("/orgs/<int:org_id>")
def organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    return _organisation_page(org, VerifyForm(formdata=None, data={"verified": "0" if org.verified else "1"}))


def _organisation_page(org: Organisation, form: VerifyForm):
    return render_template("admin/organisation.html", org=org, form=form, warning=credit_code_warning(org),
                           listings=listing_count(org)), (400 if form.errors or form.form_errors else 200)


@bp.route("/orgs/<int:org_id>/verify", methods=["POST"], endpoint="verify_organisation")
def verify_organisation_view(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        return _organisation_page(org, form)
    try:
        verify_organisation(org, form.verified.data != "0", confirmed=form.confirm.data)
    except FieldError:
        # The only refusal: a doubtful or missing code verified without the confirmation box.
        form.confirm.errors = [_("Tick the box to verify an organisation whose credit code could not be checked.")]
        return _organisation_page(org, form)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.route("/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    parks = all_parks()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name_zh)).all()
    form = NewUserForm()
    form.organisation.choices = options([("", "—"), *((str(o.id), local_name(o)) for o in organisations)])
    form.parks.choices = options((str(p.id), local_name(p)) for p in parks)
    if form.validate_on_submit():
        organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
        try:
            user, password = create_user_by_admin(
                form.email.data, roles=set(form.roles.data), organisation=organisation,
                parks=[p for p in parks if str(p.id) in form.parks.data], password=form.password.data or None)
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            # Shown on this page only: the password is stored as a hash and cannot be shown again.
            return render_template("admin/user_created.html", user=user, password=password)
    return render_template("admin/new_user.html", form=form), (400 if form.errors or form.form_errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    parks = all_parks()
    form = RolesForm(data={"roles": sorted(user.roles), "parks": [str(p.id) for p in user.managed_parks]})
    form.parks.choices = options((str(p.id), local_name(p)) for p in parks)
    if form.validate_on_submit():
        try:
            update_roles(user, set(form.roles.data), [p for p in parks if str(p.id) in form.parks.data])
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", user=user, form=form), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        if user.id == current_user.id and user.active:
            flash(_("You cannot disable your own account."), "danger")
        else:
            set_active(user, not user.active)
            flash(_("Saved."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/parks/import", methods=["GET", "POST"])
def import_parks():
    form = ParkImportForm()
    if form.validate_on_submit():
        upload = form.boundary_file.data
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (secure_filename(upload.filename) or "upload.geojson")
            upload.save(path)
            try:
                result = import_park_boundaries(path, code_field=form.code_field.data or None,
                                                name_field=form.name_field.data or None)
            except FieldError as exc:
                apply_field_errors(form, [FieldError("boundary_file", exc.message)])
            else:
                flash(_("%(created)d parks created, %(updated)d updated, %(assigned)d sites placed in a park.",
                        created=len(result.created), updated=len(result.updated), assigned=result.sites_assigned),
                      "success")
                return redirect(url_for("parks.index"))
    return render_template("admin/park_import.html", form=form), (400 if form.errors else 200)
