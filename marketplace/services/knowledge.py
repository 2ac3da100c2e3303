"""The knowledge base at run time: the reviewed data files (matching/knowledge/), administrators' edits
over them, and the database copy in the material and route tables."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy import select
from sqlalchemy.engine import Connection

from matching.knowledge import Knowledge, KnowledgeError, load_knowledge
from matching.knowledge.entries import read_yaml
from matching.knowledge.loader import DEFAULT_DIRECTORY
from geo.messages import Message, N_

from ..extensions import db
from ..models import KnowledgeEdit, ListingMaterial, Material, Route, User
from .errors import FieldError
from .transaction import unit_of_work


@dataclass(frozen=True)
class SyncResult:
    materials_added: int
    materials_updated: int
    materials_removed: int
    routes_added: int
    routes_updated: int
    routes_removed: int


def _plain(value):
    """Dataclass values as the lists and dicts a JSON column gives back (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value))


def material_row(material) -> dict:
    return {
        "code": material.code, "name_zh": material.name_zh, "name_en": material.name_en,
        "family": material.family, "category": material.category, "parent_code": material.parent,
        "unit": material.unit, "hazardous": material.hazardous, "bulk": material.bulk,
        "receiver_licence": material.receiver_licence, "hw_codes": list(material.hw_codes),
        "synonyms": list(material.synonyms_zh) + list(material.synonyms_en),
        "quality_attributes": [_plain(a) for a in material.quality_attributes],
        "sources": [_plain(s) for s in material.sources],
    }


def route_row(route) -> dict:
    details = _plain(route)
    for key in ("id", "materials", "process_zh", "process_en", "coupling"):
        details.pop(key, None)
    return {"id": route.id, "material_codes": list(route.materials), "process_zh": route.process_zh,
            "process_en": route.process_en, "coupling": route.coupling or None, "details": details}


def _upsert(connection: Connection, table: sa.Table, key: str, rows: list[dict],
            *, keep: set[str] = frozenset()) -> tuple[int, int, int]:
    existing = {row[key]: dict(row) for row in connection.execute(sa.select(table)).mappings()}
    wanted = {row[key]: row for row in rows}
    added = [row for k, row in wanted.items() if k not in existing]
    changed = [row for k, row in wanted.items() if k in existing and existing[k] != row]
    removed = [k for k in existing if k not in wanted and k not in keep]
    if added:
        connection.execute(sa.insert(table), added)
    for row in changed:
        connection.execute(sa.update(table).where(table.c[key] == row[key]).values(**row))
    if removed:
        connection.execute(sa.delete(table).where(table.c[key].in_(removed)))
    return len(added), len(changed), len(removed)


def sync_knowledge(connection: Connection, knowledge: Knowledge | None = None) -> SyncResult:
    """Make the tables equal the files; materials that listings still use are kept."""
    knowledge = knowledge or load_knowledge()
    in_use = set(connection.execute(sa.select(ListingMaterial.material_code).distinct()).scalars())
    materials = _upsert(connection, Material.__table__, "code",
                        [material_row(m) for m in knowledge.materials.values()], keep=in_use)
    routes = _upsert(connection, Route.__table__, "id", [route_row(r) for r in knowledge.routes])
    return SyncResult(*materials, *routes)


# --- Administrators' edits: an overlay on the reviewed data files -------------------------------------
#
# The running app has one knowledge base: the data files with the saved edits applied, validated by the
# same loader as the files (an edit is written into a scratch copy of the knowledge directory and the
# whole copy loaded). Edits are exported back as YAML for review into the repository.

EDIT_SECTIONS = {"material": ("materials", "code", "materials.yaml"),
                 "route": ("routes", "id", "routes.yaml")}


@dataclass(frozen=True)
class SourceEntry:
    """An entry as the data files hold it, and the file it is in."""

    file: str
    entry: dict


def _data_files(kind: str, directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    main = EDIT_SECTIONS[kind][2]
    stem = Path(main).stem
    return [directory / main, *sorted(directory.glob(f"{stem}-*.yaml"))]


@functools.lru_cache(maxsize=1)
def _file_entries() -> dict[tuple[str, str], SourceEntry]:
    """Every material and route of the shipped data files by (kind, key), with its file."""
    found: dict[tuple[str, str], SourceEntry] = {}
    for kind, (section, id_field, _main) in EDIT_SECTIONS.items():
        for path in _data_files(kind):
            for raw in read_yaml(path).get(section) or []:
                if isinstance(raw, dict) and raw.get(id_field):
                    found.setdefault((kind, str(raw[id_field])), SourceEntry(path.name, raw))
    return found


def file_entry(kind: str, key: str) -> SourceEntry | None:
    """The entry as the reviewed data files hold it, or None for a key they do not have."""
    return _file_entries().get((kind, key))


def saved_edits() -> list[KnowledgeEdit]:
    return list(db.session.scalars(select(KnowledgeEdit).order_by(KnowledgeEdit.kind, KnowledgeEdit.key)))


def find_edit(kind: str, key: str) -> KnowledgeEdit | None:
    return db.session.scalar(select(KnowledgeEdit).where(KnowledgeEdit.kind == kind, KnowledgeEdit.key == key))


def current_entry(kind: str, key: str) -> dict | None:
    """The entry the running app uses: the saved edit, else the data files' entry."""
    edit = find_edit(kind, key)
    if edit is not None:
        return dict(edit.entry)
    source = file_entry(kind, key)
    return dict(source.entry) if source else None


def _write_scratch(directory: Path, edits: list[tuple[str, str, dict]]) -> None:
    """Copy the data files the loader reads into ``directory`` with ``edits`` (kind, file, entry) applied:
    an entry replaces the one with its key in its file, or is appended to that file."""
    for kind in EDIT_SECTIONS:
        for path in _data_files(kind):
            shutil.copyfile(path, directory / path.name)
    by_file: dict[str, list[tuple[str, dict]]] = {}
    for kind, file, entry in edits:
        by_file.setdefault(file, []).append((kind, entry))
    for file, changes in by_file.items():
        path = directory / file
        document = read_yaml(path) if path.exists() else {}
        for kind, entry in changes:
            section, id_field, _main = EDIT_SECTIONS[kind]
            items = list(document.get(section) or [])
            key = entry.get(id_field)
            at = next((i for i, raw in enumerate(items) if isinstance(raw, dict) and raw.get(id_field) == key), None)
            if at is None:
                items.append(entry)
            else:
                items[at] = entry
            document[section] = items
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load_with(edits: list[tuple[str, str, dict]]) -> Knowledge:
    with tempfile.TemporaryDirectory(prefix="knowledge-") as folder:
        _write_scratch(Path(folder), edits)
        return load_knowledge(folder)


def _edit_tuples(rows: list[KnowledgeEdit]) -> list[tuple[str, str, dict]]:
    return [(row.kind, row.file, dict(row.entry)) for row in rows]


def parse_entry_text(kind: str, text: str) -> dict:
    """One entry written as YAML (a mapping, as in the data files), or a FieldError on ``entry``."""
    if kind not in EDIT_SECTIONS:
        raise FieldError("kind", Message(N_("a knowledge-base entry is a material or a route")))
    try:
        entry = yaml.safe_load(text or "")
    except yaml.YAMLError as exc:
        raise FieldError("entry", Message(N_("not valid YAML: %(exc)s"), exc=exc)) from exc
    if isinstance(entry, list) and len(entry) == 1:
        entry = entry[0]  # pasted from a data file with its leading "- "
    if not isinstance(entry, dict):
        raise FieldError("entry", Message(N_("write one entry: a mapping of field: value")))
    return entry


def entry_key(kind: str, entry: dict) -> str:
    id_field = EDIT_SECTIONS[kind][1]
    key = entry.get(id_field)
    if not isinstance(key, str) or not key.strip():
        raise FieldError(id_field, Message(N_("the entry needs its %(id_field)s"), id_field=id_field))
    return key.strip()


def check_entry(kind: str, entry: dict, *, key: str | None = None) -> Knowledge:
    """The knowledge base the app would run on with ``entry`` saved over the other edits, validated by the
    data files' loader.

    ``key`` is the entry being edited (None for a new one): its code or id cannot change here, since
    listings and links refer to it. Raises FieldError naming the field, or the loader's KnowledgeError.
    """
    new_key = entry_key(kind, entry)
    id_field = EDIT_SECTIONS[kind][1]
    if key is not None and new_key != key:
        raise FieldError(id_field, Message(N_("the %(id_field)s of an existing entry cannot change (was %(key)s)"),
                                           id_field=id_field, key=key))
    if key is None and (file_entry(kind, new_key) is not None or find_edit(kind, new_key) is not None):
        raise FieldError(id_field, Message(N_("%(new_key)s already exists: edit it instead"), new_key=new_key))
    source = file_entry(kind, new_key)
    file = source.file if source else EDIT_SECTIONS[kind][2]
    others = [(row.kind, row.file, dict(row.entry)) for row in saved_edits()
              if (row.kind, row.key) != (kind, new_key)]
    return _load_with([*others, (kind, file, entry)])


def save_entry(kind: str, entry: dict, *, key: str | None = None, user: User | None = None) -> KnowledgeEdit:
    """Validate ``entry`` (see :func:`check_entry`) and store it as the running app's version."""
    check_entry(kind, entry, key=key)
    new_key = entry_key(kind, entry)
    source = file_entry(kind, new_key)
    with unit_of_work():
        edit = find_edit(kind, new_key)
        if edit is None:
            edit = KnowledgeEdit(kind=kind, key=new_key, file=source.file if source else EDIT_SECTIONS[kind][2])
            db.session.add(edit)
        edit.entry = entry
        edit.edited_by_id = user.id if user is not None else None
        edit.edited_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return edit


def discard_edit(kind: str, key: str) -> None:
    """Go back to the data files' version of the entry; refused when the other edits need it."""
    edit = find_edit(kind, key)
    if edit is None:
        return
    # Another edit may rely on this one (a route on a new material, a limit on an added quality attribute).
    others = [row for row in saved_edits() if row.id != edit.id]
    try:
        _load_with(_edit_tuples(others))
    except KnowledgeError as exc:
        raise FieldError("entry", Message(N_("other edits rely on this version of %(key)s: %(exc)s"),
                                          key=key, exc=exc)) from exc
    with unit_of_work():
        db.session.delete(edit)


_effective: dict[str, Knowledge] = {}


def _fingerprint(rows: list[KnowledgeEdit]) -> str:
    text = json.dumps([[row.kind, row.key, row.file, row.entry] for row in rows], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def effective_knowledge() -> Knowledge:
    """The knowledge base the app runs on: the reviewed data files with the saved edits applied.

    Loaded again only when the edits change (their fingerprint), so a match run after an edit uses it.
    """
    rows = saved_edits()
    if not rows:
        return load_knowledge()
    fingerprint = _fingerprint(rows)
    knowledge = _effective.get(fingerprint)
    if knowledge is None:
        knowledge = _load_with(_edit_tuples(rows))
        _effective.clear()
        _effective[fingerprint] = knowledge
    return knowledge


def export_edits() -> str:
    """The saved edits as YAML for review: one document per data file, holding that file's changed entries."""
    by_file: dict[str, dict[str, list]] = {}
    for row in saved_edits():
        section = EDIT_SECTIONS[row.kind][0]
        by_file.setdefault(row.file, {}).setdefault(section, []).append(dict(row.entry))
    documents = []
    for file in sorted(by_file):
        body = yaml.safe_dump(by_file[file], allow_unicode=True, sort_keys=False)
        documents.append(f"# {file}: replace the entries with these codes / ids, or add them\n{body}")
    return "---\n".join(documents)


def error_field(exc: Exception) -> str:
    """The field an edit's error is about, for showing it beside that field."""
    field = getattr(exc, "field", None) or "entry"
    return str(field)


TRANSPORT_FIELDS = {"road": "road_km", "rail": "rail_km", "barge": "barge_km", "pipeline": "pipeline_km"}
ROUTE_FIGURES = ("process_zh", "process_en", "typical_price_cny_per_unit", "supplier_disposal_cost_cny_per_unit",
                 "co2_avoided_t_per_unit", "replacement_ratio")


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").replace("，", ",").replace("\n", ",").split(",") if name.strip()]


def route_fields(entry: dict) -> dict:
    """A route entry's common fields as the admin form shows them."""
    transport = entry.get("transport") or {}
    return {**{name: entry.get(name) for name in ROUTE_FIGURES},
            "user_sectors": ", ".join(str(s) for s in entry.get("user_sectors") or []),
            **{field: transport.get(mode) for mode, field in TRANSPORT_FIELDS.items()}}


def with_route_fields(entry: dict, values: dict) -> dict:
    """``entry`` with the form's common fields written in (the sources and everything else kept)."""
    changed = dict(entry)
    for name in ROUTE_FIGURES:
        changed[name] = values[name]
    changed["user_sectors"] = _names(values.get("user_sectors"))
    changed["transport"] = {mode: values[field] for mode, field in TRANSPORT_FIELDS.items()
                            if values.get(field) is not None}
    return changed


def material_fields(entry: dict) -> dict:
    return {"name_zh": entry.get("name_zh"), "name_en": entry.get("name_en"),
            "synonyms_zh": "\n".join(entry.get("synonyms_zh") or []),
            "synonyms_en": "\n".join(entry.get("synonyms_en") or [])}


def with_material_fields(entry: dict, values: dict) -> dict:
    changed = {**entry, "name_zh": values["name_zh"], "name_en": values["name_en"]}
    for language in ("synonyms_zh", "synonyms_en"):
        names = _names(values.get(language))
        if names:
            changed[language] = names
        else:
            changed.pop(language, None)
    return changed


def form_field_of(kind: str, field: str) -> str:
    """The admin form's field for a loader error's field (``transport`` is shown at the road radius)."""
    if kind == "route" and field.split(".")[0] == "transport":
        return "road_km"
    return field
