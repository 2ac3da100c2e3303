"""Couplings: every coupling type named from real plant pairs (GB/T 4754 codes of real plant types), the table's
checks, and the labels links carry through a run."""

import datetime as dt

import pytest

from matching.couplings import COUPLINGS_FILE, coupling_table, industry_of, link_coupling, load_coupling_table
from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.knowledge.routes import COUPLINGS
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()

# (what flows, the route's coupling, supplier's code, receiver's code, the coupling the link makes)
REAL_PAIRS = [
    ("mill scale, rolling mill -> ironworks sinter plant", "steel-building materials", "3130", "3110",
     "steel internal recycling"),
    ("converter gas, steelworks -> ironworks", "steel-chemical", "3120", "3110", "steel internal recycling"),
    ("blast-furnace gas, ironworks -> coal power plant", "steel-chemical", "3110", "4411", "steel-power energy cascade"),
    ("BFG, ironworks -> CHP plant", "energy cascade", "3110", "4412", "steel-power energy cascade"),
    ("coke-oven gas, integrated steelworks -> methanol plant", "steel-chemical", "3110", "2614", "steel-chemical"),
    ("coke-oven gas, independent coking plant -> methanol plant", "steel-chemical", "2521", "2614", "coal-chemical"),
    ("steam, coking plant -> methanol plant", "energy cascade", "2521", "2614", "energy cascade"),
    ("steam, steelworks -> chemical plant", "energy cascade", "3120", "2614", "energy cascade"),
    ("refinery off-gas, refinery -> organic chemicals", "chemical-chemical", "2511", "2614", "refining-chemical"),
    ("spent caustic, chemical plant -> refinery", "chemical-chemical", "2612", "2511", "refining-chemical"),
    ("by-product HCl, chlor-alkali -> PVC", "chemical-chemical", "2612", "2651", "chemical-chemical"),
    ("fly ash, coal power plant -> cement works", "power-building materials", "4411", "3011",
     "power-building materials"),
    ("FGD gypsum, CHP plant -> plasterboard works", "power-building materials", "4412", "3024",
     "power-building materials"),
    ("steel slag, steelworks -> cement works", "steel-building materials", "3120", "3011", "steel-building materials"),
    ("copper slag, copper smelter -> cement works", "nonferrous-building materials", "3211", "3011",
     "nonferrous-building materials"),
    ("coal gangue, coal mine -> brickworks", "mining-building materials", "0610", "3031", "mining-building materials"),
    ("iron tailings, iron mine -> aggregate plant", "mining-building materials", "0810", "3032",
     "mining-building materials"),
    ("carbide slag, PVC plant -> cement works", "chemical-building materials", "2651", "3011",
     "chemical-building materials"),
    ("gasification slag, coal-to-ammonia plant -> cement works", "coal-chemical", "2621", "3011",
     "chemical-building materials"),
    ("retired EV battery, NEV maker -> battery recycler", "battery make-recycle", "3612", "4210",
     "battery make-recycle"),
    ("cell scrap, Li-ion cell maker -> battery recycler", "metal recycling", "3841", "4210", "battery make-recycle"),
    ("recovered black mass, recycler -> cell maker", "battery make-recycle", "4210", "3841", "battery make-recycle"),
    ("retired EV battery, collector -> recycler", "battery make-recycle", "4210", "4220", "metal recycling"),
    ("drums, battery maker -> hazardous-waste works", "waste-to-resource", "3841", "7724", "waste-to-resource"),
    ("scrap steel, scrap yard -> steelworks", "metal recycling", "4210", "3120", "metal recycling"),
    ("treated effluent, sewage works -> power plant cooling", "water cascade", "4620", "4411", "water cascade"),
    ("brewers' grain, brewery -> pig farm", "agri-food-feed", "1513", "0313", "agri-food-feed"),
    ("bagasse, sugar mill -> biomass power plant", "food-energy", "1340", "4417", "food-energy"),
    ("incineration fly ash, waste-to-energy -> cement kiln", "municipal-industrial", "7820", "3011",
     "municipal-industrial"),
    ("paper sludge, paper mill -> brickworks", "forest-pulp-paper", "2221", "3031", "forest-pulp-paper"),
    ("coke-oven gas, gas trader -> methanol plant", "steel-chemical", "4210", "2614", "waste-to-resource"),
    ("fly ash, ash trader -> cement works", "power-building materials", "4220", "3011", "waste-to-resource"),
    ("spent caustic, chemical plant -> power plant", "chemical-chemical", "2612", "4411", "waste-to-resource"),
]


@pytest.mark.parametrize("flow, route_coupling, supplier, receiver, expected", REAL_PAIRS,
                         ids=[row[0] for row in REAL_PAIRS])
def test_a_link_between_real_plants_gets_the_coupling_of_their_industries(
        flow, route_coupling, supplier, receiver, expected):
    assert link_coupling(route_coupling, supplier, receiver) == expected


def test_the_table_covers_every_coupling_type():
    assert {row[-1] for row in REAL_PAIRS} == set(coupling_table().words)


def test_every_route_coupling_has_words_in_the_table():
    assert COUPLINGS <= set(coupling_table().words)
    assert {route.coupling for route in KB.routes} <= set(coupling_table().words)


def test_steel_chemical_only_when_the_receiver_makes_chemicals():
    steel = ("3110", "3120", "3130", "3140", "31")
    receivers = {"4411": "power", "3110": "steel", "3011": "building materials", "4210": "waste handling",
                 "1513": None}
    for supplier in steel:
        for receiver in receivers:
            assert link_coupling("steel-chemical", supplier, receiver) != "steel-chemical"


@pytest.mark.parametrize("code, industry", [
    ("3110", "steel"), ("4411", "power"), ("4430", "power"), ("2521", "coking"), ("2511", "refining"),
    ("2614", "chemical"), ("2710", "chemical"), ("2821", "chemical"), ("3011", "building materials"),
    ("3216", "nonferrous"), ("3841", "battery"), ("3612", "battery"), ("0610", "coal"), ("0810", "mining"),
    ("4210", "waste handling"), ("7724", "waste handling"), ("5191", "waste handling"), ("2542", "biomass fuel"),
    ("1513", None), (None, None),
])
def test_industry_by_longest_prefix(code, industry):
    assert industry_of(code) == industry


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["pairs"].append({"supplier": "steel", "receiver": "steel", "coupling": "friendship"}),
     "unknown coupling 'friendship'"),
    (lambda d: d["pairs"].append({"supplier": "steel", "receiver": "bakery", "coupling": "steel-chemical"}),
     "no code maps to industry 'bakery'"),
    (lambda d: d["industries"].update({"3x": "steel"}), "'3x' is not a GB/T 4754 code"),
    (lambda d: d["couplings"]["steel-chemical"].update(otherwise="nowhere"), "falls back to unknown coupling"),
    (lambda d: d["couplings"].update({"new": {"zh": "新"}}), "'new' needs zh and en words"),
])
def test_a_bad_table_is_refused_naming_the_entry(tmp_path, edit, message):
    import yaml

    data = yaml.safe_load(COUPLINGS_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "couplings.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_coupling_table(path)


def test_links_of_a_run_carry_the_coupling_of_their_sites():
    # Blast-furnace gas to a power plant and mill scale to an ironworks: the two labels the issue found wrong.
    sites = [Site("IRON", 117.00, 31.00, "3110"), Site("PWR", 117.02, 31.01, "4411"),
             Site("ROLL", 117.03, 31.02, "3130")]
    offers = [Offer("BFG", "IRON", "blast-furnace-gas", 1e8, price_cny=0.02),
              Offer("SCALE", "ROLL", "mill-scale", 5000.0, {"tfe_pct": 70.0, "oil_pct": 0.5}, 300.0)]
    wants = [Want("W1", "PWR", ("blast-furnace-gas",), 1e8), Want("W2", "IRON", ("mill-scale",), 5000.0)]
    links = run_matching(offers, wants, sites, KB.routes, options=MatchOptions(today=dt.date(2026, 3, 1)),
                         knowledge=KB).links
    assert {(link.offer_id, link.coupling) for link in links} == {
        ("BFG", "steel-power energy cascade"), ("SCALE", "steel internal recycling")}


def test_every_coupling_is_worded_in_the_explanations():
    from matching.explain import COUPLING_ZH

    assert {name: COUPLING_ZH.get(name) for name in coupling_table().words} == {
        name: zh for name, (zh, _) in coupling_table().words.items()}
