"""What a receiver asks for: products served by routes, and the units a material may be counted in.

A plant posts a want for what it would replace (fertiliser, animal feed, fuel, process water); routes that
``serve`` it make their residue acceptable to that want. Materials state conversions to other units (steam
t and GJ by pressure level, gases Nm3 and t by density, water m3 and t).
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from matching.engine import run_matching
from matching.knowledge import KnowledgeError, load_knowledge, resolve_material
from matching.types import MatchOptions, Offer, Site, Want
from tests.matching.test_knowledge_loader import MATERIALS, ROUTES, _material, _route_by_id, _write
from tests.matching.knowledge_checks import accepted

KB = load_knowledge()
TODAY = dt.date(2026, 11, 1)


def code(text: str) -> str:
    return resolve_material(text, knowledge=KB).code


# --------------------------------------------------------------------------- names plants write


@pytest.mark.parametrize(("text", "expected"), [
    ("fertiliser", "fertiliser"), ("肥料", "fertiliser"), ("有机肥原料", "organic-fertiliser-feedstock"),
    ("animal feed", "animal-feed"), ("饲料", "animal-feed"), ("pig feed", "animal-feed"),
    ("燃料", "fuel"), ("alternative fuel", "fuel"), ("raw material for cement", "cement-raw-material"),
    ("水泥原料", "cement-raw-material"), ("骨料", "aggregate"), ("soil conditioner", "soil-conditioner"),
    ("process water", "process-water"), ("除盐水", "demineralised-water"), ("淡化海水", "desalinated-water"),
    ("cooling water", "cooling-water"), ("温排海水", "warm-seawater"), ("reclaimed water", "treated-effluent"),
    ("smelter acid", "smelter-sulphuric-acid"), ("sulphuric acid", "sulphuric-acid"), ("盐酸", "hydrochloric-acid"),
    ("液碱", "caustic-soda"), ("氨水", "ammonia-water"), ("氧气", "oxygen"), ("nitrogen", "nitrogen"),
    ("ammonium thiosulphate", "ammonium-thiosulphate"), ("fluorosilicic acid", "fluorosilicic-acid"),
    ("浓盐水", "desalination-brine"), ("苦卤", "salt-bittern"), ("制盐母液", "salt-mother-liquor"),
    ("脱溴卤水", "debrominated-brine"), ("HP steam", "steam-hp"), ("liquid CO2", "captured-co2"),
    ("氯气", "chlorine"), ("一氧化碳", "carbon-monoxide"), ("合成气", "syngas"), ("原盐", "raw-salt"),
    ("蒸氨废液", "ammonia-soda-waste-liquor"), ("liquid sulphur dioxide", "sulphur-dioxide"), ("液氨", "ammonia"),
    ("二级出水", "secondary-effluent"), ("secondary treated wastewater", "secondary-effluent"), ("余热水", "hot-water"), ("硫酸装置余热蒸汽", "steam"),
    ("天然气", "gaseous-fuel"), ("natural gas", "gaseous-fuel"), ("surplus electricity", "electricity"),
    ("含盐废水", "saline-wastewater"), ("盐水", "brine"),
])
def test_names_of_utilities_chemicals_brines_and_products(text, expected):
    assert code(text) == expected


def test_by_product_chemicals_are_not_hazardous_but_their_spent_forms_are():
    for product in ("sulphuric-acid", "smelter-sulphuric-acid", "hydrochloric-acid", "caustic-soda", "ammonia-water"):
        assert not KB.materials[product].hazardous
    assert KB.materials[code("废硫酸")].category == "HW34"
    # dilute acid is most often spent acid: read as hazardous until a plant says otherwise
    assert KB.materials[code("稀硫酸")].hazardous
    assert not KB.materials[code("硫酸亚铁")].hazardous
    assert KB.materials[code("废盐酸")].category == "HW34"
    assert KB.materials[code("spent caustic")].category == "HW35"


# --------------------------------------------------------------------------- what a want for a product accepts


@pytest.mark.parametrize(("product", "residues"), [
    ("fertiliser", {"digestate", "ammonium-sulphate", "ammonium-thiosulphate", "vinasse"}),
    ("animal-feed", {"brewers-spent-grain", "distillers-grains", "spent-yeast"}),
    ("fuel", {"waste-tyres", "waste-wood", "bagasse", "coal-gangue"}),
    ("gaseous-fuel", {"refinery-off-gas", "biogas", "blast-furnace-gas", "coke-oven-gas"}),
    ("fertiliser", {"ammonium-sulphate", "ammonium-thiosulphate"}),
    ("cement-raw-material", {"coal-fly-ash", "gbfs", "fgd-gypsum", "carbide-slag", "red-mud"}),
    ("cement-admixture", {"coal-fly-ash", "ggbs"}),
    ("aggregate", {"steel-slag", "construction-demolition-waste"}),
    ("process-water", {"treated-effluent", "desalinated-water", "demineralised-water"}),
    ("cooling-water", {"treated-effluent"}),
    ("demineralised-water", {"steam-condensate"}),
    # a heat network asking for heat as hot water takes recovered heat through its heat pumps (Harjavalta)
    ("hot-water", {"waste-heat", "waste-heat-low-grade"}),
])
def test_a_want_for_a_product_accepts_the_residues_routes_send_there(product, residues):
    taken = accepted(KB, product)
    assert product in taken
    assert residues <= taken
    # every accepted residue is measured in the product's unit: a want is matched in one unit
    assert {KB.materials[each].unit for each in taken} == {KB.materials[product].unit}


def test_acceptance_does_not_run_backwards_or_sideways():
    # a want for digestate does not take ammonium sulphate, nor a want for a retarder take fly ash
    assert "ammonium-sulphate" not in accepted(KB, "digestate")
    assert "coal-fly-ash" not in accepted(KB, "cement-retarder")
    assert "fgd-gypsum" in accepted(KB, "cement-retarder")
    # a want for the stream itself still takes the kinds under it
    assert {"steam-lp", "steam-mp", "steam-hp"} <= set(accepted(KB, "steam"))
    assert "fertiliser" in KB.serves("ammonium-thiosulphate")


def test_an_offer_written_by_its_use_goes_to_the_products_users():
    # "recycled aggregate" or 过期饲料 (expired feed) is offered by what it is fit for: the product's own route
    # takes it to its natural users, never a route that serves the product (those are for the residues)
    products = [m for m in KB.materials.values() if m.category == "PRODUCT"]
    assert {m.family for m in products} == {"product"}
    for product in products:
        assert KB.routes_for(product.code), product.code
        assert not any(product.code in route.serves for route in KB.routes_for(product.code))
    sites = [Site("DEMO", 117.20, 31.80, "4813"), Site("MIX", 117.22, 31.81, "3021"), Site("FURN", 117.21, 31.80, "2110")]
    result = run_matching([Offer("O1", "DEMO", code("recycled aggregate"), 5000.0)], [], sites, KB.routes,
                          knowledge=KB, options=MatchOptions(today=TODAY, latent=True))
    assert {link.receiver_site_id for link in result.links} == {"MIX"}


SITES = [
    Site("BIOGAS", 117.20, 31.80, "4520"), Site("FARM", 117.24, 31.82, "0111"),
    Site("BREWERY", 117.30, 31.85, "1513"), Site("PIGS", 117.33, 31.86, "0313"),
    Site("REFINERY", 117.10, 31.70, "2511"), Site("KILN", 117.12, 31.71, "3011"),
    Site("WWTP", 117.40, 31.90, "4620"), Site("DYEHOUSE", 117.42, 31.91, "1713"),
]


@pytest.mark.parametrize(("offer", "want"), [
    (Offer("O-dig", "BIOGAS", "digestate", 5000.0), Want("W-fert", "FARM", ("fertiliser",), 5000.0)),
    (Offer("O-bsg", "BREWERY", "brewers-spent-grain", 8000.0), Want("W-feed", "PIGS", ("animal-feed",), 8000.0)),
    (Offer("O-gas", "REFINERY", "refinery-off-gas", 1e6), Want("W-gas", "KILN", ("gaseous-fuel",), 1e6)),
    (Offer("O-water", "WWTP", "treated-effluent", 2e5), Want("W-water", "DYEHOUSE", ("process-water",), 2e5)),
])
@pytest.mark.parametrize("allow_substitutes", [True, False])
def test_a_product_want_is_served_directly(offer, want, allow_substitutes):
    result = run_matching([offer], [want], SITES, KB.routes, knowledge=KB,
                          options=MatchOptions(today=TODAY, allow_substitutes=allow_substitutes))
    [link] = result.links
    assert (link.offer_id, link.want_id, link.receiver_site_id) == (offer.id, want.id, want.site_id)
    assert link.quantity == offer.quantity
    assert link.net_benefit_cny > 0


def test_a_product_want_takes_nothing_unrelated():
    offers = [Offer("O-slag", "KILN", "steel-slag", 5000.0)]
    wants = [Want("W-fert", "FARM", ("fertiliser",), 5000.0)]
    assert not run_matching(offers, wants, SITES, KB.routes, knowledge=KB, options=MatchOptions(today=TODAY)).links


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(("material", "unit", "expected"), [
    ("steam-lp", "GJ", 1 / 2.7), ("steam-mp", "GJ", 1 / 3.1), ("steam-hp", "GJ", 1 / 3.4), ("steam", "GJ", 1 / 2.8),
    ("steam-lp", "MWh", 3.6 / 2.7), ("captured-co2", "Nm3", 1 / 506), ("captured-co2", "kg", 0.001),
    ("byproduct-hydrogen", "t", 1000 / 0.0899), ("oxygen", "kg", 1 / 1.429), ("treated-effluent", "t", 1.0),
    ("desalination-brine", "t", 1 / 1.05), ("hot-water", "MWh", 3.6), ("coal-fly-ash", "kg", 0.001),
    ("hot-water", "t", 1 / 8.0), ("hot-water-low", "t", 1 / 12.0),   # water cooled by ~30 K / ~20 K (estimates)
])
def test_units_per(material, unit, expected):
    assert KB.units_per(material, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("material", "unit"), [("coal-fly-ash", "m3"), ("steam", "Nm3"), ("hot-water", "Nm3")])
def test_a_unit_with_no_conversion_names_the_field(material, unit):
    with pytest.raises(KnowledgeError, match=f"{unit} cannot be converted") as caught:
        KB.units_per(material, unit)
    assert caught.value.field == "unit"


# --------------------------------------------------------------------------- the data files' checks


def _product(code_: str, unit: str = "t", **changes) -> dict:
    product = {
        "code": code_, "name_zh": "测试肥料", "name_en": "test fertiliser", "family": "product", "category": "PRODUCT",
        "unit": unit, "hazardous": False, "receiver_licence": "none", "bulk": False,
        "sources": [{"ref": "R01", "what": "test"}],
    }
    product.update(changes)
    return product


def _with_product(**changes) -> dict:
    materials = copy.deepcopy(MATERIALS)
    materials["materials"].append(_product("test-product", **changes))
    return materials


def _serving(serves) -> dict:
    routes = copy.deepcopy(ROUTES)
    _route_by_id(routes, "ash-cement")["serves"] = serves
    return routes


def test_serves_and_conversions_load(tmp_path):
    materials = _with_product()
    _material(materials, "test-ash")["conversions"] = {"m3": 0.8}
    kb = load_knowledge(_write(tmp_path, materials=materials, routes=_serving(["test-product"])))
    assert accepted(kb, "test-product") == {"test-product", "test-ash", "test-ash-fine"}
    # the child states no conversion of its own: it counts in m3 as its parent does
    assert kb.units_per("test-ash-fine", "m3") == pytest.approx(1 / 0.8)
    assert kb.routes[0].serves == ("test-product",)


@pytest.mark.parametrize(("serves", "message"), [
    (["nope"], "unknown material 'nope'"),
    (["test-ash"], "route's own material"),
    (["test-oil"], "hazardous waste"),
])
def test_bad_serves_names_route_and_field(tmp_path, serves, message):
    directory = _write(tmp_path, materials=_with_product(), routes=_serving(serves))
    with pytest.raises(KnowledgeError, match=rf"route 'ash-cement': field serves: .*{message}") as caught:
        load_knowledge(directory)
    assert (caught.value.entry, caught.value.field) == ("ash-cement", "serves")


def test_a_route_serves_only_a_material_of_its_unit(tmp_path):
    directory = _write(tmp_path, materials=_with_product(unit="Nm3"), routes=_serving(["test-product"]))
    with pytest.raises(KnowledgeError, match=r"field serves: test-product is measured in Nm3, the route in t"):
        load_knowledge(directory)


@pytest.mark.parametrize(("conversions", "message"), [
    ({"barrel": 7.3}, "'barrel' is not one of"),
    ({"t": 1.0}, "the material's own unit"),
    ({"m3": 0}, "positive number"),
    ({"m3": True}, "positive number"),
    ([1, 2], "must be a mapping"),
])
def test_bad_conversions_name_material_and_field(tmp_path, conversions, message):
    materials = copy.deepcopy(MATERIALS)
    _material(materials, "test-ash")["conversions"] = conversions
    with pytest.raises(KnowledgeError, match=rf"material 'test-ash': field conversions: .*{message}"):
        load_knowledge(_write(tmp_path, materials=materials))


@pytest.mark.parametrize("changes", [{"family": "organic"}, {"category": "ORGANIC"}])
def test_products_and_only_they_are_family_product(tmp_path, changes):
    with pytest.raises(KnowledgeError, match=r"material 'test-product': field family: products, and only they"):
        load_knowledge(_write(tmp_path, materials=_with_product(**changes)))

