"""Units as plants write them, and conversions to the material's own unit (matching/knowledge/units.py)."""
from __future__ import annotations

import doctest
import re

import pytest

from matching import types as engine
from matching.knowledge import load_knowledge
from matching.knowledge.entries import read_yaml
from matching.knowledge.units import UNITS_FILE, UnitError, parse_unit, stored_unit, units_per


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.mark.parametrize(("text", "unit", "period", "multiplier"), [
    ("t/yr", "t", "yr", 1), ("吨/年", "t", "yr", 1), ("t/a", "t", "yr", 1), ("万吨/年", "t", "yr", 10_000),
    ("万t/a", "t", "yr", 10_000), ("kt/yr", "t", "yr", 1000), ("t/month", "t", "month", 1), ("吨/天", "t", "day", 1),
    ("GJ/yr", "GJ", "yr", 1), ("万GJ/年", "GJ", "yr", 10_000), ("MWh/a", "MWh", "yr", 1), ("万千瓦时/月", "kWh", "month", 10_000),
    ("m³/yr", "m3", "yr", 1), ("立方米/天", "m3", "day", 1), ("Nm3/yr", "Nm3", "yr", 1), ("万标方/年", "Nm3", "yr", 10_000),
    ("ＧＪ／ｙｒ", "GJ", "yr", 1), (" t / yr ", "t", "yr", 1), ("吨", "t", "yr", 1), (None, "t", "yr", 1),
    # flows and loads: per hour, counted at the operating hours of a year
    ("t/h", "t", "h", 1), ("Nm³/h", "Nm3", "h", 1), ("蒸吨/小时", "t", "h", 1), ("MW", "MWh", "h", 1),
    ("万标方/时", "Nm3", "h", 10_000), ("tpa", "t", "yr", 1), ("Mtpa", "t", "yr", 1_000_000),
])
def test_units_as_plants_write_them(text, unit, period, multiplier):
    written = parse_unit(text)
    assert (written.unit, written.period, written.multiplier) == (unit, period, multiplier)


@pytest.mark.parametrize("text", ["barrels/yr", "t/week", "kg/fortnight", "furlongs", "MW/yr"])
def test_unknown_units_are_refused_naming_the_field(text):
    with pytest.raises(UnitError, match="unknown unit") as caught:
        parse_unit(text)
    assert caught.value.field == "unit"


@pytest.mark.parametrize(("code", "unit", "per_unit"), [
    ("coal-fly-ash", "kg", 0.001),                  # one quantity, another size
    ("waste-heat", "MWh", 3.6),                     # 1 MWh = 3.6 GJ (R306)
    ("waste-heat", "kWh", 0.0036),
    ("treated-effluent", "t", 1.0),                 # water: 1 t is 1 m3
    ("wastewater-any-kind", "t", 1.0),              # a generic water material has the family's conversion
])
def test_conversions_true_of_the_material_or_its_family(kb, code, unit, per_unit):
    assert units_per(code, unit, knowledge=kb) == pytest.approx(per_unit)


def test_steam_converts_by_its_pressure_level_and_gases_by_their_density(kb):
    # The factors are the materials' own (conversions: in materials*.yaml); a tonne of steam is a few GJ,
    # a tonne of CO2 several hundred Nm3, a tonne of hydrogen about eleven thousand.
    gj_per_t = {code: 1 / units_per(code, "GJ", knowledge=kb) for code in ("steam-lp", "steam-mp", "steam-hp")}
    assert all(2.5 < value < 3.6 for value in gj_per_t.values())
    assert gj_per_t["steam-lp"] <= gj_per_t["steam-hp"]
    assert 450 < 1 / units_per("captured-co2", "Nm3", knowledge=kb) < 560
    assert 10_000 < units_per("byproduct-hydrogen", "t", knowledge=kb) < 12_000


@pytest.mark.parametrize(("code", "unit"), [("coal-fly-ash", "GJ"), ("coal-fly-ash", "m3"), ("byproduct-gypsum", "Nm3"),
                                            ("hot-water", "Nm3")])
def test_a_unit_of_another_kind_without_a_conversion_is_an_error(kb, code, unit):
    with pytest.raises(UnitError, match="cannot be converted") as caught:
        units_per(code, unit, knowledge=kb)
    assert caught.value.field == "unit" and caught.value.suggestions == (kb.materials[code].unit,)


def test_quantities_without_a_material_are_stored_in_the_base_unit_of_their_kind():
    assert stored_unit("kg") == ("t", 0.001) and stored_unit("MJ") == ("GJ", 0.001) and stored_unit("L") == ("m3", 0.001)
    assert stored_unit("Nm3") == ("Nm3", 1.0)


def test_every_factor_cites_a_source_that_exists(kb):
    raw = read_yaml(UNITS_FILE)
    for item in [*raw["exact"], *raw["families"]]:
        source = str(item["source"])
        if re.fullmatch(r"R\d{2,3}", source):
            assert source in kb.references, source
        else:
            assert "definition" in source or "SI" in source, source


def test_stored_units_are_the_engines():
    assert {stored_unit(unit)[0] for unit in ("t", "kg", "GJ", "MJ", "MWh", "kWh", "m3", "L", "Nm3")} \
        <= {"t", "GJ", "MWh", "m3", "Nm3"}
    assert engine.Permit(codes=("HW34",), capacity_t=100).covers("HW34")


def test_docstring_examples_run():
    import matching.knowledge.units as units

    failures, _ = doctest.testmod(units, optionflags=doctest.ELLIPSIS)
    assert failures == 0
