"""Ranked alternatives: per offer, the best receivers that got none of it, their rank and why they lost."""

import datetime as dt
import json
import math
import random

import pytest

from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.types import ALTERNATIVE_REASONS, MatchOptions, Offer, Permit, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
FLY_ASH = {"loi_pct": 5.0, "moisture_pct": 0.5, "so3_pct": 2.0, "grade": "II"}
LAT = 31.8


def east(km: float) -> float:
    """Longitude of a point ``km`` east of 117.0 E on the parallel LAT (close to great-circle at these distances)."""
    return 117.0 + km / (111.195 * math.cos(math.radians(LAT)))


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


def cement_market(n_wants=8, offer_t=4000.0):
    """One power plant's fly ash and ``n_wants`` cement works at 10, 15, 20 ... km, each paying less the farther it is."""
    sites = [Site("PWR", 117.0, LAT, "4411")]
    wants = []
    for i in range(n_wants):
        sites.append(Site(f"C{i}", east(10.0 + 5 * i), LAT, "3011"))
        wants.append(Want(f"W{i}", f"C{i}", ("coal-fly-ash",), 5000.0, max_price_cny=90.0 - 2 * i))
    return [Offer("O1", "PWR", "coal-fly-ash", offer_t, FLY_ASH, 20.0)], wants, sites


def test_the_receivers_an_offer_did_not_reach_are_listed_best_first_with_rank_and_benefit():
    result = run(*cement_market())
    assert [(l.want_id, l.quantity) for l in result.links] == [("W0", 4000.0)]
    alternatives = [a for a in result.alternatives if a.offer_id == "O1"]
    assert [a.want_id for a in alternatives] == ["W1", "W2", "W3", "W4", "W5"]
    assert [a.rank for a in alternatives] == [2, 3, 4, 5, 6]
    assert all(a.feasible_receivers == 8 and a.reason == "lower_score" for a in alternatives)
    scores = [result.links[0].score] + [a.score for a in alternatives]
    assert scores == sorted(scores, reverse=True)
    first = alternatives[0]
    assert (first.supplier_site_id, first.receiver_site_id, first.route_id) == ("PWR", "C1", "fly-ash-cement-admixture")
    # What it could take: the whole offer (its want asks more); the benefit is for that quantity.
    assert first.quantity == 4000.0 and first.unit == "t"
    assert first.net_benefit_cny == pytest.approx(first.net_benefit_cny_per_unit * 4000.0)
    assert 14.0 < first.distance_km < 16.0 and first.road_km == pytest.approx(first.distance_km * 1.3)
    assert not first.latent


def test_receivers_beyond_k_are_still_ranked_and_listed_as_cut_by_k():
    result = run(*cement_market(), k_per_offer=2)
    alternatives = [a for a in result.alternatives if a.offer_id == "O1"]
    assert [a.rank for a in alternatives] == [2, 3, 4, 5, 6]
    assert [a.reason for a in alternatives] == ["lower_score"] + ["cut_by_k"] * 4
    assert result.summary.cut_by_k == 6


def test_a_rank_counts_every_feasible_receiver_whatever_k_is():
    offers, wants, sites = cement_market(n_wants=12)
    ranks = {k: {a.want_id: a.rank for a in run(offers, wants, sites, k_per_offer=k).alternatives} for k in (1, 3, 20)}
    assert ranks[1] == ranks[3] == ranks[20] == {"W1": 2, "W2": 3, "W3": 4, "W4": 5, "W5": 6}


def test_a_receiver_whose_capacity_went_to_another_offer_says_so():
    # Both plants' ash is worth most at C0, which takes only 3 000 t: the nearer plant gets it.
    sites = [Site("P1", east(0.0), LAT, "4411"), Site("P2", east(-5.0), LAT, "4411"),
             Site("C0", east(10.0), LAT, "3011"), Site("C1", east(40.0), LAT, "3011")]
    offers = [Offer("O1", "P1", "coal-fly-ash", 3000.0, FLY_ASH, 20.0),
              Offer("O2", "P2", "coal-fly-ash", 3000.0, FLY_ASH, 20.0)]
    wants = [Want("W0", "C0", ("coal-fly-ash",), 3000.0, max_price_cny=90.0),
             Want("W1", "C1", ("coal-fly-ash",), 9000.0, max_price_cny=70.0)]
    result = run(offers, wants, sites)
    assert {(l.offer_id, l.want_id) for l in result.links} == {("O1", "W0"), ("O2", "W1")}
    lost = next(a for a in result.alternatives if a.offer_id == "O2")
    assert (lost.want_id, lost.rank, lost.reason) == ("W0", 1, "capacity_taken")
    assert lost.quantity == 3000.0


def test_a_latent_receiver_better_than_the_posted_want_lost_because_posted_wants_come_first():
    sites = [Site("PWR", 117.0, LAT, "4411"), Site("NEAR", east(5.0), LAT, "3011"), Site("FAR", east(60.0), LAT, "3011")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 4000.0, FLY_ASH, 20.0)]
    wants = [Want("W1", "FAR", ("coal-fly-ash",), 4000.0, max_price_cny=60.0)]
    result = run(offers, wants, sites, latent=True)
    assert [(l.want_id, l.receiver_site_id) for l in result.links] == [("W1", "FAR")]
    near = next(a for a in result.alternatives if a.receiver_site_id == "NEAR")
    assert (near.want_id, near.latent, near.rank, near.reason) == (None, True, 1, "posted_first")
    assert near.score > result.links[0].score


def test_alternatives_never_name_a_site_that_could_not_legally_take_the_stream():
    sites = [Site("GAR", 117.0, LAT, "8111"),
             Site("OK1", east(20.0), LAT, "7724", permit=Permit(("HW08",), 5000.0, dt.date(2030, 1, 1))),
             Site("OK2", east(30.0), LAT, "7724", permit=Permit(("HW08",), 5000.0, dt.date(2030, 1, 1))),
             Site("NOPERMIT", east(5.0), LAT, "7724"),
             Site("WRONG", east(6.0), LAT, "7724", permit=Permit(("HW31",), 5000.0, dt.date(2030, 1, 1))),
             Site("EXPIRED", east(7.0), LAT, "7724", permit=Permit(("HW08",), 5000.0, dt.date(2025, 1, 1)))]
    offers = [Offer("O1", "GAR", "waste-mineral-oil", 100.0, hazard_code="900-214-08")]
    wants = [Want(f"W-{s.id}", s.id, ("waste-mineral-oil",), 500.0) for s in sites[1:]]
    result = run(offers, wants, sites, latent=True)
    named = {l.receiver_site_id for l in result.links} | {a.receiver_site_id for a in result.alternatives}
    assert named == {"OK1", "OK2"}
    assert len(result.links) == 1 and len(result.alternatives) == 1


def test_alternatives_do_not_depend_on_input_order_and_serialise_to_json():
    offers, wants, sites = cement_market(n_wants=10)
    offers.append(Offer("O2", "C3", "fgd-gypsum", 100.0, {"caso4_2h2o_pct": 92.0}, 5.0))
    first = run(offers, wants, sites, latent=True)
    rng = random.Random(3)
    for shuffled in (offers, wants, sites):
        rng.shuffle(shuffled)
    again = run(offers, wants, sites, latent=True)
    assert first.alternatives == again.alternatives and first.alternatives
    data = json.loads(json.dumps(first.as_dict()))
    assert data["alternatives"][0].keys() >= {"offer_id", "want_id", "receiver_site_id", "route_id", "rank", "score",
                                              "net_benefit_cny", "distance_km", "latent", "reason"}
    assert {a["reason"] for a in data["alternatives"]} <= set(ALTERNATIVE_REASONS)


def test_alternatives_can_be_turned_off_and_are_bad_input_when_negative():
    assert run(*cement_market(), alternatives_per_offer=0).alternatives == ()
    assert len(run(*cement_market(), alternatives_per_offer=2).alternatives) == 2
    with pytest.raises(Exception, match="alternatives_per_offer must be a whole number"):
        run(*cement_market(), alternatives_per_offer=-1)
