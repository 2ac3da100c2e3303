"""JSON the listing form's script reads: material choices for what is typed, and a material's quality fields."""
from __future__ import annotations

from flask_babel import get_locale, gettext as _

from ..services.material_choices import MaterialChoice
from ..labels import quality_value_label
from ..services.quality_fields import QualityForm


def _english() -> bool:
    return str(get_locale()) == "en"


def choices_json(choices: list[MaterialChoice]) -> dict:
    return {"materials": [
        {"code": c.code, "name": c.name_en if _english() else c.name_zh, "name_zh": c.name_zh, "name_en": c.name_en,
         "matched": c.matched, "unit": c.unit, "hazardous": c.hazardous} for c in choices]}


def quality_json(form: QualityForm | None, *, kind: str, name: str = "", stated: dict | None = None) -> dict:
    """``fields``: each key with its label, unit and the key a value is written under for this kind (a want's
    ``loi_pct_max``); ``grades``: each standard's grades and the values each fills; ``stated``: what the
    material's name already says (II级粉煤灰: grade II)."""
    if form is None:
        return {"material": None, "name": name, "fields": [], "grades": [], "stated": {}}
    fields = [{"key": f.key, "write_as": f.want_key() if kind == "want" else f.key,
               "label": f.name_en if _english() else f.name_zh, "unit": f.unit, "kind": f.kind,
               "values": list(f.values), "value_labels": {v: quality_value_label(v) for v in f.values},
               "op": f.op if kind == "want" else ""} for f in form.fields]
    grades = []
    for table in form.grades:
        grades.append({
            "id": table.id, "standard": table.standard, "key": table.key,
            "label": _("Grade (%(standard)s)", standard=table.standard),
            "options": [{"name": grade.name, "label": grade.name if _english() else grade.name_zh,
                         "values": {limit.key: limit.value for limit in grade.limits}} for grade in table.grades]})
    return {"material": form.material, "name": name, "fields": fields, "grades": grades, "stated": stated or {}}
