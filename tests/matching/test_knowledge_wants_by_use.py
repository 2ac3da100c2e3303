"""Wants plants write by use or as alternatives, and ash whose kind is not stated: water for ash sluicing and FGD,
gas for a dryer, heat carried in cooling water, "compound or organic fertiliser", boiler ash.

The names here are made up in the shapes plants use, not copied from any documented case."""

from __future__ import annotations

import pytest

from matching.acceptance import Acceptance
from matching.knowledge.resolver import read_material, resolve_material_text, split_alternatives
from matching.knowledge.errors import AmbiguousMaterial
from matching.knowledge.units import units_per


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("复合肥或有机肥", "fertiliser"),                       # the broader one: a want takes what either takes
        ("有机肥料/复混肥料", "fertiliser"),
        ("NPK fertiliser or organic fertilizer", "fertiliser"),
        ("class F fly ash / fly ash", "coal-fly-ash"),
        ("粉煤灰或F类粉煤灰", "coal-fly-ash"),
    ],
)
def test_a_want_naming_alternatives_takes_what_any_of_them_takes(kb, text, code):
    reading = read_material(text, knowledge=kb, kind="want")
    assert reading.code == code
    assert len(reading.alternatives) == 2 and code in reading.alternatives
    acceptance = Acceptance(kb)
    for each in reading.alternatives:
        assert acceptance.accepted(each) <= acceptance.accepted(reading.code)


def test_unrelated_alternatives_are_kept_each_and_join_nothing(kb):
    reading = read_material("fly ash or gypsum", knowledge=kb, kind="want")
    assert reading.code is None and set(reading.alternatives) == {"coal-fly-ash", "byproduct-gypsum"}


@pytest.mark.parametrize("text", ["ore concentrate", "粉煤灰", "orange peel", "sludge for organic fertiliser", "1/2 inch chips"])
def test_a_name_without_alternatives_is_not_split(text):
    assert len(split_alternatives(text)) == 1


def test_an_offer_naming_alternatives_is_read_as_before(kb):
    assert read_material("复合肥/有机肥", knowledge=kb, kind="offer").alternatives == ()


@pytest.mark.parametrize(
    "text",
    ["water for ash sluicing", "make-up water for the FGD", "water for dust suppression and ash handling",
     "dust suppression water", "冲灰、除尘用水", "水用于冲灰和湿式除尘", "电厂脱硫、冲渣用水", "脱硫工艺水"],
)
def test_a_want_for_water_by_a_low_grade_use(kb, text):
    reading = read_material(text, knowledge=kb, kind="want")
    assert reading.code == "low-grade-process-water"
    accepted = Acceptance(kb).accepted("low-grade-process-water")
    assert {"wastewater-any-kind", "treated-effluent", "cooling-water-blowdown"} <= accepted


def test_raw_wastewater_serves_only_the_low_grade_uses(kb):
    acceptance = Acceptance(kb)
    assert "wastewater-any-kind" not in acceptance.accepted("process-water")
    assert "wastewater-any-kind" not in acceptance.accepted("demineralised-water")
    assert "wastewater-any-kind" not in acceptance.accepted("cooling-water")
    assert "saline-wastewater" not in acceptance.accepted("low-grade-process-water")  # the category is a catch-all


@pytest.mark.parametrize(
    "text",
    ["gas for drying tiles", "fuel gas for the dryer", "gas for the kiln burners", "燃料气", "fuel gas",
     "干燥用燃气", "gas for heating the ovens"],
)
def test_a_want_for_gas_by_its_use_is_a_want_for_fuel_gas(kb, text):
    reading = read_material(text, knowledge=kb, kind="want")
    assert reading.code == "gaseous-fuel"
    assert {"refinery-off-gas", "coke-oven-gas", "biogas"} <= Acceptance(kb).accepted("gaseous-fuel")


def test_fuel_gas_offered_stays_ambiguous(kb):
    assert read_material("fuel gas", knowledge=kb, kind="offer").code is None
    assert read_material("燃料气", knowledge=kb, kind="offer").code is None


def test_a_want_for_fuel_gas_may_be_counted_in_gj(kb):
    assert units_per("gaseous-fuel", "GJ", knowledge=kb) == pytest.approx(1 / 0.0346)


@pytest.mark.parametrize(
    ("text", "accepts"),
    [
        ("surplus heat in the cooling water of the power station for eel farming", "hot-water-low"),
        ("heat in cooling water for greenhouses", "hot-water-low"),
        ("warm cooling water for fish farming", "hot-water-low"),
        ("冷却水余热用于水产养殖", "hot-water-low"),
        ("低温余热用于养殖", "hot-water-low"),  # a want for low-grade heat takes warm water, its carrier
    ],
)
def test_heat_carried_in_cooling_water_is_warm_water(kb, text, accepts):
    reading = read_material(text, knowledge=kb, kind="want")
    assert reading.code is not None
    assert accepts in Acceptance(kb).accepted(reading.code)


@pytest.mark.parametrize(
    "text",
    ["boiler ash", "boiler ash from firing wood chips and rejects", "ash from the boiler", "ash from the boilers",
     "锅炉灰", "锅炉灰渣", "combustion ash"],
)
def test_ash_of_unstated_kind_is_boiler_ash_not_hazardous(kb, text):
    reading = read_material(text, knowledge=kb)
    assert reading.code == "boiler-ash-any-kind" and not reading.possibly_hazardous
    assert 0.5 < reading.confidence < 1
    assert not kb.materials["boiler-ash-any-kind"].hazardous


def test_boiler_ash_goes_to_cement_raw_meal(kb):
    acceptance = Acceptance(kb)
    assert "boiler-ash-any-kind" in acceptance.accepted("cement-raw-material")
    # a cement works asking for sewage sludge ash (a clay substitute) takes boiler ash as a substitute
    assert "boiler-ash-any-kind" in acceptance.substitutes("sewage-sludge-ash", ("3011",))
    assert "boiler-ash-any-kind" not in acceptance.accepted("coal-fly-ash")  # fly ash grades are not met unsaid


@pytest.mark.parametrize("text", ["ash from hazardous waste incineration", "MSW incinerator fly ash", "垃圾焚烧飞灰"])
def test_words_naming_incineration_keep_the_hazardous_reading(kb, text):
    reading = read_material(text, knowledge=kb)
    assert reading.code is None or kb.materials[reading.code].hazardous


def test_a_coal_plants_boiler_ash_is_still_its_fly_ash(kb):
    assert read_material("锅炉灰", knowledge=kb, sectors=("4412",)).code == "coal-fly-ash"
    with pytest.raises(AmbiguousMaterial):
        resolve_material_text("boiler ash", knowledge=kb)  # the strict reading still asks which
