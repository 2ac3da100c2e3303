"""Administration views of the knowledge base: edit materials and routes, export the edits for review."""
import yaml
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matching.knowledge import KnowledgeError

from ..errors import translated
from ..services.errors import FieldError, message_of
from ..services.knowledge import (
    EDIT_SECTIONS, current_entry, discard_edit, effective_knowledge, error_field, export_edits, file_entry,
    find_edit, form_field_of, material_fields, parse_entry_text, route_fields, save_entry, saved_edits,
    with_material_fields, with_route_fields,
)
from . import bp
from .forms import EmptyForm, EntryForm, MaterialFieldsForm, RouteFieldsForm

FIELDS_FORMS = {"route": (RouteFieldsForm, route_fields, with_route_fields),
                "material": (MaterialFieldsForm, material_fields, with_material_fields)}


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


def _entry_page(kind: str, key: str | None, form: EntryForm, status: int = 200, fields_form=None):
    if fields_form is None and key is not None:
        form_class, shown, _write = FIELDS_FORMS[kind]
        fields_form = form_class(formdata=None, data=shown(current_entry(kind, key) or {}))
    return render_template("admin/knowledge_entry.html", kind=kind, key=key, form=form, fields_form=fields_form,
                           edit=find_edit(kind, key) if key else None,
                           in_files=file_entry(kind, key) is not None if key else False), status


def _message(exc: Exception) -> str:
    return translated(exc.message if isinstance(exc, FieldError) else message_of(exc))


def _save(kind: str, key: str | None, form: EntryForm):
    try:
        entry = parse_entry_text(kind, form.entry.data)
        edit = save_entry(kind, entry, key=key, user=current_user)
    except (FieldError, KnowledgeError) as exc:
        # The loader's message names file, entry and field; the field is shown beside it.
        form.entry.errors = [*form.entry.errors, f"{error_field(exc)}: {_message(exc)}"]
        return _entry_page(kind, key, form, 400)
    flash(_("Saved: the next match run uses it."), "success")
    return redirect(url_for("admin.edit_entry", kind=kind, key=edit.key))


def _save_fields(kind: str, key: str, entry: dict, fields_form):
    """The common fields written into the entry, checked by the loader; an error goes beside its field."""
    changed = FIELDS_FORMS[kind][2](entry, fields_form.data)
    try:
        save_entry(kind, changed, key=key, user=current_user)
    except (FieldError, KnowledgeError) as exc:
        name = form_field_of(kind, error_field(exc))
        message = _message(exc)
        if name in fields_form:
            fields_form[name].errors = [*fields_form[name].errors, message]
        else:
            fields_form.form_errors.append(f"{error_field(exc)}: {message}")
        form = EntryForm(formdata=None, data={"entry": yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)})
        return _entry_page(kind, key, form, 400, fields_form)
    flash(_("Saved: the next match run uses it."), "success")
    return redirect(url_for("admin.edit_entry", kind=kind, key=key))


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
    form_class, shown, _write = FIELDS_FORMS[kind]
    if request.method == "POST" and request.form.get("part") == "fields":
        fields_form = form_class()
        if fields_form.validate_on_submit():
            return _save_fields(kind, key, entry, fields_form)
        form = EntryForm(formdata=None, data={"entry": yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)})
        return _entry_page(kind, key, form, 400, fields_form)
    fields_form = form_class(formdata=None, data=shown(entry))
    form = EntryForm()
    if form.validate_on_submit():
        return _save(kind, key, form)
    if request.method == "GET":
        form.entry.data = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
    return _entry_page(kind, key, form, 400 if form.errors else 200, fields_form)


@bp.route("/knowledge/<kind>/<key>/discard", methods=["POST"])
def discard_entry(kind: str, key: str):
    kind = _kind_or_404(kind)
    if EmptyForm().validate_on_submit():
        try:
            discard_edit(kind, key)
        except FieldError as exc:
            flash(translated(exc.message), "danger")
            return redirect(url_for("admin.edit_entry", kind=kind, key=key))
        flash(_("The data files' version applies again."), "success")
    return redirect(url_for("admin.knowledge"))


@bp.route("/knowledge/export.yaml")
def export_knowledge():
    return Response(export_edits(), mimetype="application/x-yaml",
                    headers={"Content-Disposition": "attachment; filename=knowledge-edits.yaml"})
