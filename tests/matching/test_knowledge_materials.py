"""The shipped materials knowledge base: coverage, consistency and the material resolver."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from matching.knowledge import (
    AmbiguousMaterial,
    KnowledgeError,
    QualityLimit,
    UnknownMaterial,
    load_knowledge,
    load_sectors,
    resolve_material,
)
from matching.acceptance import acceptance_for
from matching.knowledge.models import FIGURE_FIELDS

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "matching" / "knowledge"


# ----------------------------------------------------------------------------- resolver


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("粉煤灰", "coal-fly-ash"),
        ("fly ash", "coal-fly-ash"),
        ("PFA", "coal-fly-ash"),
        ("coal ash", "coal-fly-ash"),
        ("Fly-Ash", "coal-fly-ash"),
        ("ＦＬＹ　ＡＳＨ", "coal-fly-ash"),
        ("  fly   ash ", "coal-fly-ash"),
        ("coal-fly-ash", "coal-fly-ash"),
        ("F类粉煤灰", "coal-fly-ash-class-f"),
        ("class C fly ash", "coal-fly-ash-class-c"),
        ("脱硫石膏", "fgd-gypsum"),
        ("FGD gypsum", "fgd-gypsum"),
        ("fgd-gypsum", "fgd-gypsum"),
        ("DSG", "fgd-gypsum"),
        ("烟气脱硫石膏", "fgd-gypsum"),
        ("磷石膏", "phosphogypsum"),
        ("钛石膏", "titanogypsum"),
        ("矿渣", "gbfs"),
        ("GBFS", "gbfs"),
        ("高炉水渣", "gbfs"),
        # GGBS/GGBFS is the ground product of GBFS: its own material, child of gbfs
        ("GGBS", "ggbs"),
        ("GGBFS", "ggbs"),
        ("矿粉", "ggbs"),
        ("钢渣", "steel-slag"),
        ("BOF slag", "bof-slag"),
        ("电炉渣", "eaf-slag"),
        ("铜渣", "copper-slag"),
        ("炉渣", "bottom-ash"),
        ("bottom ash", "bottom-ash"),
        ("煤矸石", "coal-gangue"),
        ("赤泥", "red-mud"),
        ("bauxite residue", "red-mud"),
        ("电石渣", "carbide-slag"),
        ("硫铁矿烧渣", "pyrite-cinder"),
        ("气化渣", "gasification-slag"),
        ("废耐火材料", "waste-refractories"),
        ("废铸造砂", "foundry-sand"),
        ("焦炉煤气", "coke-oven-gas"),
        ("COG", "coke-oven-gas"),
        ("高炉煤气", "blast-furnace-gas"),
        ("LDG", "converter-gas"),
        ("CO2", "captured-co2"),
        ("副产氢", "byproduct-hydrogen"),
        ("中水", "treated-effluent"),
        ("酒糟", "distillers-grains"),
        ("废酵母", "spent-yeast"),
        ("退役动力电池", "retired-ev-battery"),
        ("retired EV battery", "retired-ev-battery"),
        ("LFP battery", "retired-lfp-battery"),
        ("废铅蓄电池", "lead-acid-battery"),
        ("ULAB", "lead-acid-battery"),
        ("焚烧飞灰", "incineration-fly-ash"),
        ("MSWI fly ash", "incineration-fly-ash"),
        ("废机油", "waste-mineral-oil"),
        ("铝灰", "aluminium-dross"),
        ("废钢", "scrap-steel"),
        ("OCC", "waste-paper"),
        ("低压蒸汽", "steam-lp"),
        # hazardous codes and categories
        ("900-052-31", "lead-acid-battery"),
        ("90005231", "lead-acid-battery"),
        ("772-002-18", "incineration-fly-ash"),
        ("772-007-50", "spent-scr-catalyst"),  # most specific holder of a shared code
        ("HW31", "lead-acid-battery"),
        ("hw18", "incineration-fly-ash"),
        ("HW50", "spent-catalyst"),
        # general solid-waste categories: Snn, legacy SWnn, 9-character catalogue codes
        ("SW02", "coal-fly-ash"),
        ("S02", "coal-fly-ash"),
        ("s2", "coal-fly-ash"),
        ("441-001-S02", "coal-fly-ash"),
        ("441001s02", "coal-fly-ash"),
        ("SW01", "smelting-slag"),
        ("312-003-S01", "smelting-slag"),
        ("S06", "fgd-gypsum"),
        ("SW10", "phosphogypsum"),
        ("S59", "other-industrial-solid-waste"),
        # English plurals
        ("fly ashes", "coal-fly-ash"),
        ("steel slags", "steel-slag"),
        ("retired EV batteries", "retired-ev-battery"),
        # other hazardous streams common in industrial parks
        ("漆渣", "paint-sludge"),
        ("废包装物", "contaminated-packaging"),
        ("废酸", "waste-acid"),
        ("900-041-49", "contaminated-packaging"),
    ],
)
def test_resolve_material(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


def test_coal_fly_ash_is_not_incineration_fly_ash(kb):
    coal = resolve_material("fly ash", knowledge=kb)
    incineration = resolve_material("焚烧飞灰", knowledge=kb)
    assert coal.code != incineration.code
    assert (coal.hazardous, incineration.hazardous) == (False, True)
    assert (coal.category, incineration.category) == ("S02", "HW18")
    assert not set(kb.routes_for(coal.code)) & set(kb.routes_for(incineration.code))


def test_bottom_ash_is_not_slag(kb):
    assert resolve_material("炉渣", knowledge=kb).category == "S03"
    assert resolve_material("矿渣", knowledge=kb).category == "S01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gypsum", {"fgd-gypsum", "phosphogypsum"}),
        ("石膏", {"fgd-gypsum", "phosphogypsum"}),
        ("工业副产石膏", {"fgd-gypsum", "phosphogypsum", "byproduct-gypsum-other"}),
        ("飞灰", {"coal-fly-ash", "incineration-fly-ash"}),
        ("slag", {"gbfs", "steel-slag"}),
        ("煤气", {"coke-oven-gas", "blast-furnace-gas", "converter-gas"}),
        ("废电池", {"lead-acid-battery", "retired-ev-battery"}),
        ("sludge", {"sludge-any-kind", "industrial-sludge", "sewage-sludge"}),
        ("HW48", {"aluminium-dross", "spent-pot-lining"}),
        ("batteries", {"lead-acid-battery", "retired-ev-battery"}),
    ],
)
def test_ambiguous_terms_list_candidates(kb, text, expected):
    with pytest.raises(AmbiguousMaterial, match="material") as caught:
        resolve_material(text, knowledge=kb)
    assert expected <= set(caught.value.candidates)
    assert caught.value.field == "material"
    assert caught.value.suggestions == caught.value.candidates


@pytest.mark.parametrize(
    ("text", "expected_suggestion"),
    [
        ("粉煤炭灰", "coal-fly-ash"),
        ("脱硫石高", "fgd-gypsum"),
        ("steel slagg", "steel-slag"),
        ("S18", "recyclable-waste"),
        ("999-999-31", "lead-acid-battery"),
    ],
)
def test_unknown_material_suggests_close_codes(kb, text, expected_suggestion):
    with pytest.raises(UnknownMaterial, match="material") as caught:
        resolve_material(text, knowledge=kb)
    assert expected_suggestion in caught.value.suggestions
    assert len(caught.value.suggestions) <= 5


@pytest.mark.parametrize("text", ["", "   ", "S08", "SW00", "S60", "unobtainium"])
def test_resolve_rejects_empty_and_invalid_categories(kb, text):
    with pytest.raises(UnknownMaterial):
        resolve_material(text, knowledge=kb)


# ----------------------------------------------------------------------------- coverage


def test_at_least_sixty_routes(kb):
    assert len(kb.routes) >= 60


def test_every_material_is_named_by_a_route(kb):
    # a generic material (gypsum of any kind) is covered by the routes of the kinds under it; a product
    # (fertiliser) is what a receiver asks for, served by the routes of the residues that replace it
    named = {code for route in kb.routes for code in route.materials}
    uncovered = {
        code for code, material in kb.materials.items()
        if material.category != "PRODUCT" and not named.intersection((code, *kb.descendants(code)))
    }
    assert uncovered == set()


def test_every_product_is_served_by_a_route(kb):
    served = {code for route in kb.routes for code in route.serves}
    products = {code for code, material in kb.materials.items() if material.category == "PRODUCT"}
    assert products
    assert {code for code in products if not served.intersection((code, *kb.descendants(code)))} == set()


@pytest.mark.parametrize(
    "category",
    [f"S{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 59)],
)
def test_every_ledger_category_has_one_head_material(kb, category):
    head = kb.category_head(category)
    assert head.category == category
    assert head.parent is None or kb.materials[head.parent].category != category


@pytest.mark.parametrize(
    "code",
    [
        "gbfs", "steel-slag", "bof-slag", "eaf-slag", "copper-slag", "coal-fly-ash-class-f", "coal-fly-ash-class-c",
        "bottom-ash", "coal-gangue", "iron-tailings", "copper-tailings", "fgd-gypsum", "phosphogypsum",
        "titanogypsum", "red-mud", "industrial-sludge", "carbide-slag", "pyrite-cinder", "gasification-slag",
        "waste-refractories", "foundry-sand", "lead-acid-battery", "waste-mineral-oil", "incineration-fly-ash",
        "spent-catalyst", "electroplating-sludge", "aluminium-dross", "nicd-battery", "retired-lfp-battery",
        "retired-ncm-battery", "steam-lp", "steam-mp", "steam-hp", "hot-water-high", "hot-water-low",
        "waste-heat-low-grade", "coke-oven-gas", "blast-furnace-gas", "converter-gas", "refinery-off-gas",
        "captured-co2", "byproduct-hydrogen", "treated-effluent", "cooling-water-blowdown", "fermentation-biomass",
        "spent-yeast", "distillers-grains", "food-residues", "sewage-sludge", "digestate", "biomethane",
        "retired-ev-battery", "pv-module", "wind-turbine-blade", "scrap-steel", "scrap-copper", "scrap-aluminium",
        "waste-paper", "waste-plastics",
    ],
)
def test_required_material_kinds_exist(kb, code):
    assert code in kb.materials


@pytest.mark.parametrize(
    ("route_id", "material", "sector"),
    [
        ("fly-ash-cement-admixture", "coal-fly-ash", "3011"),
        ("fly-ash-concrete", "coal-fly-ash-class-f", "3021"),
        ("fly-ash-class-c-concrete", "coal-fly-ash-class-c", "3021"),
        ("fly-ash-aac-bricks", "coal-fly-ash", "3031"),
        ("fly-ash-aac-bricks", "coal-fly-ash", "3024"),
        ("fgd-gypsum-plasterboard", "fgd-gypsum", "3024"),
        ("fgd-gypsum-cement-retarder", "fgd-gypsum", "3011"),
        ("gbfs-ggbs-grinding", "gbfs", "3011"),
        ("steel-slag-powder", "steel-slag", "3011"),
        ("steel-slag-cement-raw-meal", "steel-slag", "3011"),
        ("steel-slag-road-aggregate", "steel-slag", "4812"),
        ("copper-slag-cement-iron-corrective", "copper-slag", "3011"),
        ("coal-gangue-fired-bricks", "coal-gangue", "3031"),
        ("coal-gangue-cfb-power", "coal-gangue", "4411"),
        ("carbide-slag-cement-raw-meal", "carbide-slag", "3011"),
        ("carbide-slag-fgd-absorbent", "carbide-slag", "4411"),
        ("red-mud-cement-raw-meal", "red-mud", "3011"),
        ("phosphogypsum-building-plaster", "phosphogypsum", "3012"),
        ("phosphogypsum-cement-retarder", "phosphogypsum", "3011"),
        ("cog-methanol", "coke-oven-gas", "2614"),
        ("cog-hydrogen-psa", "coke-oven-gas", "2619"),
        ("bfg-power", "blast-furnace-gas", "4411"),
        ("converter-gas-chemicals", "converter-gas", "2614"),
        ("refinery-off-gas-hydrogen", "refinery-off-gas", "2511"),
        ("co2-food-dry-ice", "captured-co2", "2619"),
        ("co2-greenhouse", "captured-co2", "0141"),
        ("hydrogen-fuel-cell-vehicles", "byproduct-hydrogen", "5266"),
        ("lp-steam-process-heat", "steam-lp", "2614"),
        ("hot-water-district-heating", "hot-water-high", "4430"),
        ("reclaimed-water-cooling", "treated-effluent", "4411"),
        ("spent-yeast-feed-additive", "spent-yeast", "1495"),
        ("distillers-grains-feed", "distillers-grains", "1329"),
        ("sewage-sludge-kiln-coprocessing", "sewage-sludge", "3011"),
        ("ev-battery-cascade-storage", "retired-ev-battery", "3841"),
        ("ev-battery-material-recovery", "retired-ev-battery", "4210"),
        ("ev-battery-material-recovery", "retired-ev-battery", "7724"),
        ("lead-acid-battery-secondary-lead", "lead-acid-battery", "3212"),
        ("waste-oil-re-refining", "waste-mineral-oil", "2511"),
        ("incineration-fly-ash-kiln", "incineration-fly-ash", "3011"),
        ("spent-catalyst-metal-recovery", "spent-catalyst", "7724"),
        ("aluminium-dross-recovery", "aluminium-dross", "3216"),
        ("scrap-steel-eaf", "scrap-steel", "3120"),
        ("pv-module-recycling", "pv-module", "4220"),
        ("wind-blade-cement-kiln", "wind-turbine-blade", "3011"),
        ("waste-paper-paper-mill", "waste-paper", "2221"),
    ],
)
def test_required_routes_exist(kb, route_id, material, sector):
    route = next(route for route in kb.routes if route.id == route_id)
    assert material in route.materials
    # a route may name the class itself or a group or division above it
    assert any(sector.startswith(code) for code in route.user_sectors)


# ----------------------------------------------------------------------------- consistency


def test_route_sectors_exist_in_the_sector_table(kb):
    sectors = load_sectors()
    missing = {(route.id, sector) for route in kb.routes for sector in route.user_sectors if sector not in sectors}
    assert missing == set()


def test_every_route_figure_is_sourced_or_estimated(kb):
    for route in kb.routes:
        covered = set(route.estimate) | {name for source in route.sources for name in source.fields}
        if route.replaces.price_source != "estimate":
            covered.add("replaces.price")
        else:
            covered.add("replaces.price")
        assert set(FIGURE_FIELDS) <= covered, route.id
        assert route.sources, route.id
        assert all(limit.standard for limit in route.quality_limits), route.id


def test_every_material_cites_a_source(kb):
    assert all(material.sources for material in kb.materials.values())


def test_hazardous_materials_carry_valid_codes_and_need_permits(kb):
    hazardous = [material for material in kb.materials.values() if material.hazardous]
    assert {material.category for material in hazardous} >= {"HW08", "HW17", "HW18", "HW31", "HW48", "HW49", "HW50"}
    for material in hazardous:
        assert material.hw_codes, material.code
        for code in material.hw_codes:
            assert re.fullmatch(r"\d{3}-\d{3}-\d{2}", code)
            assert 1 <= int(code[-2:]) <= 50
            assert material.category == f"HW{code[-2:]}"
        assert material.receiver_licence == "hw_permit"
        assert all(route.receiver_licence == "hw_permit" for route in kb.routes_for(material.code)), material.code


def test_hw_permit_routes_take_only_hazardous_materials(kb):
    for route in kb.routes:
        if route.receiver_licence == "hw_permit":
            assert all(kb.materials[code].hazardous for code in route.materials), route.id


def test_lead_acid_battery_code(kb):
    assert kb.materials["lead-acid-battery"].hw_codes == ("900-052-31",)


@pytest.mark.parametrize("code", ["retired-ev-battery", "retired-lfp-battery", "retired-ncm-battery"])
def test_lithium_ion_batteries_are_not_hazardous_but_need_a_listing(kb, code):
    battery = kb.materials[code]
    assert not battery.hazardous
    assert battery.hw_codes == ()
    assert battery.receiver_licence == "battery_any"
    licences = {route.receiver_licence for route in kb.routes_for(code)}
    assert licences and licences <= {"battery_cascade", "battery_recycling"}


def test_battery_routes_cover_cascade_and_recycling(kb):
    licences = {route.receiver_licence for route in kb.routes_for("retired-lfp-battery")}
    assert licences == {"battery_cascade", "battery_recycling"}


@pytest.mark.parametrize(
    ("code", "bulk"),
    [
        ("coal-fly-ash", True), ("coal-gangue", True), ("tailings", True), ("gbfs", True), ("steel-slag", True),
        ("fgd-gypsum", True), ("phosphogypsum", True), ("red-mud", True), ("bottom-ash", True),
        ("ggbs", False), ("scrap-steel", False), ("crop-straw", False), ("coke-oven-gas", False),
    ],
)
def test_bulk_flag(kb, code, bulk):
    assert kb.materials[code].bulk is bulk


def test_synonyms_map_to_one_material(kb):
    from matching.knowledge.text import lookup_key

    owners: dict[str, str] = {}
    for material in kb.materials.values():
        for name in (material.code, material.name_zh, material.name_en, *material.synonyms_zh, *material.synonyms_en):
            assert owners.setdefault(lookup_key(name), material.code) == material.code, name


def test_every_reference_is_listed_in_sources_md(kb):
    # SOURCES.md, plus a SOURCES-<topic>.md beside each topic's materials-<topic>.yaml
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(KNOWLEDGE_DIR.glob("SOURCES*.md")))
    assert all(f"**{ref_id}**" in text for ref_id in kb.references)


def test_routes_units_follow_their_materials(kb):
    for route in kb.routes:
        assert {kb.materials[code].unit for code in route.materials} == {route.unit}


# ----------------------------------------------------------------------------- helpers


def test_children_inherit_parent_routes_and_attributes(kb):
    parent_routes = {route.id for route in kb.routes_for("coal-fly-ash")}
    child_routes = {route.id for route in kb.routes_for("coal-fly-ash-class-f")}
    assert parent_routes < {route.id for route in kb.routes_for("coal-fly-ash-class-c")}
    assert parent_routes <= child_routes
    assert "fly-ash-class-c-concrete" not in parent_routes | child_routes
    assert "loi_pct" in {attribute.key for attribute in kb.quality_attributes("coal-fly-ash-class-f")}


def test_consumers_and_substitutes(kb):
    assert {"3011", "3021", "3031", "3024"} <= kb.consumers("coal-fly-ash")
    assert "3120" in kb.consumers("scrap-steel")
    assert "natural gypsum" in [replaced.name_en for replaced in kb.substitutes("fgd-gypsum")]
    assert "cement clinker" in [replaced.name_en for replaced in kb.substitutes("gbfs")]


def test_substitutes_do_the_same_job_at_the_receiver(kb):
    # at a cement works slag stands in for fly ash as an admixture, and phosphogypsum for FGD gypsum as
    # retarder; a kind of fly ash is no substitute for fly ash, a want for fly ash takes it as such
    substitutes = acceptance_for(kb).substitutes
    assert "gbfs" in substitutes("coal-fly-ash", ("3011",))
    assert "coal-fly-ash-class-f" not in substitutes("coal-fly-ash", ("3011",))
    assert "phosphogypsum" in substitutes("fgd-gypsum", ("3011",))


def test_ancestors_and_descendants(kb):
    assert kb.ancestors("bof-slag") == ("steel-slag", "smelting-slag")
    assert "bof-slag" in kb.descendants("smelting-slag")
    with pytest.raises(UnknownMaterial, match="'nope'"):
        kb.ancestors("nope")


def test_transport_and_legacy_category(kb):
    route = next(route for route in kb.routes if route.id == "fly-ash-cement-admixture")
    # East-China practice: fly ash by road up to ~300 km, much farther by rail and barge (R132, R133)
    assert route.transport_km["road"] == 300
    assert route.max_radius_km == 1500
    assert route.transport_km["barge"] > route.transport_km["rail"] > route.transport_km["road"]
    assert kb.materials["coal-fly-ash"].legacy_category == "SW02"
    assert kb.materials["steam"].legacy_category is None


@pytest.mark.parametrize(
    ("limit", "measured", "allowed"),
    [
        (QualityLimit("loi_pct", "<=", 8.0, "GB/T 1596-2017"), 8.0, True),
        (QualityLimit("loi_pct", "<=", 8.0, "GB/T 1596-2017"), 8.1, False),
        (QualityLimit("specific_surface_m2_kg", ">=", 400, "GB/T 18046-2017"), 399, False),
        (QualityLimit("grade", "in", ("S95", "S105"), "GB/T 18046-2017"), "S95", True),
        (QualityLimit("grade", "in", ("S95", "S105"), "GB/T 18046-2017"), "S75", False),
    ],
)
def test_quality_limit_allows(limit, measured, allowed):
    assert limit.allows(measured) is allowed


def test_default_knowledge_is_cached():
    assert load_knowledge() is load_knowledge()


def test_knowledge_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, matching.knowledge as k; k.load_knowledge(); "
        "print(any(m.split('.')[0] in ('flask', 'sqlalchemy') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True,
        env={"PYTHONPATH": str(root)},
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("code", "key", "canonical"),
    [
        ("fgd-gypsum", "free_water_pct", "free_water_pct"),
        ("fgd-gypsum", "moisture_pct", "free_water_pct"),
        ("steam-lp", "temp_c", "temperature_c"),
        ("copper-slag", "fe_pct", "tfe_pct"),
        ("coal-gangue", "calorific_mj_kg", "calorific_value_mj_kg"),
        ("distillers-grains", "crude_protein_pct", "crude_protein_pct"),  # inherited from food-residues
        ("retired-lfp-battery", "form", "format"),
        ("spent-scr-catalyst", "type", "catalyst_type"),
        # the attribute's own name, or the word plants write for it, with or without a unit
        ("sewage-sludge", "含水率", "moisture_pct"),
        ("warm-seawater", "温度", "temperature_c"),
        ("warm-seawater", "温度（℃）", "temperature_c"),
        ("sulphuric-acid", "浓度", "h2so4_pct"),
        ("sulphuric-acid", "浓度%", "h2so4_pct"),
        ("hot-water", "温度", "supply_temperature_c"),
        ("fgd-gypsum", "水分", "free_water_pct"),
        ("coal-fly-ash", "细度", "fineness_45um_pct"),
        ("coal-fly-ash", "LOI", "loi_pct"),
        ("captured-co2", "purity (%)", "purity_pct"),
        ("steam", "压力(MPa)", "pressure_mpa"),
    ],
)
def test_quality_attribute_by_key_alias_or_inheritance(kb, code, key, canonical):
    assert kb.quality_attribute(code, key).key == canonical


@pytest.mark.parametrize(("code", "key"), [("coal-fly-ash", "颜色"), ("coal-fly-ash", "浓度"), ("steam", "(MPa)")])
def test_a_word_that_names_no_attribute_of_the_material_is_still_unknown(kb, code, key):
    with pytest.raises(KnowledgeError, match="is not a quality attribute"):
        kb.quality_attribute(code, key)


def test_unknown_quality_attribute_names_the_field(kb):
    # "loi" alone is read as loi_pct (test above); a key that is neither a name nor a known word is not
    with pytest.raises(KnowledgeError, match="'loi_percent' is not a quality attribute of coal-fly-ash") as caught:
        kb.quality_attribute("coal-fly-ash", "loi_percent")
    assert caught.value.field == "quality"
    assert "loi_pct" in caught.value.suggestions


def test_route_limits_use_canonical_keys(kb):
    for route in kb.routes:
        for code in route.materials:
            keys = {attribute.key for attribute in kb.quality_attributes(code)}
            assert {limit.key for limit in route.quality_limits} <= keys, route.id


@pytest.mark.parametrize(
    ("code", "key", "kind"),
    [("coal-fly-ash", "class", "category"), ("coal-fly-ash", "loi_pct", "number"), ("scrap-steel", "grade", "text")],
)
def test_quality_attribute_kinds(kb, code, key, kind):
    assert kb.quality_attribute(code, key).kind == kind
