"""Descriptive names plants write: "<stream> as/for/from <use or origin>", Chinese compounds that name their
stream last, wants read by their use; the streams and units those names brought in (sewage sludge ash, metal
scrap of any kind, coal middlings, purge gas, digester feedstock, gas densities, warm water in m3).

The names here are made up in the shapes plants use, not copied from any documented case."""

from __future__ import annotations

import pytest

from matching.acceptance import Acceptance
from matching.knowledge.resolver import read_material, split_phrase
from matching.knowledge.units import units_per


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FGD gypsum for plasterboard making", "fgd-gypsum"),
        ("fly ash used as concrete admixture", "coal-fly-ash"),
        ("pulverised fuel ash for brick production", "coal-fly-ash"),
        ("steam to the dye house", "steam"),
        ("waste heat from the glass furnace", "waste-heat"),
        ("bagasse as boiler fuel", "bagasse"),
        ("copper scrap removed from cable stripping", "scrap-copper"),
        ("sulfur for fertiliser production", "recovered-sulphur"),
        ("粉煤灰用于水泥生产", "coal-fly-ash"),
        ("废塑料作为高炉还原剂", "waste-plastics"),
        ("脱硫石膏用作水泥缓凝剂", "fgd-gypsum"),
    ],
)
def test_the_head_of_a_descriptive_name_is_the_stream(kb, text, code):
    reading = read_material(text, knowledge=kb)
    assert (reading.code, reading.how) == (code, "contained")
    assert 0.5 < reading.confidence < 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("metal parts removed from shredded furniture", "metal-scrap-any-kind"),  # not furniture waste
        ("metals separated from incinerator bottom ash", "metal-scrap-any-kind"),
        ("sludge from the municipal sewage works", "sewage-sludge"),  # the origin makes the generic head precise
        ("gypsum from flue gas desulphurisation", "fgd-gypsum"),
    ],
)
def test_a_name_in_the_origin_does_not_replace_the_head(kb, text, code):
    assert read_material(text, knowledge=kb).code == code


def test_names_in_a_use_are_never_the_stream_of_an_offer(kb):
    assert split_phrase("leftover residues for biogas").use
    offer = read_material("leftover residues for biogas", knowledge=kb, kind="offer")
    assert offer.code is None and offer.unclassified


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("leftover residues for biogas", "digester-feedstock"),
        ("mixed organic leftovers for anaerobic digestion", "digester-feedstock"),
        ("剩余物料用于沼气发酵", "digester-feedstock"),
        ("assorted residues for use as fuel", "fuel"),
        ("other residues for fertiliser", "fertiliser"),
        ("各类残余物用作燃料", "fuel"),
    ],
)
def test_a_want_whose_stream_names_nothing_is_read_by_its_use(kb, text, product):
    reading = read_material(text, knowledge=kb, kind="want")
    assert reading.code == product and kb.materials[product].category == "PRODUCT"
    assert reading.how == "contained" and reading.confidence < 0.7


def test_a_use_naming_no_product_leaves_the_want_unclassified(kb):
    assert read_material("odd residues for the harbour works", knowledge=kb, kind="want").unclassified


@pytest.mark.parametrize(
    ("text", "code"),
    [("高炉煤气余热", "waste-heat"), ("合成氨驰放气", "synthesis-purge-gas"), ("焦化煤气甲醇弛放气", "synthesis-purge-gas"),
     ("洗煤厂沫煤", "coal-middlings")],
)
def test_a_chinese_compound_names_its_stream_last(kb, text, code):
    assert read_material(text, knowledge=kb).code == code


@pytest.mark.parametrize("text", ["钢渣粉煤灰混合料", "粉煤灰、钢渣", "粉煤灰和钢渣"])
def test_a_chinese_mixture_or_list_is_not_read_by_its_last_name(kb, text):
    assert read_material(text, knowledge=kb).code is None


@pytest.mark.parametrize(
    "text", ["sewage sludge ash", "incinerated sewage sludge ash from the sludge centre", "污泥焚烧灰渣", "SSA"]
)
def test_sewage_sludge_ash_is_its_own_non_hazardous_stream(kb, text):
    reading = read_material(text, knowledge=kb)
    assert reading.code == "sewage-sludge-ash"
    assert not kb.materials["sewage-sludge-ash"].hazardous
    assert "sewage-sludge-ash" in Acceptance(kb).accepted("cement-raw-material")


@pytest.mark.parametrize(
    ("text", "code"),
    [("生活垃圾焚烧飞灰", "incineration-fly-ash"), ("MSW incinerator fly ash", "incineration-fly-ash"),
     ("waste oil from garages", "waste-mineral-oil")],
)
def test_a_hazardous_reading_stays_where_the_words_say_so(kb, text, code):
    reading = read_material(text, knowledge=kb)
    assert reading.code == code and kb.materials[code].hazardous


@pytest.mark.parametrize("text", ["sewage sludge incineration fly ash", "incineration ash"])
def test_an_incineration_fly_ash_not_said_to_be_sludge_ash_stays_possibly_hazardous(kb, text):
    reading = read_material(text, knowledge=kb)
    assert reading.possibly_hazardous and kb.materials[reading.code].hazardous


def test_text_saying_hazardous_gets_no_safe_head_reading(kb):
    reading = read_material("hazardous sludge from the plating line", knowledge=kb)
    assert reading.code is None or kb.materials[reading.code].hazardous


@pytest.mark.parametrize(
    ("text", "code"),
    [("slack coal", "coal-middlings"), ("洗中煤", "coal-middlings"), ("scrap iron", "scrap-steel"),
     ("compound fertilizer", "fertiliser"), ("NPK fertiliser", "fertiliser"), ("复混肥料", "fertiliser"),
     ("plastic packaging waste", "waste-plastics"), ("waste PET bottles", "waste-plastics"),
     ("废塑料瓶", "waste-plastics"), ("spent yeast cream", "spent-yeast"), ("甲醇弛放气", "synthesis-purge-gas"),
     ("wastewater treatment plant sludge", "sewage-sludge"), ("污水处理厂污泥", "sewage-sludge")],
)
def test_names_plants_use(kb, text, code):
    assert read_material(text, knowledge=kb).code == code


def test_what_wants_for_the_new_streams_take(kb):
    acceptance = Acceptance(kb)
    assert "coal-middlings" in acceptance.accepted("coal-gangue")  # a want for low-calorific washery fuel
    assert {"scrap-steel", "scrap-copper", "scrap-aluminium"} <= acceptance.accepted("metal-scrap-any-kind")
    assert {"spent-yeast", "manure", "vinasse", "sewage-sludge"} <= acceptance.accepted("digester-feedstock")
    assert "metal-scrap-any-kind" not in acceptance.accepted("scrap-steel")  # a kind unstated is not steel


@pytest.mark.parametrize(
    ("code", "unit", "low", "high"),
    [
        ("vinasse", "m3", 1.02, 1.14),             # t per m3: its specific weight
        ("hot-water-low", "m3", 1 / 14, 1 / 10),   # GJ per m3 of warm water giving up ~20 K
        ("hot-water", "m3", 1 / 10, 1 / 6),
        ("refinery-off-gas", "t", 1000 / 1.0, 1000 / 0.6),  # Nm3 per t of a 0.6-1.0 kg/Nm3 gas
        ("biogas", "t", 1000 / 1.3, 1000 / 1.1),
        ("biomethane", "t", 1000 / 0.8, 1000 / 0.7),
        ("biomethane", "m3", 0.93, 1.0),           # a gas written in m3 is counted as normal m3
        ("coke-oven-gas", "m3", 0.93, 1.0),
    ],
)
def test_units_plants_use_for_these_streams_convert(kb, code, unit, low, high):
    assert low <= units_per(code, unit, knowledge=kb) <= high
