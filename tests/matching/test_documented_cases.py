"""Documented exchanges the engine must find from the partners' own words.

Kalundborg (Jacobsen 2006, reference R61 of the knowledge base): the power station's fly ash, FGD
gypsum, steam and warm water, the refinery's gas and sulphur, the pharmaceutical plant's yeast slurry
and fermentation sludge. The partners are placed a few kilometres apart (the engine does not care
where on Earth), each with its GB/T 4754 sector; materials are given as a plant would type them.
"""
import datetime as dt

import pytest

from matching.engine import run_matching
from matching.knowledge import load_knowledge, resolve_material
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()


def material(text: str) -> str:
    return resolve_material(text, knowledge=KB).code


def links_by_pair(offers, wants, sites) -> dict:
    """A latent-mode run's links by (offer, receiving site)."""
    result = run_matching(offers, wants, sites, KB.routes, knowledge=KB,
                          options=MatchOptions(today=dt.date(2026, 11, 24), latent=True))
    return {(link.offer_id, link.receiver_site_id): link for link in result.links}


def assert_reaches(links: dict, offer: str, receivers: set[str]) -> None:
    found = {receiver for (offer_id, receiver) in links if offer_id == offer}
    assert found & receivers, f"{offer} went to {sorted(found) or 'nobody'}, not to any of {sorted(receivers)}"


def assert_served_and_explained(links: dict, pairs) -> None:
    for pair in pairs:
        link = links[pair]
        assert not link.latent and link.net_benefit_cny > 0
        assert link.explanation_zh and link.explanation_en


@pytest.fixture(scope="module")
def kalundborg():
    sites = [Site("ASNAES", 117.20, 31.80, "4411", park="K"), Site("GYPROC", 117.22, 31.81, "3024", park="K"),
             Site("CEMENT", 117.30, 31.85, "3011"), Site("REFINERY", 117.18, 31.79, "2511", park="K"),
             Site("NOVO", 117.21, 31.78, "2761", park="K"), Site("ACID", 117.25, 31.83, "2611"),
             Site("FISH", 117.19, 31.81, "0412", park="K"), Site("PIGS", 117.35, 31.90, "0313"),
             Site("FARM", 117.33, 31.75, "0111")]
    offers = [Offer("fly-ash", "ASNAES", material("fly ash"), 80_000.0),
              Offer("gypsum", "ASNAES", material("FGD gypsum"), 200_000.0),
              Offer("steam", "ASNAES", material("process steam"), 500_000.0),
              Offer("warm-water", "ASNAES", material("warm water"), 300_000.0),
              Offer("refinery-gas", "REFINERY", material("refinery gas"), 50_000.0),
              Offer("sulphur", "REFINERY", material("sulphur"), 20_000.0),
              Offer("yeast", "NOVO", material("yeast slurry"), 30_000.0),
              Offer("sludge", "NOVO", material("fermentation sludge"), 100_000.0)]
    wants = [Want("w-gypsum", "GYPROC", (material("FGD gypsum"),), 150_000.0),
             Want("w-fly-ash", "CEMENT", (material("fly ash"),), 60_000.0),
             Want("w-steam-novo", "NOVO", (material("steam"),), 300_000.0),
             Want("w-steam-refinery", "REFINERY", (material("steam"),), 100_000.0)]
    return links_by_pair(offers, wants, sites)


@pytest.mark.parametrize(("offer", "receivers"), [
    ("fly-ash", {"CEMENT"}),
    ("gypsum", {"GYPROC"}),
    ("steam", {"NOVO", "REFINERY"}),
    ("warm-water", {"FISH"}),
    ("refinery-gas", {"GYPROC", "ASNAES"}),
    ("sulphur", {"ACID"}),
    ("yeast", {"PIGS"}),
    ("sludge", {"FARM", "PIGS"}),
])
def test_kalundborg_exchanges_are_found(kalundborg, offer, receivers):
    assert_reaches(kalundborg, offer, receivers)


def test_posted_wants_are_served_and_explained(kalundborg):
    assert_served_and_explained(kalundborg, [("gypsum", "GYPROC"), ("fly-ash", "CEMENT"), ("steam", "NOVO"),
                                             ("steam", "REFINERY")])


def test_saleable_sulphur_is_not_sent_to_a_kiln_at_a_gate_fee(kalundborg):
    assert ("sulphur", "CEMENT") not in kalundborg


# Guitang (Zhu, Lowe, Wei & Barnes 2007, reference R65): the sugar refinery's bagasse to the pulp mill and
# the boilers, its molasses to the alcohol plant, the alcohol plant's spent wash to the compound-fertiliser
# plant, filter mud (its own and a neighbouring mill's) to fertiliser or cement, the pulp mill's lime mud
# (白泥 of alkali recovery) to the cement plant, and boiler cinder to cement (R67). Typed as Guigang staff would.
@pytest.fixture(scope="module")
def guitang():
    sites = [Site("SUGAR", 109.60, 23.10, "1340", park="G"), Site("PULP", 109.62, 23.11, "2212", park="G"),
             Site("ALCOHOL", 109.61, 23.09, "1511", park="G"), Site("FERT", 109.63, 23.08, "2624", park="G"),
             Site("CEMENT", 109.66, 23.12, "3011", park="G"), Site("BOILERS", 109.60, 23.11, "4430", park="G"),
             Site("MILL2", 109.55, 23.05, "1340")]
    offers = [Offer("bagasse", "SUGAR", material("蔗渣"), 600_000.0),
              Offer("molasses", "SUGAR", material("废糖蜜"), 60_000.0),
              Offer("filter-mud", "SUGAR", material("press mud"), 40_000.0),
              Offer("filter-mud-2", "MILL2", material("滤泥"), 20_000.0),
              Offer("vinasse", "ALCOHOL", material("糖蜜酒精废液"), 150_000.0),
              Offer("lime-mud", "PULP", material("碱回收白泥"), 35_000.0),
              Offer("cinder", "BOILERS", material("锅炉炉渣"), 20_000.0)]
    wants = [Want("w-bagasse", "PULP", (material("sugarcane bagasse"),), 400_000.0),
             Want("w-molasses", "ALCOHOL", (material("molasses"),), 50_000.0),
             Want("w-vinasse", "FERT", (material("酒精废液"),), 300_000.0),
             Want("w-lime-mud", "CEMENT", (material("lime mud"),), 100_000.0)]
    return links_by_pair(offers, wants, sites)


@pytest.mark.parametrize(("offer", "receivers"), [
    ("bagasse", {"PULP"}),
    ("bagasse", {"BOILERS"}),
    ("molasses", {"ALCOHOL"}),
    ("vinasse", {"FERT"}),
    ("filter-mud", {"FERT", "CEMENT"}),
    ("filter-mud-2", {"FERT", "CEMENT"}),
    ("lime-mud", {"CEMENT"}),
    ("cinder", {"CEMENT"}),
])
def test_guitang_exchanges_are_found(guitang, offer, receivers):
    assert_reaches(guitang, offer, receivers)


def test_guitang_posted_wants_are_served_and_explained(guitang):
    assert_served_and_explained(guitang, [("bagasse", "PULP"), ("molasses", "ALCOHOL"), ("vinasse", "FERT"),
                                          ("lime-mud", "CEMENT")])


def test_pulp_mill_lime_mud_is_not_offered_where_soda_ash_residue_goes(guitang):
    # 白泥 of a pulp mill is not the chloride-laden 碱渣 of a soda-ash works: it reaches cement as lime mud
    assert guitang[("lime-mud", "CEMENT")].route_id == "lime-mud-cement-raw-meal"
