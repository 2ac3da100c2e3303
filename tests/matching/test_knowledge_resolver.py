"""How the resolver reads what people type: qualifiers, names inside longer text, and the hazard boundary.

Real listings carry grades, classes, discharge forms and remarks around the material name, in Chinese
or English, and park officers type streams from documented cases (Chinese parks, Kalundborg). Exact
names and synonyms are covered in test_knowledge_materials.py; this file covers the fallbacks.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from matching.knowledge import (
    AmbiguousMaterial,
    UnknownMaterial,
    resolve_material,
    resolve_material_text,
)
from matching.knowledge.containment import english_words
from matching.knowledge.qualifiers import split_qualifiers
from matching.knowledge.resolver import READINGS, read_material
from matching.knowledge.unclassified import unclassified_code


# ----------------------------------------------------------------------------- qualifiers


@pytest.mark.parametrize(
    ("text", "remainder", "quality"),
    [
        ("一级粉煤灰", "粉煤灰", {"grade": "I"}),
        ("二级粉煤灰", "粉煤灰", {"grade": "II"}),
        ("三级粉煤灰", "粉煤灰", {"grade": "III"}),
        ("Ⅰ级粉煤灰", "粉煤灰", {"grade": "I"}),
        ("Ⅱ级粉煤灰", "粉煤灰", {"grade": "II"}),
        ("Ⅲ级粉煤灰", "粉煤灰", {"grade": "III"}),
        ("II级粉煤灰", "粉煤灰", {"grade": "II"}),
        ("粉煤灰 2级", "粉煤灰", {"grade": "II"}),
        ("粉煤灰（Ⅰ级）", "粉煤灰", {"grade": "I"}),
        ("【二级】粉煤灰", "粉煤灰", {"grade": "II"}),
        ("F类粉煤灰", "粉煤灰", {"class": "F"}),
        ("C类Ⅱ级粉煤灰", "粉煤灰", {"class": "C", "grade": "II"}),
        ("干排粉煤灰", "粉煤灰", {}),
        ("湿排粉煤灰", "粉煤灰", {}),
        ("干粉煤灰", "粉煤灰", {}),
        ("Fly Ash (Class F)", "Fly Ash", {"class": "F"}),
        ("class-C fly ash", "fly ash", {"class": "C"}),
        ("F-class fly ash", "fly ash", {"class": "F"}),
        ("fly ash, grade II", "fly ash", {"grade": "II"}),
        ("Grade 1 fly ash", "fly ash", {"grade": "I"}),
        ("dry fly ash", "fly ash", {}),
        ("wet bottom ash", "bottom ash", {}),
        ("粉煤灰class F", "粉煤灰", {"class": "F"}),
        ("炉渣(锅炉)", "炉渣", {}),
        ("炉渣[锅炉]", "炉渣", {}),
    ],
)
def test_qualifiers_come_off_the_name(text, remainder, quality):
    found = split_qualifiers(text)
    assert found.found
    assert found.remainder == remainder
    assert dict(found.quality) == quality


@pytest.mark.parametrize("text", ["钢渣", "湿法脱硫石膏", "干法脱硫灰", "Classic ash", "wetland", "S95矿粉", "HW31"])
def test_words_that_only_look_like_qualifiers_stay(text):
    assert split_qualifiers(text).remainder == text


@pytest.mark.parametrize(
    ("first", "second"),
    [("Used Tyres", "used tire"), ("sulphur", "sulfur"), ("aluminium dross", "aluminum dross"),
     ("incinerator fly ash", "incineration fly ash"), ("desulphurisation gypsum", "desulfurization gypsum"),
     ("batteries", "battery")],
)
def test_english_words_fold_plurals_and_spellings(first, second):
    assert english_words(first) == english_words(second)


# ----------------------------------------------------------------------------- fallbacks that resolve


@pytest.mark.parametrize(
    ("text", "code", "quality", "how"),
    [
        # grades are quality values of coal fly ash (GB/T 1596)
        ("一级粉煤灰", "coal-fly-ash", {"grade": "I"}, "qualified"),
        ("II级粉煤灰", "coal-fly-ash", {"grade": "II"}, "qualified"),
        ("Ⅱ级粉煤灰", "coal-fly-ash", {"grade": "II"}, "qualified"),
        ("Ⅲ级粉煤灰", "coal-fly-ash", {"grade": "III"}, "qualified"),
        ("flyash grade II", "coal-fly-ash", {"grade": "II"}, "qualified"),
        ("II级粉煤灰(干排)", "coal-fly-ash", {"grade": "II"}, "qualified"),
        ("电厂粉煤灰 Ⅰ级", "coal-fly-ash", {"grade": "I"}, "qualified"),
        # a class picks the material that implies it, and the grade stays a quality value
        ("Fly Ash (Class F)", "coal-fly-ash-class-f", {}, "qualified"),
        ("F类II级粉煤灰", "coal-fly-ash-class-f", {"grade": "II"}, "qualified"),
        ("class C grade I fly ash", "coal-fly-ash-class-c", {"grade": "I"}, "qualified"),
        ("C类粉煤灰 二级", "coal-fly-ash-class-c", {"grade": "II"}, "qualified"),
        # form and remarks come off
        ("干排粉煤灰", "coal-fly-ash", {}, "qualified"),
        ("电厂湿排粉煤灰", "coal-fly-ash", {}, "qualified"),
        ("dry PFA", "coal-fly-ash", {}, "qualified"),
        ("干酒糟", "distillers-grains", {}, "qualified"),
        ("电镀污泥(含铬)", "electroplating-sludge", {}, "qualified"),
        ("废钢（重废）", "scrap-steel", {}, "qualified"),
        ("磷酸铁锂电池(梯次)", "retired-lfp-battery", {}, "qualified"),
        # a grade the material has no such attribute for is dropped, the material kept
        ("一级钢渣", "steel-slag", {}, "qualified"),
        # names inside longer text, Chinese
        ("电厂干排粉煤灰漂珠", "fly-ash-cenospheres", {}, "contained"),
        ("钢厂除尘灰", "iron-bearing-dust", {}, "contained"),
        ("焚烧飞灰螯合物", "incineration-fly-ash", {}, "contained"),
        ("脱硫石膏粉", "fgd-gypsum", {}, "contained"),
        ("三元锂电池包", "retired-ncm-battery", {}, "contained"),
        ("废旧磷酸铁锂电池模组", "retired-lfp-battery", {}, "contained"),
        ("高炉水渣微粉", "gbfs", {}, "contained"),
        # names inside longer text, English (plurals, spellings, word order)
        ("fly ash from Asnæs power station", "coal-fly-ash", {}, "contained"),
        ("FGD gypsum from coal power station", "fgd-gypsum", {}, "contained"),
        ("gypsum from desulfurization", "fgd-gypsum", {}, "contained"),
        ("MSW incinerator fly ash", "incineration-fly-ash", {}, "contained"),
        ("low pressure steam from CHP", "steam-lp", {}, "contained"),
        ("yeast slurry from insulin production", "spent-yeast", {}, "contained"),
        ("sulphur from the refinery Claus unit", "recovered-sulphur", {}, "contained"),
        ("waste cooking oil from restaurants", "used-cooking-oil", {}, "contained"),
        ("LFP retired battery", "retired-lfp-battery", {}, "contained"),
        ("used truck tyres", "waste-tyres", {}, "contained"),
        # an abbreviation in brackets settles an ambiguous word
        ("Ash (PFA)", "coal-fly-ash", {}, "contained"),
        ("spent SCR catalyst from a power plant", "spent-scr-catalyst", {}, "contained"),
    ],
)
def test_fallbacks_find_the_material_and_the_grade(kb, text, code, quality, how):
    found = resolve_material_text(text, knowledge=kb)
    assert (found.material.code, dict(found.quality), found.how) == (code, quality, how)
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(("text", "how"), [("粉煤灰", "name"), ("F类粉煤灰", "name"), ("S02", "code"),
                                           ("900-052-31", "code"), ("HW23", "code")])
def test_exact_names_and_codes_carry_no_quality(kb, text, how):
    found = resolve_material_text(text, knowledge=kb)
    assert (dict(found.quality), found.how) == ({}, how)


# ----------------------------------------------------------------------------- fallbacks that refuse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two unrelated materials named: a mixture, or a description naming a second stream
        ("钢渣粉煤灰混合料", {"steel-slag", "coal-fly-ash"}),
        ("steam and waste heat", {"steam", "waste-heat"}),
        # a name that means several things stays ambiguous however much text surrounds it
        ("垃圾焚烧厂飞灰", {"coal-fly-ash", "incineration-fly-ash"}),
        ("工业园区污泥", {"industrial-sludge", "sewage-sludge"}),
        ("湿灰", {"coal-fly-ash", "bottom-ash", "incineration-fly-ash"}),
        ("动力电池", {"lead-acid-battery", "retired-ev-battery"}),
        ("grade II slag", {"gbfs", "steel-slag"}),
        ("锰渣", {"electrolytic-manganese-residue", "ferroalloy-slag"}),
        ("fuel gas", {"refinery-off-gas", "coke-oven-gas", "blast-furnace-gas"}),
        ("白泥", {"ammonia-soda-residue", "lime-mud"}),    # soda-ash residue or pulp-mill lime mud
        ("white mud", {"ammonia-soda-residue", "lime-mud"}),
        ("锅炉灰", {"coal-fly-ash", "bottom-ash"}),         # grate cinder or collected fly ash
        # the hazard boundary: a non-hazardous name next to a hazardous one is never picked silently
        ("粉煤灰(含焚烧飞灰)", {"coal-fly-ash", "incineration-fly-ash"}),
        ("含废油粉煤灰", {"coal-fly-ash", "waste-mineral-oil"}),
        ("fly ash mixed with waste oil", {"coal-fly-ash", "waste-mineral-oil"}),
        ("石膏(含废酸)", {"fgd-gypsum", "waste-acid"}),
    ],
)
def test_text_naming_several_materials_is_ambiguous(kb, text, expected):
    with pytest.raises(AmbiguousMaterial, match="material") as caught:
        resolve_material_text(text, knowledge=kb)
    assert expected <= set(caught.value.candidates)


@pytest.mark.parametrize(
    ("text", "hazardous_suggestion"),
    [("粉煤灰（危废）", "incineration-fly-ash"), ("hazardous fly ash", "incineration-fly-ash"),
     ("危险废物 炉渣", None), ("粉煤灰 HW18", "incineration-fly-ash"), ("炉渣(772-002-18)", None)],
)
def test_text_that_says_hazardous_is_not_read_as_a_general_waste(kb, text, hazardous_suggestion):
    with pytest.raises(UnknownMaterial, match="says hazardous waste") as caught:
        resolve_material_text(text, knowledge=kb)
    assert all(kb.materials[code].hazardous for code in caught.value.suggestions)
    if hazardous_suggestion:
        assert hazardous_suggestion in caught.value.suggestions


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # hazardous names win over the general name they contain, never the other way round
        ("生活垃圾焚烧飞灰", "incineration-fly-ash"),
        ("垃圾焚烧飞灰固化物", "incineration-fly-ash"),
        ("电炉除尘灰", "eaf-dust"),
        ("炼钢电炉粉尘", "eaf-dust"),
        ("EAF baghouse dust", "eaf-dust"),
        ("废矿物油桶", "contaminated-packaging"),
        # and general names that contain a hazardous-looking word stay general
        ("铬铁渣", "ferroalloy-slag"),
        ("碱渣", "ammonia-soda-residue"),
        ("垃圾焚烧炉渣", "msw-incineration-bottom-ash"),
    ],
)
def test_containment_keeps_hazardous_and_general_apart(kb, text, code):
    found = resolve_material(text, knowledge=kb)
    assert found.code == code
    assert found.hazardous == kb.materials[code].hazardous


@pytest.mark.parametrize("text", ["水泥", "渣土车", "unobtainium", "gradeless", "()"])
def test_text_with_no_known_name_stays_unknown(kb, text):
    # single characters (水, 热, 渣) are not looked for inside longer words
    with pytest.raises(UnknownMaterial):
        resolve_material_text(text, knowledge=kb)


@pytest.mark.parametrize("name", ["matching.knowledge.qualifiers", "matching.knowledge.containment",
                                  "matching.knowledge.resolver", "matching.knowledge.knowledge_base",
                                  "matching.knowledge.models", "matching.knowledge.text"])
def test_docstring_examples_run(name):
    failures, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0


# ----------------------------------------------------------------------------- the added materials


@pytest.mark.parametrize(
    ("text", "code", "category", "hw_code"),
    [
        ("电炉粉尘", "eaf-dust", "HW23", "312-001-23"),       # HW23 zinc-bearing waste, not HW48
        ("铬渣", "chromium-slag", "HW21", "261-041-21"),
        ("废活性炭", "spent-activated-carbon", "HW49", "900-039-49"),
        ("废碱", "waste-alkali", "HW35", "251-015-35"),
        ("废溶剂", "waste-organic-solvent", "HW06", "900-402-06"),
        ("精馏残渣", "distillation-residue", "HW11", "900-013-11"),
        ("废树脂", "spent-ion-exchange-resin", "HW13", "900-015-13"),
        ("废电路板", "waste-pcb", "HW49", "900-045-49"),
        ("废硫酸", "spent-sulphuric-acid", "HW34", "261-057-34"),
        ("spent pot lining", "spent-pot-lining", "HW48", "321-023-48"),
        ("aluminium dross", "aluminium-dross", "HW48", "321-024-48"),
    ],
)
def test_hazardous_additions_carry_their_list_codes(kb, text, code, category, hw_code):
    material = resolve_material(text, knowledge=kb)
    assert (material.code, material.category, material.hazardous) == (code, category, True)
    assert hw_code in material.hw_codes
    assert resolve_material(hw_code, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("text", "code", "category"),
    [
        ("餐厨垃圾", "food-waste", "ORGANIC"), ("地沟油", "used-cooking-oil", "ORGANIC"),
        ("UCO", "used-cooking-oil", "ORGANIC"), ("废轮胎", "waste-tyres", "S17"), ("废橡胶", "waste-rubber", "S17"),
        ("镁渣", "magnesium-slag", "S01"), ("电解锰渣", "electrolytic-manganese-residue", "S01"),
        ("建筑垃圾", "construction-demolition-waste", "EOL"), ("石粉", "stone-powder", "S59"),
        ("粉煤灰漂珠", "fly-ash-cenospheres", "S02"), ("氧化铁皮", "mill-scale", "S01"),
        ("高炉瓦斯灰", "iron-bearing-dust", "S01"), ("硫酸铵", "ammonium-sulphate", "S16"),
        ("glycerol", "crude-glycerol", "S16"), ("糖蜜", "molasses", "S13"), ("bagasse", "bagasse", "ORGANIC"),
        ("稻壳", "rice-husk", "ORGANIC"), ("sawdust", "waste-wood", "S17"), ("sulfur", "recovered-sulphur", "S16"),
        ("电子废物", "weee", "EOL"), ("废旧家电", "weee", "EOL"), ("柠檬酸石膏", "citrogypsum", "S11"),
        ("印染污泥", "textile-dyeing-sludge", "S07"), ("废旧锂电池", "retired-ev-battery", "EOL"),
        ("磷酸铁锂电池", "retired-lfp-battery", "EOL"), ("三元锂电池", "retired-ncm-battery", "EOL"),
        ("废光伏组件", "pv-module", "EOL"), ("glass cullet", "waste-glass", "S17"),
        # the Guitang sugar complex's streams (R65)
        ("滤泥", "sugar-filter-mud", "S13"), ("filter mud", "sugar-filter-mud", "S13"),
        ("press mud", "sugar-filter-mud", "S13"), ("酒精废液", "vinasse", "ORGANIC"),
        ("糖蜜酒精废液", "vinasse", "ORGANIC"), ("vinasse", "vinasse", "ORGANIC"), ("spent wash", "vinasse", "ORGANIC"),
        ("lime mud", "lime-mud", "S15"), ("碱回收白泥", "lime-mud", "S15"), ("造纸白泥", "lime-mud", "S15"),
    ],
)
def test_general_additions_are_not_hazardous(kb, text, code, category):
    material = resolve_material(text, knowledge=kb)
    assert (material.code, material.category, material.hazardous) == (code, category, False)
    assert kb.routes_for(code)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("碱渣", "废碱"),            # ammonia-soda residue (general) / spent caustic (HW35)
        ("铬铁渣", "铬渣"),          # ferrochrome slag (general) / chromate residue (HW21)
        ("电炉渣", "电炉粉尘"),      # EAF slag (general) / EAF dust (HW23)
        ("除尘灰", "电炉除尘灰"),    # blast-furnace and sinter dust / EAF dust
        ("废油", "废食用油"),        # waste mineral oil (HW08) / used cooking oil
        ("炉渣", "焚烧炉渣"),        # coal bottom ash / MSW-incineration bottom ash
        ("焚烧炉渣", "焚烧飞灰"),    # general bottom ash / hazardous fly ash of the same plant
        ("废酸", "废硫酸"),          # pickling acid / spent sulphuric acid
        ("food waste", "food processing residues"),
        ("碱渣", "碱回收白泥"),      # soda-ash residue / pulp-mill lime mud, both called 白泥
        ("糖蜜", "糖蜜废液"),        # molasses / the spent wash left after fermenting it
        ("酒糟", "酒精废液"),        # distillers' grains (solid) / distillery spent wash (liquid)
        ("waste oil", "waste cooking oil"),
    ],
)
def test_names_that_mean_different_things_stay_apart(kb, first, second):
    assert resolve_material(first, knowledge=kb).code != resolve_material(second, knowledge=kb).code


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        # the classic Kalundborg exchanges (R61), as an officer would type them
        ("fly ash", "3011"), ("FGD gypsum", "3024"), ("process steam", "2614"), ("refinery gas", "2614"),
        ("sulphur", "2611"), ("yeast slurry", "1329"), ("fermentation sludge", "2625"),
        ("warm water", "0412"), ("low-grade waste heat", "0412"), ("biogas", "4417"),
    ],
)
def test_kalundborg_exchanges_resolve_and_reach_their_users(kb, text, sector):
    material = resolve_material(text, knowledge=kb)
    assert sector in kb.consumers(material.code)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        # the Guitang exchanges (R65, R67), as Guigang staff would type them
        ("蔗渣", "2212"), ("bagasse", "4417"), ("废糖蜜", "1511"), ("滤泥", "2625"), ("press mud", "3011"),
        ("酒精废液", "2624"), ("spent wash", "4520"), ("碱回收白泥", "3011"), ("lime mud", "4411"), ("锅炉炉渣", "3011"),
    ],
)
def test_guitang_exchanges_resolve_and_reach_their_users(kb, text, sector):
    material = resolve_material(text, knowledge=kb)
    assert sector in kb.consumers(material.code)


def test_white_mud_names_both_of_its_meanings(kb):
    with pytest.raises(AmbiguousMaterial) as caught:
        resolve_material("白泥", knowledge=kb)
    assert set(caught.value.candidates) == {"ammonia-soda-residue", "lime-mud"}


def test_implied_values_follow_the_material(kb):
    assert kb.implied_quality("retired-ncm-battery") == {"chemistry": "NCM"}
    assert kb.implied_quality("retired-lfp-battery") == {"chemistry": "LFP"}
    assert kb.implied_quality("coal-fly-ash-class-f") == {"class": "F"}
    assert kb.implied_quality("spent-sulphuric-acid") == {"acid_type": "H2SO4"}
    assert kb.implied_quality("retired-ev-battery") == {}
    # so the HCl-only regeneration route, inherited from waste-acid, never takes spent sulphuric acid
    hcl_only = next(route for route in kb.routes if route.id == "waste-acid-regeneration")
    assert hcl_only in kb.routes_for("spent-sulphuric-acid")
    assert not next(limit for limit in hcl_only.quality_limits if limit.key == "acid_type").allows("H2SO4")


# ----------------------------------------------------------------------------- the open-vocabulary reading


@pytest.mark.parametrize(
    ("text", "code", "kinds"),
    [
        ("石膏", "byproduct-gypsum", {"fgd-gypsum", "phosphogypsum", "byproduct-gypsum-other"}),
        ("gypsum", "byproduct-gypsum", {"fgd-gypsum", "phosphogypsum"}),
        ("工业副产石膏", "byproduct-gypsum", {"titanogypsum", "citrogypsum"}),
        ("污泥", "sludge-any-kind", {"industrial-sludge", "sewage-sludge", "biochemical-sludge"}),
        ("Sludge", "sludge-any-kind", {"industrial-sludge", "sewage-sludge"}),
        ("industrial wastewater", "wastewater-any-kind", {"treated-effluent", "cooling-water-blowdown"}),
        ("废水", "wastewater-any-kind", {"treated-effluent"}),
        ("冶炼渣", "smelting-slag", {"gbfs", "steel-slag", "copper-slag"}),
        ("scrap metal", "metal-scrap-any-kind", {"scrap-steel", "scrap-copper", "scrap-aluminium"}),
        ("废金属", "metal-scrap-any-kind", {"scrap-steel", "scrap-aluminium"}),
    ],
)
def test_a_generic_name_is_the_generic_material_with_every_kind_under_it(kb, text, code, kinds):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how, reading.unclassified) == (code, "generic", False)
    assert 0 < reading.confidence < 1
    assert kinds <= set(kb.descendants(code))
    assert not kb.materials[code].hazardous


def test_generic_materials_hold_no_hazardous_kind(kb):
    for code in kb._index.generic:
        assert not any(kb.materials[kind].hazardous for kind in kb.descendants(code)), code


@pytest.mark.parametrize(
    ("text", "hazardous", "safe"),
    [
        ("飞灰", "incineration-fly-ash", "coal-fly-ash"),
        ("灰", "incineration-fly-ash", "bottom-ash"),
        ("ash", "incineration-fly-ash", "coal-fly-ash"),
        ("废电池", "lead-acid-battery", "retired-ev-battery"),
        ("粉煤灰(含焚烧飞灰)", "incineration-fly-ash", "coal-fly-ash"),
        ("含废油粉煤灰", "waste-mineral-oil", "coal-fly-ash"),
    ],
)
def test_a_name_whose_readings_differ_in_hazard_reads_as_the_hazardous_one(kb, text, hazardous, safe):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how, reading.possibly_hazardous) == (hazardous, "possibly_hazardous", True)
    assert kb.materials[reading.code].hazardous
    assert safe in reading.suggestions   # the person confirming sees the safe reading too


@pytest.mark.parametrize("text", ["危废污泥", "hazardous sludge", "粉煤灰（危废）", "危险废物 炉渣"])
def test_text_that_says_hazardous_is_never_read_as_a_general_material(kb, text):
    reading = read_material(text, knowledge=kb)
    assert reading.code is None or kb.materials[reading.code].hazardous
    if reading.code is None:
        assert reading.how == "unclassified"
        assert any(kb.materials[code].hazardous for code in reading.suggestions)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("纸塑边料", "waste-paper"), ("煤气", "coke-oven-gas"), ("白泥", "lime-mud"),
     ("某某厂特种残渣ZX-9", None)],
)
def test_an_unknown_or_truly_ambiguous_name_is_unclassified_with_suggestions(kb, text, suggested):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how, reading.confidence) == (None, "unclassified", 0.0)
    assert reading.engine_code == unclassified_code(text) == reading.name_code
    if suggested:
        assert suggested in reading.suggestions
    assert all(code in kb.materials for code in reading.suggestions)


@pytest.mark.parametrize(
    ("text", "code", "how"),
    [("PFA", "coal-fly-ash", "exact"), ("441-001-S02", "coal-fly-ash", "exact"), ("Ⅱ级粉煤灰", "coal-fly-ash", "qualifier"),
     ("垃圾焚烧飞灰固化物", "incineration-fly-ash", "contained"), ("电镀污泥", "electroplating-sludge", "exact"),
     ("盐石膏", "byproduct-gypsum-other", "exact")],
)
def test_known_names_keep_their_reading(kb, text, code, how):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how) == (code, how)
    assert reading.how in READINGS and reading.confidence >= 0.7


@pytest.mark.parametrize("text", ["900-999-49", "HW49", "261-084-45"])
def test_a_well_formed_hazardous_code_the_knowledge_base_lacks_is_kept_unclassified(kb, text):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how) == (None, "unclassified")
    assert all(kb.materials[code].hazardous for code in reading.suggestions)


def test_learned_synonyms_are_read_first(kb):
    learned = {unclassified_code("Kraft sack offcuts"): "waste-paper"}
    assert read_material("kraft-sack offcut", knowledge=kb, learned=learned).code == "waste-paper"
    assert read_material("kraft sack offcuts", knowledge=kb).code is None
    # a learned name for a material the knowledge base no longer has is ignored, not trusted
    assert read_material("kraft sack offcuts", knowledge=kb, learned={unclassified_code("kraft sack offcuts"): "gone"}).code is None


@pytest.mark.parametrize("text", ["", "   ", "---", "S08", "S60", "HW51", "900-999-99"])
def test_empty_text_and_malformed_codes_stay_errors(kb, text):
    with pytest.raises(UnknownMaterial, match="material"):
        read_material(text, knowledge=kb)
