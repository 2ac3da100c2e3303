"""Unclassified streams (``name:`` pseudo-codes): accepted, matched by name only, priced from the listings."""

import datetime as dt
import math

import pytest

from matching.engine import run_matching
from matching.errors import MatchingError
from matching.knowledge.loader import load_knowledge
from matching.knowledge.unclassified import unclassified_code
from matching.types import Agreement, MatchOptions, Offer, Permit, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
LAT = 31.0
WHEY = unclassified_code("whey")


def east(km: float) -> float:
    return 117.0 + km / (111.195 * math.cos(math.radians(LAT)))


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


def dairy_and_farms():
    sites = [Site("DAIRY", 117.0, LAT, "1441", name="乳品厂", name_en="Dairy"),
             Site("PIGS", east(20.0), LAT, "0313", name="养猪场", name_en="Pig farm"),
             Site("FAR", east(60.0), LAT, "0313"), Site("OTHER", east(5.0), LAT, "0313")]
    offers = [Offer("O1", "DAIRY", WHEY, 3000.0, price_cny=20.0, material_name="Whey")]
    wants = [Want("W1", "PIGS", (WHEY,), 2000.0, max_price_cny=80.0),
             Want("W2", "FAR", (unclassified_code("wheys"),), 5000.0, max_price_cny=80.0),
             Want("W3", "OTHER", (unclassified_code("waste cardboard"),), 5000.0, max_price_cny=80.0)]
    return offers, wants, sites


def test_an_unclassified_offer_goes_only_to_wants_naming_the_same_stream():
    result = run(*dairy_and_farms())
    assert {l.want_id: l.quantity for l in result.links} == {"W1": 2000.0, "W2": 1000.0}
    link = next(l for l in result.links if l.want_id == "W1")
    assert link.route_id is None and link.mode == "road" and link.unit == "t" and not link.latent
    # Net benefit from the prices given: 80 − 20 − road transport (0.45 CNY/t·km over the road distance).
    assert link.net_benefit_cny_per_unit == pytest.approx(60.0 - 0.45 * link.road_km)
    assert link.net_benefit_cny == pytest.approx(link.net_benefit_cny_per_unit * 2000.0)
    assert link.co2_avoided_t == 0.0 and link.coupling is None
    assert "matched by name only" in link.explanation_en and "not yet classified" in link.explanation_en
    assert "“Whey”" in link.explanation_en and "Dairy" in link.explanation_en
    assert "仅按名称匹配" in link.explanation_zh and "尚未归类" in link.explanation_zh


def test_latent_mode_adds_no_receiver_for_an_unclassified_stream():
    offers, wants, sites = dairy_and_farms()
    plain, latent = run(offers, wants, sites), run(offers, wants, sites, latent=True)
    assert [(l.want_id, l.quantity) for l in latent.links] == [(l.want_id, l.quantity) for l in plain.links]
    assert not any(l.latent for l in latent.links)


def test_a_want_farther_than_the_default_radius_is_not_reached():
    offers, wants, sites = dairy_and_farms()
    beyond = 101.0 / 1.3  # great-circle km whose road distance is just over 100 km
    sites[2] = Site("FAR", east(beyond), LAT, "0313")
    result = run(offers, wants, sites)
    assert [l.want_id for l in result.links] == ["W1"]
    wider = run(offers, wants, sites, unclassified_radius_km=150.0)
    assert sorted(l.want_id for l in wider.links) == ["W1", "W2"]


def test_without_both_prices_the_value_is_unknown_and_the_link_is_still_proposed():
    offers, wants, sites = dairy_and_farms()
    wants = [Want("W1", "PIGS", (WHEY,), 2000.0)]
    result = run([Offer("O1", "DAIRY", WHEY, 3000.0)], wants, sites)
    link = result.links[0]
    assert link.net_benefit_cny_per_unit == pytest.approx(-0.45 * link.road_km)
    assert "value is unknown" in link.explanation_en and "效益无法估算" in link.explanation_zh


def test_a_loss_from_the_prices_given_is_dropped_as_uneconomic_and_a_price_above_the_ceiling_as_price():
    offers, wants, sites = dairy_and_farms()
    wants = [Want("W1", "PIGS", (WHEY,), 2000.0, max_price_cny=25.0)]  # 5 CNY/t margin, ~12 CNY/t transport
    result = run(offers, wants, sites)
    assert not result.links and result.summary.dropped["uneconomic"] == 1
    wants = [Want("W1", "PIGS", (WHEY,), 2000.0, max_price_cny=10.0)]
    assert run(offers, wants, sites).summary.dropped["price"] == 1


def test_a_want_naming_a_known_stream_and_an_unknown_one_takes_each_in_its_unit():
    offers, wants, sites = dairy_and_farms()
    wants = [Want("W1", "PIGS", (WHEY, "hot-water"), 2000.0, max_price_cny=80.0, unit="t")]
    result = run(offers + [Offer("HOT", "DAIRY", "hot-water", 900.0)], wants, sites)
    assert [(l.offer_id, l.unit) for l in result.links] == [("O1", "t")]


def test_units_must_agree_and_a_stream_in_m3_is_hauled_as_water():
    offers, wants, sites = dairy_and_farms()
    offers = [Offer("O1", "DAIRY", WHEY, 3000.0, price_cny=20.0, unit="m3")]
    wants = [Want("W1", "PIGS", (WHEY,), 2000.0, max_price_cny=80.0, unit="t"),
             Want("W2", "FAR", (WHEY,), 2000.0, max_price_cny=80.0, unit="m3")]
    result = run(offers, wants, sites)
    assert [(l.want_id, l.unit) for l in result.links] == [("W2", "m3")]
    assert result.summary.dropped["unit"] == 1


def test_an_unclassified_stream_with_a_hazard_code_goes_only_to_a_covering_permit():
    sites = [Site("PLANT", 117.0, LAT, "2614"),
             Site("NOPERMIT", east(5.0), LAT, "7724"),
             Site("LICENSED", east(15.0), LAT, "7724", permit=Permit(("HW34",), 1000.0, dt.date(2030, 1, 1)))]
    acid = unclassified_code("smelter acid")
    offers = [Offer("O1", "PLANT", acid, 500.0, hazard_code="HW34")]
    wants = [Want("W1", "NOPERMIT", (acid,), 500.0), Want("W2", "LICENSED", (acid,), 500.0)]
    result = run(offers, wants, sites)
    assert [l.receiver_site_id for l in result.links] == ["LICENSED"]
    assert result.summary.dropped["permit_missing"] == 1
    assert {a.receiver_site_id for a in result.alternatives} == set()


def test_validate_accepts_pseudo_codes_and_names_what_is_wrong():
    offers, wants, sites = dairy_and_farms()
    with pytest.raises(MatchingError, match="offer 'O9': unclassified stream 'name:' has no name"):
        run(offers + [Offer("O9", "DAIRY", "name:", 1.0)], wants, sites)
    with pytest.raises(MatchingError, match="offer 'O9': hazard_code 'HW3' is neither"):
        run(offers + [Offer("O9", "DAIRY", WHEY, 1.0, hazard_code="HW3")], wants, sites)
    with pytest.raises(MatchingError, match="want 'W9': unknown material 'curd-water'"):
        run(offers, wants + [Want("W9", "PIGS", ("curd-water",), 1.0)], sites)


def test_an_agreed_name_matched_link_is_rescored_without_a_route():
    offers, wants, sites = dairy_and_farms()
    result = run(offers, wants, sites)
    agreed = run_matching(offers, wants, sites, KB.routes, options=MatchOptions(today=TODAY), knowledge=KB,
                          agreements=[Agreement("O1", "PIGS", 1500.0, want_id="W1")])
    assert [(l.want_id, l.quantity, l.status, l.route_id) for l in agreed.agreed] == [("W1", 1500.0, "agreed", None)]
    assert "matched by name only" in agreed.agreed[0].explanation_en
    # The agreement took 1 500 t of the want's 2 000: the run offers it only the rest.
    assert next(l.quantity for l in agreed.links if l.want_id == "W1") == 500.0
    assert next(l.quantity for l in result.links if l.want_id == "W1") == 2000.0
