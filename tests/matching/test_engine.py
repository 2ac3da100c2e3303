"""run_matching end to end: bad input, determinism, agreements, latent receivers, parks, counts."""

import dataclasses
import datetime as dt
import doctest
import importlib
import random

import numpy as np
import pytest

from matching.engine import run_matching
from matching.errors import MatchingError
from matching.knowledge.loader import load_knowledge
from matching.types import DROP_REASONS, Agreement, MatchOptions, Offer, Permit, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
FLY_ASH = {"loi_pct": 5.0, "moisture_pct": 0.5, "so3_pct": 2.0, "grade": "II"}


def run(offers, wants, sites, *, agreements=(), routes=None, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes if routes is None else routes,
                        options=MatchOptions(**options), knowledge=KB, agreements=agreements)


def small_case():
    sites = [Site("PWR", 117.23, 31.82, "4411", park="P1"), Site("CEM", 117.25, 31.90, "3011", park="P1"),
             Site("CON", 117.30, 31.95, "3021", park="P2"), Site("PBD", 117.10, 31.70, "3024")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 10000.0, FLY_ASH, 20.0),
              Offer("O2", "PWR", "fgd-gypsum", 5000.0, {"caso4_2h2o_pct": 92.0, "free_water_pct": 8.0,
                                                         "cl_pct": 0.005, "caso3_pct": 0.2}, 15.0)]
    wants = [Want("W1", "CEM", ("coal-fly-ash",), 4000.0, max_price_cny=70.0),
             Want("W2", "CON", ("coal-fly-ash",), 4000.0, max_price_cny=110.0),
             Want("W3", "PBD", ("fgd-gypsum",), 9000.0)]
    return offers, wants, sites


# --------------------------------------------------------------------------- bad input


def good():
    return small_case()


@pytest.mark.parametrize("mutate, message", [
    (lambda o, w, s: (o + [Offer("O9", "NOWHERE", "coal-fly-ash", 1.0)], w, s), "offer 'O9': unknown site 'NOWHERE'"),
    (lambda o, w, s: (o, w + [Want("W9", "GHOST", ("coal-fly-ash",), 1.0)], s), "want 'W9': unknown site 'GHOST'"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "unobtainium", 1.0)], w, s), "offer 'O9': unknown material 'unobtainium'"),
    (lambda o, w, s: (o, w, s + [Site("S9", None, None, "3011")]), "site 'S9': has no coordinates"),
    (lambda o, w, s: (o, w, s + [Site("S9", 117.0, float("nan"), "3011")]), "site 'S9': has no coordinates"),
    (lambda o, w, s: (o, w, s + [Site("S9", 31.8, 117.2, "3011")]), r"site 'S9': lon/lat \(31.8, 117.2\) out of range"),
    (lambda o, w, s: (o, w, s + [Site("PWR", 117.0, 31.0, "3011")]), "site 'PWR': listed twice"),
    (lambda o, w, s: (o + [Offer("O1", "PWR", "coal-fly-ash", 1.0)], w, s), "offer 'O1': listed twice"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "coal-fly-ash", -5.0)], w, s), "offer 'O9': quantity must be"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "coal-fly-ash", 5.0, committed=6.0)], w, s), "committed 6.0 must lie"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "coal-fly-ash", 5.0, available_from=dt.date(2026, 2, 1),
                                 available_to=dt.date(2026, 1, 1))], w, s), "available_to .* is before available_from"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "coal-fly-ash", 5.0, hazard_code="900-052-31")], w, s),
     "hazard_code given but coal-fly-ash is not hazardous"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "lead-acid-battery", 5.0, hazard_code="900-214-08")], w, s),
     "900-214-08 is HW08, but lead-acid-battery is HW31"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "waste-mineral-oil", 5.0)], w, s), "give its 8-digit hazard_code"),
    (lambda o, w, s: (o + [Offer("O9", "PWR", "coal-fly-ash", 5.0, transport_modes=("teleport",))], w, s),
     "unknown transport mode 'teleport'"),
    (lambda o, w, s: (o, w + [Want("W9", "CEM", (), 1.0)], s), "want 'W9': accepts no material"),
    (lambda o, w, s: (o, w, s + [Site("S9", 117.0, 31.0, "7724", battery_listing="maybe")]), "battery_listing must be"),
    (lambda o, w, s: (o, w, s + [Site("S9", 117.0, 31.0, "7724", permit=Permit(("HWxx",), 1.0))]),
     "permit code 'HWXX' is neither"),
])
def test_bad_input_is_refused_naming_what_is_wrong(mutate, message):
    offers, wants, sites = mutate(*good())
    with pytest.raises(MatchingError, match=message):
        run(offers, wants, sites)


@pytest.mark.parametrize("options, message", [
    ({"k_per_offer": 0}, "k_per_offer must be a whole number of at least 1, got 0"),
    ({"candidate_pool": 0}, "candidate_pool must be"),
    ({"max_radius_km": -10.0}, "max_radius_km must not be negative"),
    ({"detour_factor": 0.8}, "detour_factor must be a number of at least 1"),
    ({"transport_modes": ("road", "hover")}, "unknown mode 'hover'"),
    ({"transport_cny_per_t_km": {"road": -1.0, "rail": 0.1, "barge": 0.1, "pipeline": 0.1}}, "non-negative number for road"),
    ({"solver": "cplex"}, "solver must be auto, networkx or ortools"),
    ({"latent_capacity": -1.0}, "latent_capacity must not be negative"),
    ({"alternatives_per_offer": 2.5}, "alternatives_per_offer must be a whole number"),
    ({"unclassified_radius_km": -5.0}, "unclassified_radius_km must be a number of km not below zero"),
    ({"today": "2026-03-01"}, "today must be a date"),
])
def test_contradictory_options_are_refused(options, message):
    with pytest.raises(MatchingError, match=message) as caught:
        run(*good(), **options)
    assert caught.value.field == next(iter(options))


def test_a_route_with_a_negative_radius_is_refused():
    broken = dataclasses.replace(KB.routes[0], transport=(("road", -5.0),))
    with pytest.raises(MatchingError, match=f"route '{broken.id}': negative radius -5.0 km for road"):
        run(*good(), routes=[broken, *KB.routes[1:]])


@pytest.mark.parametrize("agreement, message", [
    (Agreement("O404", "CEM", 1.0), "unknown offer 'O404'"),
    (Agreement("O1", "CEM", 1.0, want_id="W404"), "unknown want 'W404'"),
    (Agreement("O1", "CON", 1.0, want_id="W1"), "want 'W1' is at site 'CEM', not 'CON'"),
    (Agreement("O1", "CEM", 0.0, want_id="W1"), "quantity must be more than zero"),
    (Agreement("O1", "CEM", 4001.0, want_id="W1"), "want 'W1': agreed links total 4001, more than its open 4000"),
])
def test_bad_agreements_are_refused(agreement, message):
    with pytest.raises(MatchingError, match=message):
        run(*good(), agreements=[agreement])


# --------------------------------------------------------------------------- behaviour


def test_the_small_case_places_fly_ash_and_gypsum_where_they_are_worth_most():
    result = run(*small_case())
    placed = {(link.offer_id, link.want_id): link.quantity for link in result.links}
    assert placed == {("O1", "W1"): 4000.0, ("O1", "W2"): 4000.0, ("O2", "W3"): 5000.0}
    assert result.landfill == {"O1": 2000.0}
    assert {link.route_id for link in result.links} == {
        "fly-ash-cement-admixture", "fly-ash-concrete", "fgd-gypsum-plasterboard"}
    same_park = {link.want_id: (link.same_park, link.cross_park) for link in result.links}
    assert same_park == {"W1": (True, False), "W2": (False, True), "W3": (False, False)}


def test_a_want_naming_streams_in_several_units_takes_those_in_its_own_unit():
    # A plant asks for fly ash (t) and hot water (GJ) on one row: its quantity is in t, so only the ash fills it.
    sites = [Site("PWR", 117.23, 31.82, "4411"), Site("CEM", 117.25, 31.90, "3011", extra_sectors=("4430",))]
    offers = [Offer("ASH", "PWR", "coal-fly-ash", 1000.0, FLY_ASH, 20.0), Offer("HOT", "PWR", "hot-water", 5000.0)]
    for unit in (None, "t"):
        wants = [Want("W1", "CEM", ("coal-fly-ash", "hot-water"), 800.0, max_price_cny=90.0, unit=unit)]
        result = run(offers, wants, sites)
        assert [(l.offer_id, l.want_id, l.quantity, l.unit) for l in result.links] == [("ASH", "W1", 800.0, "t")]
    in_gj = run(offers, [Want("W1", "CEM", ("coal-fly-ash", "hot-water"), 800.0, unit="GJ")], sites)
    assert {l.offer_id for l in in_gj.links} <= {"HOT"} and not any(l.offer_id == "ASH" for l in in_gj.links)


def test_counts_add_up():
    summary = run(*small_case(), latent=True).summary
    assert set(summary.dropped) == set(DROP_REASONS)
    assert summary.examined == sum(summary.dropped.values()) + summary.feasible
    assert summary.feasible == summary.arcs + summary.cut_by_k
    assert summary.pairs_in_radius >= summary.examined
    assert summary.links == len(run(*small_case(), latent=True).links)
    assert set(summary.timings_s) >= {"validate", "candidates", "feasibility", "scoring", "allocate", "total"}


def test_the_output_does_not_depend_on_input_order_and_repeats_exactly():
    offers, wants, sites = random_scenario(seed=11)
    first = run(offers, wants, sites, latent=True)
    rng = random.Random(5)
    shuffled = [list(x) for x in (offers, wants, sites)]
    for items in shuffled:
        rng.shuffle(items)
    second = run(*shuffled, latent=True)
    assert first.links == second.links
    assert first.landfill == second.landfill
    assert first.network == second.network


@pytest.mark.parametrize("solver", ["networkx", "ortools"])
def test_allocation_never_over_commits_offers_wants_or_permits(solver):
    offers, wants, sites = random_scenario(seed=3)
    result = run(offers, wants, sites, solver=solver, latent=True)
    given, taken, hazardous_in = {}, {}, {}
    for link in result.links:
        given[link.offer_id] = given.get(link.offer_id, 0.0) + link.quantity
        if link.want_id:
            taken[link.want_id] = taken.get(link.want_id, 0.0) + link.quantity
        if KB.materials[link.material].hazardous:
            hazardous_in[link.receiver_site_id] = hazardous_in.get(link.receiver_site_id, 0.0) + link.quantity
    assert given and taken
    for offer in offers:
        assert given.get(offer.id, 0.0) <= offer.quantity - offer.committed + 1e-6
    for want in wants:
        assert taken.get(want.id, 0.0) <= want.quantity - want.committed + 1e-6
    for site in sites:
        if site.id in hazardous_in:
            assert site.permit is not None and hazardous_in[site.id] <= site.permit.capacity_t + 1e-6


def test_agreements_are_fixed_inputs_that_reduce_what_is_left():
    offers, wants, sites = small_case()
    agreed = [Agreement("O1", "CON", 3000.0, want_id="W2", status="active")]
    result = run(offers, wants, sites, agreements=agreed)
    placed = {(link.offer_id, link.want_id): link.quantity for link in result.links}
    assert placed[("O1", "W2")] == 1000.0           # W2 had 4000, 3000 agreed
    assert sum(q for (o, _), q in placed.items() if o == "O1") == 5000.0  # 10000 - 3000 agreed, 2000 left over
    assert [(l.status, l.want_id, l.route_id) for l in result.agreed] == [("active", "W2", "fly-ash-concrete")]
    assert result.agreed[0].explanation_en and result.summary.agreed == {"t": 3000.0}


def test_latent_receivers_take_only_what_posted_wants_leave():
    sites = [Site("PWR", 117.23, 31.82, "4411"), Site("NEAR", 117.23, 31.85, "3011"), Site("FAR", 117.23, 32.2, "3011")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 1000.0, FLY_ASH, 20.0)]
    wants = [Want("W1", "FAR", ("coal-fly-ash",), 600.0)]
    links = run(offers, wants, sites, latent=True).links
    assert {(l.receiver_site_id, l.latent, l.quantity) for l in links} == {("FAR", False, 600.0), ("NEAR", True, 400.0)}
    capped = run(offers, [], sites, latent=True, latent_capacity=250.0).links
    assert sorted(l.quantity for l in capped) == [250.0, 250.0]


def test_a_latent_receiver_takes_what_a_typical_posted_want_asks():
    sites = [Site("PWR", 117.23, 31.82, "4411"), Site("NEAR", 117.23, 31.85, "3011"), Site("FAR", 117.23, 32.2, "3011"),
             Site("FAR2", 117.25, 32.2, "3011"), Site("FAR3", 117.27, 32.2, "3011")]
    offers = [Offer("O1", "PWR", "coal-fly-ash-class-f", 50_000.0, FLY_ASH, 20.0)]
    wants = [Want("W1", "FAR", ("coal-fly-ash",), 600.0), Want("W2", "FAR2", ("coal-fly-ash",), 900.0),
             Want("W3", "FAR3", ("coal-fly-ash",), 3000.0)]  # median 900: a want for fly ash names its class F too
    links = run(offers, wants, sites, latent=True).links
    assert {(l.receiver_site_id, l.quantity) for l in links if l.latent} == {("NEAR", 900.0)}
    unbounded = run(offers, wants, sites, latent=True, latent_capacity_typical=False).links
    assert {(l.receiver_site_id, l.quantity) for l in unbounded if l.latent} == {("NEAR", 50_000.0 - 4500.0)}


def test_without_posted_wants_a_latent_receiver_takes_about_what_one_supplier_gives():
    sites = [Site("SYN-1", 117.23, 31.82, "2614"), Site("SYN-2", 117.20, 31.80, "2614"),
             Site("SYN-3", 117.22, 31.79, "2614"), Site("UREA", 117.23, 31.85, "2621")]
    offers = [Offer("O1", "SYN-1", "captured-co2", 10_000.0), Offer("O2", "SYN-2", "captured-co2", 30_000.0),
              Offer("O3", "SYN-3", "captured-co2", 20_000.0)]
    links = run(offers, [], sites, latent=True).links
    assert sum(l.quantity for l in links if l.receiver_site_id == "UREA") == pytest.approx(20_000.0)  # the median


def test_a_site_that_offers_a_material_is_no_latent_user_of_it():
    sites = [Site("SYNGAS", 117.23, 31.82, "2614"), Site("UREA-A", 117.23, 31.85, "2621"),
             Site("UREA-B", 117.26, 31.85, "2621")]
    offers = [Offer("O1", "SYNGAS", "captured-co2", 50_000.0), Offer("O2", "UREA-A", "captured-co2", 10_000.0)]
    receivers = {l.receiver_site_id for l in run(offers, [], sites, latent=True).links}
    assert "UREA-B" in receivers and "UREA-A" not in receivers


def test_a_latent_receivers_agreed_tonnes_count_against_its_capacity():
    sites = [Site("PWR", 117.23, 31.82, "4411"), Site("PWR2", 117.20, 31.80, "4411"), Site("NEAR", 117.23, 31.85, "3011")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 1000.0, FLY_ASH, 20.0),
              Offer("O2", "PWR2", "coal-fly-ash", 1000.0, FLY_ASH, 20.0)]
    agreed = [Agreement("O1", "NEAR", 150.0)]  # a latent link agreed earlier
    links = run(offers, [], sites, agreements=agreed, latent=True, latent_capacity=250.0).links
    assert sum(l.quantity for l in links if l.receiver_site_id == "NEAR") == pytest.approx(100.0)


def test_a_park_run_keeps_pairs_with_one_side_in_the_park():
    offers, wants, sites = small_case()
    inside = run(offers, wants, sites, park="P2").links
    assert {(l.supplier_site_id, l.receiver_site_id) for l in inside} == {("PWR", "CON")}
    assert not run(offers, wants, sites, park="NOPARK").links


def test_results_serialise_to_plain_json_values():
    import json

    result = run(*small_case(), latent=True)
    text = json.dumps(result.as_dict(), ensure_ascii=False)
    assert '"explanation_zh"' in text and '"timings_s"' in text and '"today": "2026-03-01"' in text


def test_demo_like_streams_find_their_users_and_batteries_only_listed_recyclers():
    sites = [
        Site("PWR", 116.95, 32.76, "4411"), Site("CEM", 117.00, 32.70, "3011"), Site("PBD", 116.90, 32.80, "3024"),
        Site("STEEL", 118.50, 31.70, "3120"), Site("SLAGCEM", 118.45, 31.65, "3011"),
        Site("COKE", 116.80, 33.95, "2521"), Site("MEOH", 116.81, 33.96, "2614"),
        Site("NEV", 117.20, 31.80, "3612"), Site("LISTED", 117.30, 31.90, "4210", battery_listing="recycling"),
        Site("UNLISTED", 117.25, 31.85, "4210"),
    ]
    offers = [
        Offer("ASH", "PWR", "coal-fly-ash", 100000.0, FLY_ASH, 20.0),
        Offer("GYP", "PWR", "fgd-gypsum", 50000.0, {"caso4_2h2o_pct": 93.0, "free_water_pct": 8.0, "cl_pct": 0.005,
                                                      "caso3_pct": 0.2}, 15.0),
        Offer("SLAG", "STEEL", "steel-slag", 80000.0, {"f_cao_pct": 2.5, "specific_surface_m2_kg": 400.0,
                                                        "mgo_pct": 6.0}, 10.0),
        Offer("COG", "COKE", "coke-oven-gas", 2e8, {"h2_pct": 58.0, "h2s_mg_nm3": 50.0, "ch4_pct": 25.0}, 0.5),
        Offer("EVB", "NEV", "retired-ev-battery", 300.0, {"chemistry": "NCM", "coded_gbt34014": "yes"}, 1000.0),
    ]
    # Posted wants first; unbounded latent receivers then take each offer's rest at its single best one.
    wants = [Want("W1", "PBD", ("fgd-gypsum",), 20000.0)]
    links = run(offers, wants, sites, latent=True).links
    pairs = {(l.offer_id, l.receiver_site_id) for l in links}
    assert {("ASH", "CEM"), ("GYP", "PBD"), ("SLAG", "SLAGCEM"), ("COG", "MEOH"), ("EVB", "LISTED")} <= pairs
    assert not any(l.receiver_site_id == "UNLISTED" for l in links)
    assert next(l for l in links if l.offer_id == "COG").coupling == "coal-chemical"


def engine_modules() -> list[str]:
    """Every module of the engine and its knowledge base: examples in a new module run without a list to edit."""
    import pkgutil

    import matching

    return sorted(info.name for info in pkgutil.walk_packages(matching.__path__, "matching."))


MODULES = engine_modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    failures, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0


# --------------------------------------------------------------------------- scenario


def random_scenario(*, seed: int, n: int = 60):
    """Offers and wants of six materials around Hefei, some hazardous, with permits and listings."""
    rng = np.random.default_rng(seed)
    mix = [("coal-fly-ash", "4411", "3011", FLY_ASH), ("fgd-gypsum", "4411", "3024", {"caso4_2h2o_pct": 88.0}),
           ("lead-acid-battery", "3670", "3212", {"pb_pct": 60.0}), ("steel-slag", "3120", "3011", {"f_cao_pct": 3.0}),
           ("retired-ev-battery", "3612", "4210", {"chemistry": "LFP"}), ("waste-mineral-oil", "3670", "7724", {})]
    sites, offers, wants = [], [], []
    for i in range(n):
        material, supplier_sector, user_sector, quality = mix[i % len(mix)]
        hazardous = KB.materials[material].hazardous
        lon, lat = rng.uniform(116.8, 117.6, 2), rng.uniform(31.5, 32.1, 2)
        permit = Permit((KB.materials[material].category,), float(rng.integers(50, 400)),
                        TODAY + dt.timedelta(days=int(rng.integers(-100, 900)))) if hazardous else None
        listing = ("cascade", "recycling", "both", None)[i % 4] if user_sector == "4210" else None
        sites += [Site(f"G{i:03d}", float(lon[0]), float(lat[0]), supplier_sector),
                  Site(f"U{i:03d}", float(lon[1]), float(lat[1]), user_sector, permit=permit, battery_listing=listing)]
        code = KB.materials[material].hw_codes[0] if hazardous else None
        offers.append(Offer(f"O{i:03d}", f"G{i:03d}", material, float(rng.integers(100, 500)), quality,
                            float(rng.integers(0, 30)), hazard_code=code, committed=float(rng.integers(0, 50))))
        wants.append(Want(f"W{i:03d}", f"U{i:03d}", (material,), float(rng.integers(50, 400)),
                          committed=float(rng.integers(0, 40))))
    return offers, wants, sites
