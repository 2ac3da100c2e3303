"""Administration views of the knowledge base: edit materials and routes, export the edits for review."""
import yaml
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matching.knowledge import KnowledgeError

from ..services.errors import FieldError
from ..services.knowledge import (
    EDIT_SECTIONS, current_entry, discard_edit, effective_knowledge, error_field, export_edits, file_entry,
    find_edit, parse_entry_text, save_entry, saved_edits,
)
from . import bp
from .forms import EmptyForm, EntryForm


def _kind_or_404(kind: str) -> str:
    if kind not in EDIT_SECTIONS:
        abort(404)
    return kind


@bp.route("/knowledge")
def knowledge():
    text = request.args.get("q", "").strip().lower()
    kb = effective_knowledge()
    edited = {(row.kind, row.key) for row in saved_edits()}

    def hit(*names: str) -> bool:
        return not text or any(text in (name or "").lower() for name in names)

    materials = [m for m in kb.materials.values()
                 if hit(m.code, m.name_zh, m.name_en, *m.synonyms_zh, *m.synonyms_en)]
    routes = [r for r in kb.routes if hit(r.id, r.process_zh, r.process_en, *r.materials)]
    return render_template("admin/knowledge.html", materials=materials, routes=routes, edited=edited, q=text,
                           edits=saved_edits(), form=EmptyForm())


def _entry_page(kind: str, key: str | None, form: EntryForm, status: int = 200):
    return render_template("admin/knowledge_entry.html", kind=kind, key=key, form=form,
                           edit=find_edit(kind, key) if key else None,
                           in_files=file_entry(kind, key) is not None if key else False), status


def _save(kind: str, key: str | None, form: EntryForm):
    try:
        entry = parse_entry_text(kind, form.entry.data)
        edit = save_entry(kind, entry, key=key, user=current_user)
    except (FieldError, KnowledgeError) as exc:
        # The loader's message names file, entry and field; the field is shown beside it.
        form.entry.errors = [*form.entry.errors, f"{error_field(exc)}: {exc.message if isinstance(exc, FieldError) else exc}"]
        return _entry_page(kind, key, form, 400)
    flash(_("Saved: the next match run uses it."), "success")
    return redirect(url_for("admin.edit_entry", kind=kind, key=edit.key))


@bp.route("/knowledge/<kind>/new", methods=["GET", "POST"])
def new_entry(kind: str):
    kind = _kind_or_404(kind)
    form = EntryForm()
    if form.validate_on_submit():
        return _save(kind, None, form)
    return _entry_page(kind, None, form, 400 if form.errors else 200)


@bp.route("/knowledge/<kind>/<key>", methods=["GET", "POST"])
def edit_entry(kind: str, key: str):
    kind = _kind_or_404(kind)
    entry = current_entry(kind, key)
    if entry is None:
        abort(404)
    form = EntryForm()
    if form.validate_on_submit():
        return _save(kind, key, form)
    if request.method == "GET":
        form.entry.data = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
    return _entry_page(kind, key, form, 400 if form.errors else 200)


@bp.route("/knowledge/<kind>/<key>/discard", methods=["POST"])
def discard_entry(kind: str, key: str):
    kind = _kind_or_404(kind)
    if EmptyForm().validate_on_submit():
        try:
            discard_edit(kind, key)
        except FieldError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("admin.edit_entry", kind=kind, key=key))
        flash(_("The data files' version applies again."), "success")
    return redirect(url_for("admin.knowledge"))


@bp.route("/knowledge/export.yaml")
def export_knowledge():
    return Response(export_edits(), mimetype="application/x-yaml",
                    headers={"Content-Disposition": "attachment; filename=knowledge-edits.yaml"})
