"""The classification queue: unclassified names by how often they occur; classify one, every listing follows."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import field_error_text
from ..extensions import db
from ..models import Material
from ..services.errors import FieldError
from ..services.vocabulary import classification_queue, classify_name
from . import bp
from .forms import ClassifyForm


def _render(form: ClassifyForm | None = None, error: str | None = None, status: int = 200):
    queue = classification_queue()
    codes = {code for entry in queue for code in entry.suggestions}
    names = {m.code: m for m in db.session.query(Material).filter(Material.code.in_(codes))} if codes else {}
    return render_template("classification/queue.html", queue=queue, materials=names, form=form or ClassifyForm(),
                           error=error), status


@bp.route("/")
def queue():
    return _render()


@bp.route("/classify", methods=["POST"])
def classify():
    form = ClassifyForm()
    if not form.validate_on_submit():
        return _render(form, _("Give the material to classify the name as."), 400)
    try:
        count = classify_name(form.name_code.data, form.material.data, user=current_user)
    except FieldError as exc:
        return _render(form, field_error_text(exc), 400)
    flash(_("Classified: %(count)d listings follow, and the name is learned.", count=count), "success")
    return redirect(url_for("classification.queue"))
