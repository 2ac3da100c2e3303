"""Compliance and feasibility: hazardous permits, battery listings, windows, quality and price."""

import datetime as dt

import numpy as np
import pytest

from matching.engine import run_matching
from matching.errors import MatchingError
from matching.feasibility import (
    PERMIT_EXPIRED,
    PERMIT_FULL,
    PERMIT_NONE,
    PERMIT_OK,
    QualityColumns,
    WantLimit,
    parse_want_quality,
    permit_state,
    route_quality,
    want_quality,
    windows_overlap,
)
from matching.knowledge import QualityLimit, load_knowledge
from matching.types import Agreement, MatchOptions, Offer, Permit, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
D = dt.date


def site(site_id, lat=31.82, sector="3011", **kw):
    return Site(site_id, 117.23, lat, sector, **kw)


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


def only_reason(summary):
    """The one drop reason with a non-zero count (asserting there is exactly one)."""
    reasons = {reason: count for reason, count in summary.dropped.items() if count}
    assert len(reasons) == 1, reasons
    return next(iter(reasons))


# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize("offer, want, today, expected", [
    ((D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 6, 30), D(2026, 12, 31)), D(2026, 1, 1), True),   # one shared day
    ((D(2026, 1, 1), D(2026, 6, 29)), (D(2026, 6, 30), D(2026, 12, 31)), D(2026, 1, 1), False),  # disjoint
    ((D(2025, 1, 1), D(2025, 12, 31)), (D(2025, 1, 1), D(2027, 1, 1)), D(2026, 1, 1), False),    # over already
    ((None, None), (D(2030, 1, 1), None), D(2026, 1, 1), True),                                  # open ends
])
def test_windows_must_overlap_on_a_day_not_before_today(offer, want, today, expected):
    def days(window, default_low, default_high):
        return (np.array([(window[0] or default_low).toordinal()]), np.array([(window[1] or default_high).toordinal()]))

    low, high = D(1, 1, 1), D(9999, 12, 31)
    offer_from, offer_to = days(offer, low, high)
    want_from, want_to = days(want, low, high)
    assert windows_overlap(offer_from, offer_to, want_from, want_to, today=today).tolist() == [expected]


def test_engine_drops_pairs_whose_windows_do_not_overlap():
    sites = [site("PWR", 31.82, "4411"), site("CEM", 31.90)]
    offer = Offer("O1", "PWR", "coal-fly-ash", 100.0, {"loi_pct": 5.0}, 20.0, D(2026, 1, 1), D(2026, 6, 30))
    late = Want("W1", "CEM", ("coal-fly-ash",), 100.0, available_from=D(2026, 7, 1))
    result = run([offer], [late], sites)
    assert not result.links and only_reason(result.summary) == "window"
    assert run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 100.0, available_from=D(2026, 6, 30))], sites).links


# --------------------------------------------------------------------------- hazardous waste

LEAD = Offer("O1", "GEN", "lead-acid-battery", 100.0, {"pb_pct": 60.0}, 8000.0, hazard_code="900-052-31")
FUTURE = D(2028, 12, 31)


@pytest.mark.parametrize("permit, reason", [
    (None, "permit_missing"),
    (Permit(("HW08", "HW49"), 5000.0, FUTURE), "permit_code"),
    (Permit(("900-052-31",), 5000.0, D(2025, 12, 31)), "permit_expired"),
    (Permit(("HW31",), 5000.0, FUTURE, used_t=5000.0), "permit_capacity"),
    (Permit(("HW31",), 5000.0, FUTURE), None),
    (Permit(("900-052-31",), 5000.0, None), None),
])
def test_hazardous_lots_go_only_to_a_valid_permit_with_the_code_and_capacity_left(permit, reason):
    sites = [site("GEN", 31.82, "3670"), site("PB", 31.90, "3212", permit=permit)]
    result = run([LEAD], [Want("W1", "PB", ("lead-acid-battery",), 100.0)], sites)
    if reason is None:
        assert [link.receiver_site_id for link in result.links] == ["PB"]
    else:
        assert not result.links and only_reason(result.summary) == reason


@pytest.mark.parametrize("permit, kept", [
    (Permit(("HW31",), 5000.0, FUTURE), True),
    # A lot known only by its category may be any code of it: a permit for one 8-digit code does not cover it.
    (Permit(("900-052-31",), 5000.0, FUTURE), False),
    (Permit(("HW08",), 5000.0, FUTURE), False),
])
def test_a_lot_coded_by_its_category_needs_a_permit_for_the_whole_category(permit, kept):
    lot = Offer("O1", "GEN", "lead-acid-battery", 100.0, {"pb_pct": 60.0}, 8000.0, hazard_code="HW31")
    sites = [site("GEN", 31.82, "3670"), site("PB", 31.90, "3212", permit=permit)]
    result = run([lot], [Want("W1", "PB", ("lead-acid-battery",), 100.0)], sites, latent=True)
    assert [link.receiver_site_id for link in result.links] == (["PB"] if kept else [])
    assert not result.alternatives
    if not kept:
        assert only_reason(result.summary) == "permit_code"


def test_a_category_that_is_not_the_materials_is_refused():
    lot = Offer("O1", "GEN", "lead-acid-battery", 100.0, hazard_code="HW08")
    with pytest.raises(MatchingError, match="hazard_code HW08 is HW08, but lead-acid-battery is HW31"):
        run([lot], [], [site("GEN", 31.82, "3670")])


def test_a_permit_capacity_is_shared_by_every_want_of_its_site():
    permit = Permit(("HW31",), 150.0, FUTURE)
    sites = [site("GEN", 31.82, "3670"), site("GEN2", 31.83, "3670"), site("PB", 31.90, "3212", permit=permit)]
    offers = [LEAD, Offer("O2", "GEN2", "lead-acid-battery", 100.0, {"pb_pct": 60.0}, 8000.0, hazard_code="900-052-31")]
    wants = [Want("W1", "PB", ("lead-acid-battery",), 100.0), Want("W2", "PB", ("lead-acid-battery",), 100.0)]
    for solver in ("networkx", "ortools"):
        links = run(offers, wants, sites, solver=solver).links
        assert sum(link.quantity for link in links) == pytest.approx(150.0)


def test_agreed_hazardous_tonnes_use_up_the_permit():
    permit = Permit(("HW31",), 100.0, FUTURE)
    sites = [site("GEN", 31.82, "3670"), site("PB", 31.90, "3212", permit=permit)]
    offer = Offer("O1", "GEN", "lead-acid-battery", 300.0, {"pb_pct": 60.0}, 8000.0, hazard_code="900-052-31")
    want = Want("W1", "PB", ("lead-acid-battery",), 300.0)
    agreed = [Agreement("O1", "PB", 100.0, want_id="W1")]
    result = run_matching([offer], [want], sites, KB.routes, options=MatchOptions(today=TODAY), knowledge=KB,
                          agreements=agreed)
    assert not result.links and only_reason(result.summary) == "permit_capacity"
    assert [(link.status, link.quantity) for link in result.agreed] == [("agreed", 100.0)]
    assert len(run([offer], [want], sites).links) == 1


@pytest.mark.parametrize("state_args, expected", [
    ((None,), PERMIT_NONE),
    ((Permit(("HW08",), 10.0, D(2026, 2, 28)),), PERMIT_EXPIRED),
    ((Permit(("HW08",), 10.0, D(2026, 3, 1)),), PERMIT_OK),      # valid through its last day
    ((Permit(("HW08",), 10.0, None, used_t=4.0),), PERMIT_OK),
    ((Permit(("HW08",), 10.0, None, used_t=10.0),), PERMIT_FULL),
])
def test_permit_state(state_args, expected):
    assert permit_state(*state_args, today=TODAY) == expected


# --------------------------------------------------------------------------- retired batteries

LFP = Offer("O1", "NEV", "retired-ev-battery", 100.0, {"chemistry": "LFP", "soh_pct": 80.0, "coded_gbt34014": "yes"},
            1000.0)


@pytest.mark.parametrize("sector, listing, route", [
    ("4210", "recycling", "ev-battery-material-recovery"),
    ("4210", "both", "ev-battery-material-recovery"),
    ("4210", "cascade", None),      # a cascade-use firm may not shred packs for materials
    ("4210", None, None),
    ("4419", "cascade", "ev-battery-cascade-storage"),
    ("4419", "recycling", None),    # and a recycler-only listing does not make a storage operator
])
def test_retired_batteries_go_only_to_enterprises_listed_for_that_use(sector, listing, route):
    sites = [site("NEV", 31.82, "3612"), site("REC", 31.90, sector, battery_listing=listing)]
    result = run([LFP], [Want("W1", "REC", ("retired-ev-battery",), 100.0)], sites)
    assert [link.route_id for link in result.links] == ([route] if route else [])
    if route is None:
        assert only_reason(result.summary) == "battery_listing"


def test_latent_battery_receivers_need_the_listing_too():
    sites = [site("NEV", 31.82, "3612"), site("LISTED", 31.90, "4210", battery_listing="recycling"),
             site("UNLISTED", 31.91, "4210")]
    links = run([LFP], [], sites, latent=True).links
    assert {link.receiver_site_id for link in links} == {"LISTED"}


# --------------------------------------------------------------------------- quality a material implies

BATTERY_SITES = [site("NEV", 31.82, "3612"), site("ESS", 31.90, "4419", battery_listing="cascade"),
                 site("REC", 31.95, "4210", battery_listing="recycling")]


@pytest.mark.parametrize("material, cascade", [
    ("retired-lfp-battery", True),
    ("retired-ncm-battery", False),   # the cascade route is limited to LFP; the material says NCM
    ("retired-ev-battery", True),     # chemistry unknown: not a failure, flagged as unverified
])
def test_an_ncm_battery_does_not_pass_an_lfp_only_route_because_its_listing_left_chemistry_out(material, cascade):
    offer = Offer("O1", "NEV", material, 100.0, {"soh_pct": 80.0, "coded_gbt34014": "yes"}, 1000.0)
    result = run([offer], [Want("W1", "ESS", ("retired-ev-battery",), 100.0)], BATTERY_SITES)
    assert [link.route_id for link in result.links] == (["ev-battery-cascade-storage"] if cascade else [])
    if not cascade:
        assert only_reason(result.summary) == "quality_route"
    else:
        assert ("chemistry" in result.links[0].unverified_quality) is (material == "retired-ev-battery")


@pytest.mark.parametrize("material, quality, route", [
    ("retired-ev-battery", {}, "ev-battery-material-recovery"),  # unstated chemistry: priced as the common LFP
    ("retired-ev-battery", {"chemistry": "NCM"}, "ncm-battery-nickel-cobalt-recovery"),
    ("retired-ncm-battery", {}, "ncm-battery-nickel-cobalt-recovery"),
])
def test_a_route_the_offer_is_known_to_meet_beats_a_bet_on_an_unstated_category(material, quality, route):
    offer = Offer("O1", "NEV", material, 100.0, quality)
    result = run([offer], [Want("W1", "REC", ("retired-ev-battery",), 100.0)], BATTERY_SITES)
    assert [link.route_id for link in result.links] == [route]


@pytest.mark.parametrize("material, kept", [("retired-ncm-battery", True), ("retired-lfp-battery", False)])
def test_an_lfp_battery_does_not_take_the_nickel_cobalt_route(material, kept):
    nickel_cobalt = [route for route in KB.routes if route.id == "ncm-battery-nickel-cobalt-recovery"]
    offer = Offer("O1", "NEV", material, 100.0, {}, 1000.0)
    result = run_matching([offer], [Want("W1", "REC", ("retired-ev-battery",), 100.0)], BATTERY_SITES,
                          nickel_cobalt, options=MatchOptions(today=TODAY), knowledge=KB)
    assert bool(result.links) is kept
    if not kept:
        assert only_reason(result.summary) == "quality_route"


@pytest.mark.parametrize("material, kept", [("retired-ncm-battery", True), ("retired-lfp-battery", False)])
def test_a_wants_limit_is_checked_against_the_implied_value(material, kept):
    want = Want("W1", "REC", ("retired-ev-battery",), 100.0, {"chemistry": "NCM"})
    offer = Offer("O1", "NEV", material, 100.0, {}, 1000.0)
    result = run([offer], [want], BATTERY_SITES, require_quality_data=True)
    assert bool(result.links) is kept
    if kept:
        assert "chemistry" not in result.links[0].unverified_quality
    else:
        assert only_reason(result.summary) == "quality_want"


def test_what_the_listing_states_wins_over_what_the_material_implies():
    # The engine reads what the listing states first; the listing import is where a contradiction
    # (chemistry=LFP on an NCM battery) is refused.
    stated = Offer("O1", "NEV", "retired-ncm-battery", 100.0, {"chemistry": "LFP", "soh_pct": 80.0}, 1000.0)
    result = run([stated], [Want("W1", "ESS", ("retired-ev-battery",), 100.0)], BATTERY_SITES)
    assert [link.route_id for link in result.links] == ["ev-battery-cascade-storage"]


@pytest.mark.parametrize("material, kept, unverified", [
    ("coal-fly-ash-class-f", True, False), ("coal-fly-ash-class-c", False, None), ("coal-fly-ash", True, True),
])
def test_a_fly_ash_class_is_known_from_the_material(material, kept, unverified):
    sites = [site("PWR", 31.82, "4411"), site("CEM", 31.90, "3011")]
    offer = Offer("O1", "PWR", material, 100.0, {"loi_pct": 5.0, "so3_pct": 2.0, "moisture_pct": 0.5,
                                                 "strength_activity_index_pct": 75.0}, 20.0)
    result = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 100.0, {"class": "F"})], sites)
    assert bool(result.links) is kept
    if kept:
        assert ("class" in result.links[0].unverified_quality) is unverified
    else:
        assert only_reason(result.summary) == "quality_want"


# --------------------------------------------------------------------------- quality and price


@pytest.mark.parametrize("grade, kept", [("I", True), ("II", True), ("III", False)])
def test_a_grade_on_a_want_means_that_grade_or_better(grade, kept):
    sites = [site("PWR", 31.82, "4411"), site("CEM", 31.90)]
    offer = Offer("O1", "PWR", "coal-fly-ash", 100.0, {"grade": grade, "loi_pct": 5.0}, 20.0)
    result = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 100.0, {"grade": "II"})], sites)
    assert bool(result.links) is kept
    if not kept:
        assert only_reason(result.summary) == "quality_want"


def test_route_limits_apply_for_the_receivers_use():
    # Grade III fly ash is fine as cement admixture but not as concrete addition (GB/T 1596: I or II).
    offer = Offer("O1", "PWR", "coal-fly-ash", 100.0, {"grade": "III", "loi_pct": 5.0}, 20.0)
    cement = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 100.0)],
                 [site("PWR", 31.82, "4411"), site("CEM", 31.90, "3011")])
    concrete = run([offer], [Want("W1", "CON", ("coal-fly-ash",), 100.0)],
                   [site("PWR", 31.82, "4411"), site("CON", 31.90, "3021")])
    assert [link.route_id for link in cement.links] == ["fly-ash-cement-admixture"]
    assert not concrete.links and only_reason(concrete.summary) == "quality_route"


def test_unstated_quality_is_flagged_or_dropped_on_request():
    sites = [site("PWR", 31.82, "4411"), site("CEM", 31.90)]
    offer = Offer("O1", "PWR", "coal-fly-ash", 100.0, {}, 20.0)
    want = Want("W1", "CEM", ("coal-fly-ash",), 100.0, {"loi_pct_max": 8.0})
    links = run([offer], [want], sites).links
    assert "loi_pct" in links[0].unverified_quality
    strict = run([offer], [want], sites, require_quality_data=True)
    assert not strict.links and only_reason(strict.summary) == "quality_unknown"


@pytest.mark.parametrize("offer_price, max_price, kept", [(50.0, 60.0, True), (60.0, 60.0, True), (61.0, 60.0, False)])
def test_an_offer_asking_more_than_the_wants_maximum_is_dropped(offer_price, max_price, kept):
    sites = [site("PWR", 31.82, "4411"), site("CEM", 31.90)]
    offer = Offer("O1", "PWR", "coal-fly-ash", 100.0, {"loi_pct": 5.0}, offer_price)
    result = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 100.0, max_price_cny=max_price)], sites)
    assert bool(result.links) is kept
    if not kept:
        assert only_reason(result.summary) == "price"


def test_an_offer_and_a_want_at_one_site_are_no_exchange():
    sites = [site("BOTH", 31.82, "3011")]
    result = run([Offer("O1", "BOTH", "coal-fly-ash", 100.0, {}, 20.0)], [Want("W1", "BOTH", ("coal-fly-ash",), 1.0)], sites)
    assert not result.links and only_reason(result.summary) == "same_site"


def test_parse_want_quality_reads_bounds_grades_and_exact_values():
    limits = parse_want_quality({"grade": "II", "loi_pct_max": 8.0, "cao_pct_min": 2.0, "class": "F"},
                                order_for={"grade": ("I", "II", "III")})
    assert limits == (
        WantLimit("cao_pct", "min", 2.0), WantLimit("class", "eq", "F"), WantLimit("grade", "rank_le", 1),
        WantLimit("loi_pct", "max", 8.0),
    )


def test_want_quality_checks_each_pair_against_its_own_want():
    offers = QualityColumns([{"loi_pct": 5.0, "class": "F"}, {"loi_pct": 9.0, "class": "C"}, {"class": "F"}])
    limits = [(WantLimit("loi_pct", "max", 8.0),), (WantLimit("class", "eq", "C"),)]
    fails, unknown = want_quality(np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 1]), offers, limits)
    assert fails.tolist() == [False, True, False, True, False]
    assert unknown.tolist() == [False, False, True, False, False]


def test_route_quality_against_numbers_and_categories():
    limits = [QualityLimit("so3_pct", ">=", 35.0, "GB/T 21371-2019"), QualityLimit("acid_type", "in", ("HCl",), "x")]
    fails, unknown = route_quality(limits, QualityColumns([
        {"so3_pct": 40.0, "acid_type": "HCl"}, {"so3_pct": 30.0, "acid_type": "HCl"},
        {"so3_pct": 40.0, "acid_type": "H2SO4"}, {"so3_pct": 40.0},
    ]))
    assert fails.tolist() == [False, True, True, False]
    assert unknown.tolist() == [False, False, False, True]


# --------------------------------------------------------------------------- plausibility: CO2 and dangerous goods

FGD = Offer("O1", "PWR", "fgd-gypsum", 5000.0, {"caso4_2h2o_pct": 92.0, "free_water_pct": 8.0, "cl_pct": 0.005,
                                                 "caso3_pct": 0.2}, 5.0)


@pytest.mark.parametrize("lat, kept", [(31.90, True), (32.50, False)])  # ~9 km and ~76 km north
def test_a_link_whose_transport_outweighs_its_co2_saving_is_dropped(lat, kept):
    # FGD gypsum as cement retarder saves 0.005 t CO2 a tonne: 0.09 kg a t·km by road outweighs it beyond ~55 km.
    sites = [site("PWR", 31.82, "4411"), site("CEM", lat)]
    result = run([FGD], [Want("W1", "CEM", ("fgd-gypsum",), 5000.0)], sites)
    assert bool(result.links) is kept
    assert all(link.co2_avoided_t >= 0 for link in result.links)
    if not kept:
        assert only_reason(result.summary) == "co2_negative"


def test_with_the_option_off_the_emitting_link_is_kept_with_its_negative_balance():
    sites = [site("PWR", 31.82, "4411"), site("CEM", 32.50)]
    result = run([FGD], [Want("W1", "CEM", ("fgd-gypsum",), 5000.0)], sites, drop_co2_negative=False)
    [link] = result.links
    assert link.co2_avoided_t < 0 and "transport emits" in link.explanation_en
    assert result.summary.dropped["co2_negative"] == 0


def test_a_latent_receiver_beyond_the_co2_break_even_is_not_proposed():
    sites = [site("PWR", 31.82, "4411"), site("NEAR", 31.90), site("FAR", 32.50)]
    links = run([FGD], [], sites, latent=True, keep_candidates=True).candidates
    assert {c.receiver_site_id for c in links} == {"NEAR"}


def test_retired_batteries_travel_at_the_dangerous_goods_rate():
    sites = [site("NEV", 31.82, "3612"), site("REC", 32.30, "4210", battery_listing="recycling")]
    [link] = run([LFP], [Want("W1", "REC", ("retired-ev-battery",), 100.0)], sites).links
    options = MatchOptions(today=TODAY)
    rate = options.dangerous_goods_cny_per_t_km["road"]
    assert rate > options.transport_cny_per_t_km["road"]
    assert link.transport_cost_cny == pytest.approx(link.road_km * rate * link.quantity)
    bulk = {"road": options.transport_cny_per_t_km["road"]}
    [cheaper] = run([LFP], [Want("W1", "REC", ("retired-ev-battery",), 100.0)], sites,
                    dangerous_goods_cny_per_t_km=bulk).links
    assert cheaper.transport_cost_cny == pytest.approx(link.road_km * bulk["road"] * link.quantity)


def test_hazardous_waste_travels_at_the_dangerous_goods_rate_and_bulk_waste_does_not():
    oil = Offer("O9", "GAR", "waste-mineral-oil", 200.0, price_cny=100.0, hazard_code="900-214-08")
    sites = [site("GAR", 31.82, "8111"), site("HW", 31.95, "7724", permit=Permit(("HW08",), 1000.0)),
             site("PWR", 31.82, "4411"), site("CEM", 31.90)]
    options = MatchOptions(today=TODAY)
    [hazardous] = run([oil], [Want("W9", "HW", ("waste-mineral-oil",), 200.0)], sites).links
    assert hazardous.transport_cost_cny == pytest.approx(
        hazardous.road_km * options.dangerous_goods_cny_per_t_km["road"] * hazardous.quantity)
    [bulk] = run([FGD], [Want("W1", "CEM", ("fgd-gypsum",), 5000.0)], sites).links
    assert bulk.transport_cost_cny == pytest.approx(bulk.road_km * options.transport_cny_per_t_km["road"] * bulk.quantity)


@pytest.mark.parametrize("table, message", [
    ({"teleport": 0.1}, "unknown mode 'teleport'"),
    ({"road": -1.0}, "needs a non-negative number for road"),
])
def test_bad_dangerous_goods_rates_are_refused(table, message):
    with pytest.raises(MatchingError, match=f"dangerous_goods_cny_per_t_km.*{message}"):
        run([LFP], [], [site("NEV", 31.82, "3612")], dangerous_goods_cny_per_t_km=table)
