"""The matcher through the web app's service and CLI: runs, stored links, the accept/decline workflow."""
import datetime as dt
import json
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Licence, Link, Listing, MatchRun, Site
from marketplace.services.matching import DecisionRefused, decide, side_of, start_run


@pytest.fixture
def demo_run(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["match", "run", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def sector_of(db, external_ref):
    return db.session.scalar(select(Site.sector_code).where(Site.external_ref == external_ref))


def receiver(link):
    return link.get("want") or link.get("receiver")


def test_demo_run_proposes_the_expected_exchanges(db, demo_run):
    links = demo_run["links"]
    assert demo_run["run"]["id"] and demo_run["run"]["counts"]["links"] == len(links) > 50
    for link in links:
        assert link["distance_km"] >= 0 and link["quantity"] > 0
        assert {"transport_cost_cny", "net_benefit_cny", "co2_avoided_t", "score", "same_park", "coupling"} <= set(link)
        assert link["explanation"]["zh"] and link["explanation"]["en"]

    def flows(material_prefix, *, supplier_sectors, receiver_sectors):
        return [k for k in links if k["offer"]["material_code"].startswith(material_prefix)
                and sector_of(db, k["offer"]["site_id"]).startswith(supplier_sectors)
                and sector_of(db, receiver(k)["site_id"]).startswith(receiver_sectors)]

    assert flows("coal-fly-ash", supplier_sectors=("441",), receiver_sectors=("3011", "3021"))
    assert flows("fgd-gypsum", supplier_sectors=("441",), receiver_sectors=("3024",))
    assert flows("fgd-gypsum", supplier_sectors=("441",), receiver_sectors=("3011",))
    assert flows("steel-slag", supplier_sectors=("31",), receiver_sectors=("3011", "3021", "3099", "3024"))
    assert flows("coke-oven-gas", supplier_sectors=("2521", "31"), receiver_sectors=("26", "252"))


def test_batteries_and_hazardous_waste_go_only_to_licensed_receivers(db, demo_run):
    for link in demo_run["links"]:
        code = link["offer"]["material_code"]
        site = db.session.scalar(select(Site).where(Site.external_ref == receiver(link)["site_id"]))
        licences = db.session.scalars(select(Licence).where(Licence.organisation_id == site.organisation_id)).all()
        if code.startswith("retired-") and "battery" in code:
            assert any(l.kind == "battery_listing" for l in licences), link
        offer = db.session.get(Listing, link["offer"]["listing_id"])
        if offer.hazard_code:
            permits = [l for l in licences if l.kind == "hw_permit"]
            assert any(offer.hazard_code in l.hw_code_list or f"HW{offer.hazard_code[-2:]}" in l.hw_code_list
                       for l in permits), link


def test_latent_mode_finds_users_that_posted_no_want(runner, db, demo_run):
    result = runner.invoke(args=["match", "run", "--latent", "--format", "json"])
    latent = [k for k in json.loads(result.output)["links"] if k["latent"]]
    assert latent
    for link in latent:
        site = db.session.scalar(select(Site).where(Site.external_ref == link["receiver"]["site_id"]))
        wants = db.session.scalar(select(func.count(Listing.id)).where(Listing.site_id == site.id,
                                                                       Listing.kind == "want"))
        assert "want" not in link and link["receiver"]["listing_id"] is None
        assert wants == 0 or link["offer"]["material_code"] not in {
            code for l in db.session.scalars(select(Listing).where(Listing.site_id == site.id)) for code in l.material_codes}


def test_unknown_park_and_failed_runs_store_nothing(runner, db, make_listing, monkeypatch):
    make_listing()
    result = runner.invoke(args=["match", "run", "--park", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output

    from matching.errors import MatchingError
    import marketplace.services.match_runs as service

    def broken(*args, **kwargs):
        raise MatchingError("site 7 has no coordinates")

    monkeypatch.setattr(service, "run_matching", broken)
    result = runner.invoke(args=["match", "run"])
    assert result.exit_code == 1 and "no coordinates" in result.output
    assert db.session.scalar(select(func.count(MatchRun.id))) == 0


@pytest.fixture
def competing_links(db, make_org, make_site, make_listing):
    """One offer of 100 t/yr and two wants of 70 t/yr each: both links cannot be agreed."""
    supplier = make_org()
    offer_site = make_site(organisation=supplier, sector_code="4411", lonlat=(117.20, 31.80))
    offer = make_listing(site=offer_site, kind="offer", material="coal-fly-ash", quantity=100)
    links = []
    run = MatchRun(parameters={}, timings={}, counts={})
    db.session.add(run)
    for i in range(2):
        buyer = make_org()
        site = make_site(organisation=buyer, sector_code="3011", lonlat=(117.25 + i * 0.05, 31.85))
        want = make_listing(site=site, kind="want", material="coal-fly-ash", quantity=70)
        link = Link(run=run, offer_id=offer.id, want_id=want.id, supplier_site_id=offer_site.id,
                    receiver_site_id=site.id, material_code="coal-fly-ash", quantity=70, unit="t", distance_km=7,
                    transport_cost_cny=3, net_benefit_cny=100, co2_avoided_t=5, score=1, explanation_zh="测试",
                    explanation_en="test", status="proposed", receiver_decision="accepted")
        db.session.add(link)
        links.append(link)
    db.session.commit()
    return supplier, offer, links


def test_both_sides_accepting_reserves_the_tonnage(db, competing_links, make_org):
    supplier, offer, (first, second) = competing_links
    with pytest.raises(DecisionRefused, match="not a party"):
        decide(first.id, organisation=make_org(), accept=True)
    decide(first.id, organisation=supplier, accept=True)
    db.session.expire_all()
    assert db.session.get(Link, first.id).status == "agreed"
    assert db.session.get(Listing, offer.id).committed_quantity == 70
    assert db.session.get(Listing, offer.id).status == "partly_matched"
    assert db.session.get(Listing, first.want_id).status == "matched"
    with pytest.raises(DecisionRefused, match="only 30"):
        decide(second.id, organisation=supplier, accept=True)
    db.session.expire_all()
    assert db.session.get(Link, second.id).status == "proposed"
    assert db.session.get(Listing, offer.id).committed_quantity == 70
    with pytest.raises(DecisionRefused, match="agreed"):
        decide(first.id, organisation=supplier, accept=False)


def test_decline_ends_the_link(db, competing_links):
    supplier, offer, (first, _) = competing_links
    decide(first.id, organisation=supplier, accept=False)
    db.session.expire_all()
    assert db.session.get(Link, first.id).status == "declined"
    assert db.session.get(Listing, offer.id).committed_quantity == 0


def test_racing_acceptances_never_over_commit(app, db, competing_links):
    """Two sessions accept the two competing links at the same moment (PostgreSQL: real row locks; SQLite:
    the write lock taken before the listings are read). More races in test_races.py."""
    supplier, offer, links = competing_links
    supplier_id, offer_id, link_ids = supplier.id, offer.id, [link.id for link in links]
    barrier = threading.Barrier(2)
    outcomes = {}

    def accept(link_id):
        from marketplace.models import Organisation

        with app.app_context():
            organisation = db.session.get(Organisation, supplier_id)
            barrier.wait()
            try:
                decide(link_id, organisation=organisation, accept=True)
                outcomes[link_id] = "agreed"
            except DecisionRefused as exc:
                outcomes[link_id] = str(exc)
            finally:
                db.session.remove()

    for _ in range(5):  # several rounds, each from a fresh state, to give the race room to show
        threads = [threading.Thread(target=accept, args=(link_id,)) for link_id in link_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        db.session.expire_all()
        assert sorted(v == "agreed" for v in outcomes.values()) == [False, True], outcomes
        assert db.session.get(Listing, offer_id).committed_quantity == 70
        assert sum(l.status == "agreed" for l in db.session.scalars(select(Link))) == 1
        # Reset for the next round.
        for link in db.session.scalars(select(Link)):
            link.status, link.supplier_decision = "proposed", None
        for listing in db.session.scalars(select(Listing)):
            listing.committed_quantity, listing.status = 0.0, "published"
        db.session.commit()
        outcomes.clear()


# ---------------------------------------------------------------------------------------------
# A new run against the links already stored


def fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def pairs(run) -> set:
    return {(link.offer_id, link.want_id) for link in run.links}


def link_for(run, exchange) -> Link:
    (link,) = [k for k in run.links if (k.offer_id, k.want_id) == (exchange.offer.id, exchange.want.id)]
    return link


def make_exchange(make_site, make_listing, *, supplier_park=None, receiver_park=None, lonlat=(117.2, 31.8),
                  organisation=None):
    """A power plant's fly ash (10 000 t/yr) and a cement plant 2 km away that wants 6 000 t/yr of it."""
    lon, lat = lonlat
    owner = {"organisation": organisation} if organisation is not None else {}
    power = make_site(sector_code="4411", park=supplier_park, lonlat=(lon, lat), **owner)
    cement = make_site(sector_code="3011", park=receiver_park, lonlat=(lon + 0.015, lat + 0.01), **owner)
    return SimpleNamespace(power=power, cement=cement, supplier=power.organisation, receiver=cement.organisation,
                           offer=make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000),
                           want=make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000))


@pytest.fixture
def two_parks(make_park, make_site, make_listing):
    """Two parks about 300 km apart (390 km of road, beyond any road radius of fly ash), each with a power plant
    and a cement plant that takes its fly ash."""
    west = make_park(code="WEST", centre=(117.2, 31.8))
    east = make_park(code="EAST", centre=(119.6, 30.0))
    return SimpleNamespace(
        west=west, east=east,
        in_west=make_exchange(make_site, make_listing, supplier_park=west, receiver_park=west, lonlat=(117.2, 31.8)),
        in_east=make_exchange(make_site, make_listing, supplier_park=east, receiver_park=east, lonlat=(119.6, 30.0)))


def test_a_park_run_supersedes_only_the_unanswered_proposals_of_its_own_park(db, two_parks):
    west, east = two_parks.in_west, two_parks.in_east
    province = start_run()
    assert pairs(province) == {(west.offer.id, west.want.id), (east.offer.id, east.want.id)}
    west_link, east_link = link_for(province, west), link_for(province, east)

    west_run = start_run(park=two_parks.west)
    assert pairs(west_run) == {(west.offer.id, west.want.id)}
    assert fresh(db, Link, west_link.id).status == "superseded"
    assert fresh(db, Link, east_link.id).status == "proposed"  # another park's proposal is left alone
    assert west_run.counts["superseded"] == 1

    again = start_run()  # the province: every unanswered proposal
    assert fresh(db, Link, east_link.id).status == "superseded"
    assert fresh(db, Link, link_for(west_run, west).id).status == "superseded"
    assert {fresh(db, Link, k.id).status for k in again.links} == {"proposed"}
    assert again.counts["superseded"] == 2


@pytest.mark.parametrize("side_in_park", ["supplier", "receiver"])
def test_a_park_run_reaches_proposals_with_either_side_in_the_park(db, make_park, make_site, make_listing,
                                                                   side_in_park):
    park = make_park(code="HOME", centre=(117.2, 31.8))
    elsewhere = make_park(code="AWAY", centre=(116.0, 32.5))
    exchange = make_exchange(make_site, make_listing, **{f"{side_in_park}_park": park})
    (link,) = start_run().links
    assert start_run(park=elsewhere).links == []
    assert fresh(db, Link, link.id).status == "proposed"
    (again,) = start_run(park=park).links  # the engine pairs it again for this park, so it is replaced
    assert (again.offer_id, again.want_id) == (exchange.offer.id, exchange.want.id)
    assert fresh(db, Link, link.id).status == "superseded"


def test_an_answered_proposal_stays_and_is_not_proposed_a_second_time(db, two_parks):
    west = two_parks.in_west
    province = start_run()
    waiting = link_for(province, west)
    decide(waiting.id, organisation=west.supplier, accept=True)

    for run in (start_run(park=two_parks.west), start_run()):
        assert (west.offer.id, west.want.id) not in pairs(run)
        assert run.counts["already_proposed"] == 1 and run.counts["links"] == len(run.links)
        link = fresh(db, Link, waiting.id)
        assert (link.status, link.supplier_decision, link.receiver_decision) == ("proposed", "accepted", None)

    decide(waiting.id, organisation=west.receiver, accept=True)
    assert fresh(db, Link, waiting.id).status == "agreed"
    assert fresh(db, Listing, west.offer.id).committed_quantity == pytest.approx(6_000)


def test_a_half_answered_proposal_lapses_after_its_lifetime(db, two_parks):
    from marketplace.services.matching import PROPOSAL_LIFETIME

    west = two_parks.in_west
    province = start_run()
    waiting = link_for(province, west)
    decide(waiting.id, organisation=west.supplier, accept=True)
    run = db.session.get(MatchRun, province.id)
    run.created_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - PROPOSAL_LIFETIME + dt.timedelta(days=1)
    db.session.commit()
    assert (west.offer.id, west.want.id) not in pairs(start_run())  # still within its lifetime: it waits

    run.created_at -= dt.timedelta(days=2)
    db.session.commit()
    later = start_run()
    assert fresh(db, Link, waiting.id).status == "superseded"
    assert (west.offer.id, west.want.id) in pairs(later)  # proposed afresh, to be answered anew


def test_runs_after_an_agreement_propose_only_further_tonnes(db, make_site, make_listing):
    exchange = make_exchange(make_site, make_listing)
    (link,) = start_run().links
    for organisation in (exchange.supplier, exchange.receiver):
        decide(link.id, organisation=organisation, accept=True)
    assert fresh(db, Listing, exchange.want.id).status == "matched"

    run = start_run()  # the want is filled: nothing new, and the agreement stands
    assert run.links == [] and run.counts["agreements"] == 1
    assert fresh(db, Link, link.id).status == "agreed"

    want = fresh(db, Listing, exchange.want.id)  # the cement plant now needs 3 000 t/yr more
    want.annual_quantity, want.status = 9_000, "partly_matched"
    db.session.commit()
    (more,) = start_run().links
    assert (more.offer_id, more.want_id, more.status) == (exchange.offer.id, exchange.want.id, "proposed")
    assert more.quantity == pytest.approx(3_000)
    assert fresh(db, Link, link.id).status == "agreed"


# ---------------------------------------------------------------------------------------------
# Answers: who may answer what, and when


@pytest.fixture
def proposal(db, make_site, make_listing):
    exchange = make_exchange(make_site, make_listing)
    (link,) = start_run().links
    exchange.link = link
    return exchange


def test_an_acceptance_may_be_withdrawn_while_the_other_side_has_not_answered(db, proposal):
    decide(proposal.link.id, organisation=proposal.supplier, accept=True)
    decide(proposal.link.id, organisation=proposal.supplier, accept=False)
    link = fresh(db, Link, proposal.link.id)
    assert (link.status, link.supplier_decision, link.receiver_decision) == ("declined", "declined", None)
    with pytest.raises(DecisionRefused, match="the link is declined"):
        decide(proposal.link.id, organisation=proposal.receiver, accept=True)
    assert fresh(db, Listing, proposal.offer.id).committed_quantity == 0


def test_the_same_answer_twice_changes_nothing(db, proposal):
    decide(proposal.link.id, organisation=proposal.supplier, accept=True)
    link = decide(proposal.link.id, organisation=proposal.supplier, accept=True)
    assert (link.status, link.supplier_decision, link.receiver_decision) == ("proposed", "accepted", None)

    decide(proposal.link.id, organisation=proposal.receiver, accept=True)
    link = decide(proposal.link.id, organisation=proposal.receiver, accept=True)  # a resent form
    assert link.status == "agreed"
    assert fresh(db, Listing, proposal.offer.id).committed_quantity == pytest.approx(6_000)  # reserved once
    with pytest.raises(DecisionRefused, match="the link is agreed"):
        decide(proposal.link.id, organisation=proposal.supplier, accept=False)


def test_a_decline_stands(db, proposal):
    decide(proposal.link.id, organisation=proposal.receiver, accept=False)
    assert decide(proposal.link.id, organisation=proposal.receiver, accept=False).status == "declined"
    with pytest.raises(DecisionRefused, match="the link is declined"):
        decide(proposal.link.id, organisation=proposal.receiver, accept=True)


def test_an_acceptance_after_the_other_side_declined_is_refused(db, proposal):
    decide(proposal.link.id, organisation=proposal.supplier, accept=True)
    decide(proposal.link.id, organisation=proposal.receiver, accept=False)
    with pytest.raises(DecisionRefused, match="the link is declined"):
        decide(proposal.link.id, organisation=proposal.supplier, accept=True)


@pytest.mark.parametrize(("accept", "status", "decision", "committed"), [
    (True, "agreed", "accepted", 6_000), (False, "declined", "declined", 0)])
def test_an_organisation_moving_material_between_its_own_sites_answers_for_both(
        db, make_org, make_site, make_listing, accept, status, decision, committed):
    exchange = make_exchange(make_site, make_listing, organisation=make_org())
    (link,) = start_run().links
    assert side_of(link, exchange.supplier) == "both"
    decide(link.id, organisation=exchange.supplier, accept=accept)
    link = fresh(db, Link, link.id)
    assert (link.status, link.supplier_decision, link.receiver_decision) == (status, decision, decision)
    assert fresh(db, Listing, exchange.offer.id).committed_quantity == pytest.approx(committed)
    assert fresh(db, Listing, exchange.want.id).committed_quantity == pytest.approx(committed)


def test_a_stream_the_knowledge_base_does_not_know_is_matched_by_name_and_stored_with_its_pseudo_code(
        db, make_site, make_listing):
    name = "spent kimchi marinade from the Zhang family pickle works, second tank"  # longer than any material code
    maker = make_site(sector_code="1371", lonlat=(117.20, 31.80), name_zh="腌菜厂", name_en="Pickle works")
    user = make_site(sector_code="2662", lonlat=(117.30, 31.80), name_zh="助剂厂", name_en="Additives plant")
    other = make_site(sector_code="2662", lonlat=(117.25, 31.80))
    offer = make_listing(site=maker, kind="offer", material=name, quantity=800, price_cny=5)
    want = make_listing(site=user, kind="want", material=name.upper(), quantity=500, price_cny=40)
    make_listing(site=other, kind="want", material="spent kimchi marinade", quantity=500, price_cny=40)
    code = offer.engine_codes[0]
    assert code.startswith("name:") and len(code) > 40 and list(want.engine_codes) == [code]
    run = start_run(latent=True)
    (link,) = run.links
    assert (link.offer_id, link.want_id, link.material_code, link.route_id) == (offer.id, want.id, code, None)
    assert link.quantity == 500 and link.net_benefit_cny == pytest.approx((35 - 0.45 * link.distance_km * 1.3) * 500)
    assert "matched by name only" in link.explanation_en and "仅按名称匹配" in link.explanation_zh
    assert name in link.explanation_en  # the supplier's own words
