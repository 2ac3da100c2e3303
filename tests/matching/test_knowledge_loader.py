"""Loader validation: every bad data file is rejected with its file, entry and field named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from matching.knowledge import AmbiguousMaterial, KnowledgeError, load_knowledge, resolve_material

ESTIMATED = [
    "replacement_ratio", "transport", "co2_avoided_t_per_unit", "typical_price_cny_per_unit",
    "supplier_disposal_cost_cny_per_unit",
]

MATERIALS = {
    "references": {"R01": {"title": "Test reference"}},
    "ambiguous": [{"terms_zh": ["灰"], "terms_en": ["ash"], "candidates": ["test-ash", "test-oil"]}],
    "materials": [
        {
            "code": "test-ash", "name_zh": "测试灰", "name_en": "test ash", "synonyms_zh": ["试灰"],
            "synonyms_en": ["TA"], "family": "ash", "category": "S02", "unit": "t", "hazardous": False,
            "receiver_licence": "none", "bulk": True,
            "quality_attributes": [{"key": "loi_pct", "unit": "%", "name_zh": "烧失量", "name_en": "LOI"}],
            "sources": [{"ref": "R01", "what": "test"}],
        },
        {
            "code": "test-ash-fine", "name_zh": "细测试灰", "name_en": "fine test ash", "family": "ash",
            "category": "S02", "parent": "test-ash", "unit": "t", "hazardous": False, "receiver_licence": "none",
            "bulk": True, "sources": [{"ref": "GB/T 1596-2017", "what": "test"}],
        },
        {
            "code": "test-oil", "name_zh": "测试废油", "name_en": "test oil", "family": "hazardous",
            "category": "HW08", "unit": "t", "hazardous": True, "hw_codes": ["900-214-08"],
            "receiver_licence": "hw_permit", "bulk": False, "sources": [{"ref": "R01", "what": "test"}],
        },
        {
            "code": "test-battery", "name_zh": "测试电池", "name_en": "test battery", "family": "end-of-life",
            "category": "EOL", "unit": "t", "hazardous": False, "receiver_licence": "battery_any", "bulk": False,
            "sources": [{"ref": "https://example.org/battery", "what": "test"}],
        },
    ],
}


def _route(route_id, material, licence="none", **changes):
    route = {
        "id": route_id, "material": material, "process_zh": "测试", "process_en": "test",
        "user_sectors": ["3011"],
        "replaces": {"name_zh": "熟料", "name_en": "clinker", "price_cny_per_t": 300, "price_source": "estimate"},
        "replacement_ratio": 1.0, "transport": {"road": 100}, "co2_avoided_t_per_unit": 0.8,
        "typical_price_cny_per_unit": 50, "supplier_disposal_cost_cny_per_unit": 20,
        "receiver_licence": licence, "coupling": "power-building materials",
        "sources": [{"ref": "R01", "what": "test"}], "estimate": list(ESTIMATED),
    }
    route.update(changes)
    return route


ROUTES = {
    "routes": [
        _route(
            "ash-cement", ["test-ash"],
            quality_limits=[{"key": "loi_pct", "op": "<=", "value": 8.0, "standard": "GB/T 1596-2017"}],
        ),
        _route("oil-refining", ["test-oil"], "hw_permit", user_sectors=["2511"]),
        _route("battery-storage", ["test-battery"], "battery_cascade", user_sectors=["3841"]),
    ]
}


def _write(tmp_path: Path, materials: dict | None = None, routes: dict | None = None) -> Path:
    (tmp_path / "materials.yaml").write_text(
        yaml.safe_dump(materials or MATERIALS, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (tmp_path / "routes.yaml").write_text(
        yaml.safe_dump(routes or ROUTES, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return tmp_path


def _material(materials: dict, code: str) -> dict:
    return next(item for item in materials["materials"] if item["code"] == code)


def test_minimal_knowledge_loads_and_resolves(tmp_path):
    kb = load_knowledge(_write(tmp_path))
    assert len(kb.routes) == 3
    assert resolve_material("ta", knowledge=kb).code == "test-ash"
    assert resolve_material("S02", knowledge=kb).code == "test-ash"
    assert resolve_material("900-214-08", knowledge=kb).code == "test-oil"
    assert kb.routes_for("test-ash-fine")[0].id == "ash-cement"
    with pytest.raises(AmbiguousMaterial):
        resolve_material("灰", knowledge=kb)


def test_a_custom_directory_is_not_cached(tmp_path):
    directory = _write(tmp_path)
    assert load_knowledge(directory) is not load_knowledge(directory)


def _bad_material(change):
    materials = copy.deepcopy(MATERIALS)
    change(materials)
    return materials


def _bad_route(change):
    routes = copy.deepcopy(ROUTES)
    change(routes)
    return routes


MATERIAL_ERRORS = [
    (lambda m: _material(m, "test-oil").update(hw_codes=["900-214-8"]), "test-oil", "hw_codes", "NNN-NNN-CC"),
    (lambda m: _material(m, "test-oil").update(hw_codes=["900-214-31"]), "test-oil", "hw_codes", "not HW08"),
    (lambda m: _material(m, "test-oil").update(hw_codes=["900-214-51"]), "test-oil", "hw_codes", "01-50"),
    (lambda m: _material(m, "test-oil").update(hw_codes=[]), "test-oil", "hw_codes", "at least one"),
    (lambda m: _material(m, "test-ash").update(hw_codes=["900-214-08"]), "test-ash", "hw_codes", "only hazardous"),
    (lambda m: _material(m, "test-oil").update(receiver_licence="none"), "test-oil", "receiver_licence", "hw_permit"),
    (lambda m: _material(m, "test-ash").update(category="S08"), "test-ash", "category", "S08"),
    (lambda m: _material(m, "test-ash").update(category="S61"), "test-ash", "category", "S01-S59"),
    (lambda m: _material(m, "test-ash").update(category="HW18"), "test-ash", "hazardous", "set hazardous: true"),
    (lambda m: _material(m, "test-oil").update(category="S02"), "test-oil", "category", "needs an HWnn category"),
    (lambda m: _material(m, "test-ash").update(unit="kg"), "test-ash", "unit", "not one of"),
    (lambda m: _material(m, "test-ash").update(family="dust"), "test-ash", "family", "not one of"),
    (lambda m: _material(m, "test-ash").update(sources=[]), "test-ash", "sources", "missing"),
    (lambda m: _material(m, "test-ash").pop("sources"), "test-ash", "sources", "missing"),
    (lambda m: _material(m, "test-ash").update(sources=[{"ref": "R99", "what": "x"}]), "test-ash", "sources", "R99"),
    (lambda m: _material(m, "test-ash").update(sources=[{"ref": "a friend", "what": "x"}]), "test-ash", "sources",
     "reference id"),
    (lambda m: _material(m, "test-ash").update(bulk="yes"), "test-ash", "bulk", "true or false"),
    (lambda m: _material(m, "test-ash").update(colour="grey"), "test-ash", "colour", "unknown field"),
    (lambda m: _material(m, "test-ash-fine").update(parent="nope"), "test-ash-fine", "parent", "unknown material"),
    (lambda m: _material(m, "test-ash").update(parent="test-ash-fine"), "test-ash", "parent", "cycle"),
    (lambda m: _material(m, "test-ash-fine").update(code="test-ash"), "test-ash", "code", "duplicate"),
    (lambda m: _material(m, "test-battery").update(synonyms_en=["T-A"]), "test-battery", "synonyms_en",
     "already names material 'test-ash'"),
    (lambda m: _material(m, "test-ash-fine").update(parent=None), "test-ash-fine", "category", "already has"),
    (lambda m: _material(m, "test-ash").update(
        quality_attributes=[{"key": "LOI", "unit": "%", "name_zh": "x", "name_en": "x"}]),
     "test-ash", "quality_attributes", "snake_case"),
    (lambda m: _material(m, "test-ash").update(quality_attributes=[
        {"key": "loi_pct", "unit": "%", "name_zh": "x", "name_en": "x"},
        {"key": "ign_pct", "unit": "%", "name_zh": "y", "name_en": "y", "aliases": ["loi_pct"]}]),
     "test-ash", "quality_attributes", "both a key and an alias"),
    (lambda m: _material(m, "test-ash").update(quality_attributes=[
        {"key": "class", "unit": "", "kind": "category", "name_zh": "x", "name_en": "x"}]),
     "test-ash", "quality_attributes", "category \\(with values\\)"),
]


def _with_class(materials, *, ash=None, fine=None):
    """Give test-ash a category attribute ``class`` (F/C) and the two ashes what they imply."""
    _material(materials, "test-ash")["quality_attributes"].append(
        {"key": "class", "unit": "", "name_zh": "类别", "name_en": "class", "values": ["F", "C"]})
    if ash is not None:
        _material(materials, "test-ash")["implies"] = ash
    if fine is not None:
        _material(materials, "test-ash-fine")["implies"] = fine


MATERIAL_ERRORS += [
    (lambda m: _material(m, "test-ash")["quality_attributes"][0].update({"shredded": None}), "test-ash",
     "quality_attributes.shredded", "quote the text"),
    (lambda m: _material(m, "test-ash")["sources"][0].update({"page": 3}), "test-ash", "sources.page",
     "unknown field"),
    (lambda m: _with_class(m, fine="F"), "test-ash-fine", "implies", "must be a mapping"),
    (lambda m: _with_class(m, fine={"loi_pct": "5"}), "test-ash-fine", "implies", "not a category attribute"),
    (lambda m: _with_class(m, fine={"colour": "grey"}), "test-ash-fine", "implies", "not a category attribute"),
    (lambda m: _with_class(m, fine={"class": "X"}), "test-ash-fine", "implies", "not one of F, C"),
    (lambda m: _with_class(m, fine={"class": True}), "test-ash-fine", "implies", "quoted string"),
    (lambda m: _with_class(m, ash={"class": "F"}, fine={"class": "C"}), "test-ash-fine", "implies",
     "contradicts test-ash, which implies 'F'"),
]


def test_implied_quality_is_inherited_and_the_childs_own_is_kept(tmp_path):
    materials = copy.deepcopy(MATERIALS)
    _with_class(materials, fine={"class": "F"})
    kb = load_knowledge(_write(tmp_path, materials=materials))
    assert kb.materials["test-ash-fine"].implies == (("class", "F"),)
    assert kb.implied_quality("test-ash-fine") == {"class": "F"}
    assert kb.implied_quality("test-ash") == {}


@pytest.mark.parametrize(("change", "entry", "field", "message"), MATERIAL_ERRORS)
def test_bad_materials_name_file_entry_and_field(tmp_path, change, entry, field, message):
    directory = _write(tmp_path, materials=_bad_material(change))
    with pytest.raises(KnowledgeError, match=rf"materials\.yaml: material '{entry}': field {field}: .*{message}") as caught:
        load_knowledge(directory)
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("materials.yaml", entry, field)


def test_ambiguous_term_must_not_be_a_material_name(tmp_path):
    materials = copy.deepcopy(MATERIALS)
    materials["ambiguous"][0]["terms_en"] = ["TA"]
    with pytest.raises(KnowledgeError, match=r"materials\.yaml: ambiguous term 'TA': field terms: .*test-ash"):
        load_knowledge(_write(tmp_path, materials=materials))


def test_ambiguous_candidates_must_exist(tmp_path):
    materials = copy.deepcopy(MATERIALS)
    materials["ambiguous"][0]["candidates"] = ["test-ash", "nope"]
    with pytest.raises(KnowledgeError, match=r"ambiguous term '#1': field candidates: unknown material 'nope'"):
        load_knowledge(_write(tmp_path, materials=materials))


def _route_by_id(routes: dict, route_id: str) -> dict:
    return next(item for item in routes["routes"] if item["id"] == route_id)


ROUTE_ERRORS = [
    (lambda r: _route_by_id(r, "ash-cement").update(material=["nope"]), "ash-cement", "material",
     "unknown material 'nope'"),
    (lambda r: _route_by_id(r, "ash-cement").update(material=["test-ash", "test-oil"], receiver_licence="hw_permit"),
     "ash-cement", "receiver_licence", "test-ash needs none"),
    (lambda r: _route_by_id(r, "ash-cement").update(user_sectors=["3119"]), "ash-cement", "user_sectors",
     "'3119' is not a GB/T 4754-2017 code"),
    # unquoted codes are refused: YAML would read 0610 as an octal number
    (lambda r: _route_by_id(r, "ash-cement").update(user_sectors=[3011]), "ash-cement", "user_sectors",
     "quoted string"),
    (lambda r: _route_by_id(r, "ash-cement").update(transport={"road": -5}), "ash-cement", "transport",
     "negative radius"),
    (lambda r: _route_by_id(r, "ash-cement").update(transport={"truck": 50}), "ash-cement", "transport",
     "unknown mode"),
    (lambda r: _route_by_id(r, "ash-cement").update(transport={}), "ash-cement", "transport", "at least one"),
    (lambda r: _route_by_id(r, "oil-refining").update(receiver_licence="none"), "oil-refining", "receiver_licence",
     "needs hw_permit"),
    (lambda r: _route_by_id(r, "battery-storage").update(receiver_licence="none"), "battery-storage",
     "receiver_licence", "battery_cascade or battery_recycling"),
    (lambda r: _route_by_id(r, "ash-cement").update(estimate=ESTIMATED[1:]), "ash-cement", "replacement_ratio",
     "no source"),
    (lambda r: _route_by_id(r, "ash-cement").update(estimate=[*ESTIMATED, "colour"]), "ash-cement", "estimate",
     "names no figure"),
    (lambda r: _route_by_id(r, "ash-cement").update(sources=[]), "ash-cement", "sources", "missing"),
    (lambda r: _route_by_id(r, "ash-cement").update(replacement_ratio=0), "ash-cement", "replacement_ratio", "> 0"),
    (lambda r: _route_by_id(r, "ash-cement").update(supplier_disposal_cost_cny_per_unit=-1), "ash-cement",
     "supplier_disposal_cost_cny_per_unit", ">= 0"),
    (lambda r: _route_by_id(r, "ash-cement").update(co2_avoided_t_per_unit="a lot"), "ash-cement",
     "co2_avoided_t_per_unit", "number"),
    (lambda r: _route_by_id(r, "ash-cement").update(coupling="friendship"), "ash-cement", "coupling", "not one of"),
    (lambda r: _route_by_id(r, "ash-cement").update(
        quality_limits=[{"key": "so3_pct", "op": "<=", "value": 3, "standard": "GB/T 1596-2017"}]),
     "ash-cement", "quality_limits", "'so3_pct' is not a quality attribute"),
    (lambda r: _route_by_id(r, "ash-cement").update(
        quality_limits=[{"key": "loi_pct", "op": "<", "value": 3, "standard": "GB/T 1596-2017"}]),
     "ash-cement", "quality_limits", "op must be"),
    (lambda r: _route_by_id(r, "ash-cement").update(
        quality_limits=[{"key": "loi_pct", "op": "in", "value": ["low"], "standard": "GB/T 1596-2017"}]),
     "ash-cement", "quality_limits", "does not suit a number attribute"),
    (lambda r: _route_by_id(r, "ash-cement").update(
        quality_limits=[{"key": "loi_pct", "op": "<=", "value": 3}]),
     "ash-cement", "quality_limits", "names the standard"),
    (lambda r: _route_by_id(r, "ash-cement").update(
        replaces={"name_zh": "熟料", "name_en": "clinker", "price_source": "estimate"}),
     "ash-cement", "replaces", "exactly one price"),
    (lambda r: _route_by_id(r, "ash-cement").update(speed=3), "ash-cement", "speed", "unknown field"),
    # {what: prices, radius and CO2 ...} unquoted: YAML splits it at the comma and the tail becomes a key
    (lambda r: _route_by_id(r, "ash-cement").update(sources=[{"ref": "R01", "what": "prices", "radius": None}]),
     "ash-cement", "sources.radius", "quote the text"),
    (lambda r: _route_by_id(r, "ash-cement").update(quality_limits=[
        {"key": "loi_pct", "op": "<=", "value": 8.0, "standard": "GB/T 1596-2017", "unit": "%"}]),
     "ash-cement", "quality_limits.unit", "unknown field"),
    (lambda r: _route_by_id(r, "ash-cement")["replaces"].update(currency="CNY"), "ash-cement", "replaces.currency",
     "unknown field"),
    (lambda r: _route_by_id(r, "oil-refining").update(id="ash-cement"), "ash-cement", "id", "duplicate"),
]


@pytest.mark.parametrize(("change", "entry", "field", "message"), ROUTE_ERRORS)
def test_bad_routes_name_file_entry_and_field(tmp_path, change, entry, field, message):
    directory = _write(tmp_path, routes=_bad_route(change))
    with pytest.raises(KnowledgeError, match=rf"routes\.yaml: route '{entry}': field {field}: .*{message}") as caught:
        load_knowledge(directory)
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("routes.yaml", entry, field)


def test_a_cited_price_counts_as_sourced(tmp_path):
    routes = copy.deepcopy(ROUTES)
    route = _route_by_id(routes, "ash-cement")
    route["replaces"]["price_source"] = "R01"
    route["sources"].append({"ref": "R01", "what": "CO2 factor", "fields": ["co2_avoided_t_per_unit"]})
    route["estimate"] = [name for name in ESTIMATED if name != "co2_avoided_t_per_unit"]
    kb = load_knowledge(_write(tmp_path, routes=routes))
    assert kb.routes[0].replaces.price_source == "R01"


def test_invalid_yaml_names_the_file(tmp_path):
    _write(tmp_path)
    (tmp_path / "routes.yaml").write_text("routes: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"routes\.yaml: not valid YAML"):
        load_knowledge(tmp_path)


def test_missing_file_names_the_file(tmp_path):
    _write(tmp_path)
    (tmp_path / "materials.yaml").unlink()
    with pytest.raises(KnowledgeError, match=r"materials\.yaml: cannot read"):
        load_knowledge(tmp_path)
