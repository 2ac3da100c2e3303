"""Administration views."""
import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from ..extensions import db
from ..forms_util import apply_field_errors, options
from ..models import Organisation, User
from ..services.accounts import set_active, update_roles
from ..services.errors import FieldError
from ..services.orgs import set_verified
from ..services.parks import all_parks, import_park_boundaries
from . import bp
from .forms import EmptyForm, ParkImportForm, RolesForm


@bp.route("/")
def index():
    organisations = db.session.scalars(select(Organisation).order_by(
        Organisation.verified, Organisation.credit_code_flagged.desc(), Organisation.name_zh)).all()
    return render_template("admin/index.html", organisations=organisations, form=EmptyForm())


@bp.route("/orgs/<int:org_id>/verify", methods=["POST"])
def verify_organisation(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    if EmptyForm().validate_on_submit():
        set_verified(organisation, not organisation.verified)
        flash(_("Saved."), "success")
    return redirect(url_for("admin.index"))


@bp.route("/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, form=EmptyForm())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    parks = all_parks()
    form = RolesForm(data={"roles": sorted(user.roles), "parks": [str(p.id) for p in user.managed_parks]})
    form.parks.choices = options((str(p.id), p.name_zh) for p in parks)
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
        set_active(user, not user.active)
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


