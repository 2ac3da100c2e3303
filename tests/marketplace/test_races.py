"""Requests racing each other with real threads: answers to one link, a close or an edit against an
acceptance, imports of one file. Each request is a real HTTP request (the test client) or service call
in an app context of its own, so each has its own session and database connection, as under a server.

On PostgreSQL the rows are locked (SELECT … FOR UPDATE); on SQLite the write lock is taken before the
rows are read. Every race runs many rounds from a fresh state, released together by a barrier: the bug
behind finding 7 of issue 10 (both acceptances of one link stored, the link stuck proposed with nothing
reserved) showed in 7 of 8 rounds.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from marketplace.models import Link, Listing, MatchRun, Organisation, Site
from marketplace.services.accounts import issue_api_token
from marketplace.services.imports import import_tables
from marketplace.services.imports.files import read_import_file

ROUNDS = 12


def run_together(app, *calls: Callable[[], object]) -> list[object]:
    """Run each call in its own thread and app context, all released at once; their results (or exceptions)."""
    from marketplace.extensions import db

    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = call()
            except Exception as exc:  # noqa: BLE001 - the test asserts on what each call met
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing request never finished (deadlock?)"
    return results


class Exchange:
    """A supplier's offer and a receiver's want, with an API token for each side."""

    def __init__(self, factories, *, offer_t=100_000.0, want_t=100_000.0):
        supplier, receiver = factories.org(), factories.org()
        self.offer_site = factories.site(organisation=supplier, sector_code="4411", lonlat=(117.20, 31.80))
        self.want_site = factories.site(organisation=receiver, sector_code="3011", lonlat=(117.25, 31.85))
        self.offer = factories.listing(site=self.offer_site, kind="offer", quantity=offer_t)
        self.want = factories.listing(site=self.want_site, kind="want", quantity=want_t)
        self.supplier_user = factories.user("plant", organisation=supplier)
        self.receiver_user = factories.user("recycler", organisation=receiver)
        self.supplier_token = issue_api_token(self.supplier_user)
        self.receiver_token = issue_api_token(self.receiver_user)
        self.db = factories.db

    def propose(self, quantity: float, **decisions) -> int:
        run = MatchRun(parameters={}, timings={}, counts={})
        link = Link(run=run, offer_id=self.offer.id, want_id=self.want.id, supplier_site_id=self.offer_site.id,
                    receiver_site_id=self.want_site.id, material_code="coal-fly-ash", quantity=quantity, unit="t",
                    distance_km=7, transport_cost_cny=3, net_benefit_cny=100, co2_avoided_t=5, score=1,
                    explanation_zh="测试", explanation_en="test", status="proposed", **decisions)
        self.db.session.add_all([run, link])
        self.db.session.commit()
        return link.id


def api_post(app, url: str, token: str, body: dict | None = None, *, language: str = "en"):
    """One API request in an app context of its own (a request inside the test's context would share its
    session and signed-in user), answered in ``language`` (English unless a test asks for the default, zh)."""
    from marketplace.extensions import db

    with app.app_context():
        try:
            return app.test_client().post(url, json=body, headers={"Authorization": f"Bearer {token}",
                                                                   "Accept-Language": language})
        finally:
            db.session.remove()


def answer(app, link_id: int, token: str, accept: bool = True, *, language: str = "en"):
    return lambda: api_post(app, f"/api/v1/links/{link_id}/decision", token, {"accept": accept}, language=language)


def fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# ---------------------------------------------------------------------------------------------------- accepts


def test_supplier_and_receiver_accepting_at_once_always_agree_and_reserve(app, db, factories):
    """The reproducer: both sides accept the same link at the same moment, round after round."""
    exchange = Exchange(factories)
    for round_ in range(1, ROUNDS + 1):
        link_id = exchange.propose(10)
        supplier, receiver = run_together(app, answer(app, link_id, exchange.supplier_token),
                                          answer(app, link_id, exchange.receiver_token))
        assert (supplier.status_code, receiver.status_code) == (200, 200), (supplier.json, receiver.json)
        link = fresh(db, Link, link_id)
        assert (link.status, link.supplier_decision, link.receiver_decision) == ("agreed", "accepted", "accepted"), \
            f"round {round_}"
        assert link.agreed_at is not None
        # Whichever answered second saw the other's acceptance and made the link agreed.
        assert "agreed" in {supplier.json["status"], receiver.json["status"]}
        assert fresh(db, Listing, exchange.offer.id).committed_quantity == pytest.approx(10 * round_)
        assert fresh(db, Listing, exchange.want.id).committed_quantity == pytest.approx(10 * round_)


def test_accept_and_decline_at_once_end_in_one_consistent_state(app, db, factories):
    exchange = Exchange(factories)
    agreed = 0
    for _ in range(ROUNDS):
        link_id = exchange.propose(10)
        supplier, receiver = run_together(app, answer(app, link_id, exchange.supplier_token, accept=True),
                                          answer(app, link_id, exchange.receiver_token, accept=False))
        link = fresh(db, Link, link_id)
        assert supplier.status_code in (200, 409) and receiver.status_code in (200, 409)
        # The receiver's decline comes first (link declined, the acceptance refused) or after the
        # acceptance (declined too: one side's acceptance alone reserves nothing and may be declined).
        assert link.status == "declined" and link.receiver_decision == "declined"
        assert supplier.status_code == 409 or link.supplier_decision == "accepted"
        assert fresh(db, Listing, exchange.offer.id).committed_quantity == agreed * 10


def test_racing_acceptances_for_the_last_tonnes_never_over_commit(app, db, factories):
    """Two receivers' links on one offer that holds enough for one: exactly one is agreed, every round."""
    exchange = Exchange(factories, offer_t=70)
    other_org = factories.org()
    other_site = factories.site(organisation=other_org, sector_code="3011", lonlat=(117.3, 31.85))
    other_want = factories.listing(site=other_site, kind="want", quantity=100)
    for _ in range(ROUNDS):
        first = exchange.propose(70, receiver_decision="accepted")
        run = MatchRun(parameters={}, timings={}, counts={})
        second = Link(run=run, offer_id=exchange.offer.id, want_id=other_want.id,
                      supplier_site_id=exchange.offer_site.id, receiver_site_id=other_site.id,
                      material_code="coal-fly-ash", quantity=70, unit="t", distance_km=9, transport_cost_cny=3,
                      net_benefit_cny=100, co2_avoided_t=5, score=1, explanation_zh="测试", explanation_en="test",
                      status="proposed", receiver_decision="accepted")
        db.session.add_all([run, second])
        db.session.commit()
        answers = run_together(app, answer(app, first, exchange.supplier_token),
                               answer(app, second.id, exchange.supplier_token))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.json for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json["message"] == f"only 0 t a year are left on listing {exchange.offer.id}; the link needs 70"
        statuses = sorted(fresh(db, Link, i).status for i in (first, second.id))
        assert statuses == ["agreed", "proposed"]
        offer = fresh(db, Listing, exchange.offer.id)
        assert (offer.committed_quantity, offer.status) == (70, "matched")
        # Next round from a fresh state.
        for link in db.session.scalars(select(Link)):
            link.status = "superseded"
        for listing in db.session.scalars(select(Listing)):
            listing.committed_quantity, listing.status = 0.0, "published"
        db.session.commit()


# ------------------------------------------------------------------------------------------ close and edit


def close(app, listing_id: int, token: str):
    return lambda: api_post(app, f"/api/v1/listings/{listing_id}/close", token)


def test_closing_an_offer_declines_its_open_proposals_and_a_later_accept_is_refused(app, db, factories):
    exchange = Exchange(factories)
    open_link = exchange.propose(10, receiver_decision="accepted")
    agreed_link = exchange.propose(20)
    for token in (exchange.supplier_token, exchange.receiver_token):
        assert answer(app, agreed_link, token)().status_code == 200
    assert close(app, exchange.offer.id, exchange.supplier_token)().status_code == 200

    link = fresh(db, Link, open_link)
    assert (link.status, link.supplier_decision, link.receiver_decision) == ("declined", "declined", "accepted")
    assert fresh(db, Link, agreed_link).status == "agreed"  # an agreement made before stands
    refused = answer(app, open_link, exchange.supplier_token)()
    assert refused.status_code == 409
    assert refused.json["message"] == "the offer is no longer published; the link can no longer be answered"
    in_chinese = answer(app, open_link, exchange.supplier_token, language="zh")()  # the default language
    assert (in_chinese.status_code, in_chinese.json["message"]) == (409, "该供应信息已不再发布，此对接无法再答复")
    offer = fresh(db, Listing, exchange.offer.id)
    assert (offer.status, offer.committed_quantity) == ("closed", 20)


def test_a_proposal_on_a_closed_listing_cannot_be_accepted(app, db, factories):
    """Even a proposal the close did not decline (stored by a run that read the listing before it closed)."""
    exchange = Exchange(factories)
    assert close(app, exchange.want.id, exchange.receiver_token)().status_code == 200
    link_id = exchange.propose(10, receiver_decision="accepted")
    refused = answer(app, link_id, exchange.supplier_token)()
    assert refused.status_code == 409
    assert refused.json["message"] == "the want is no longer published; the link can no longer be answered"
    in_chinese = answer(app, link_id, exchange.supplier_token, language="zh")()
    assert (in_chinese.status_code, in_chinese.json["message"]) == (409, "该需求信息已不再发布，此对接无法再答复")
    link = fresh(db, Link, link_id)
    assert (link.status, link.supplier_decision) == ("proposed", None)
    want = fresh(db, Listing, exchange.want.id)
    assert (want.status, want.committed_quantity) == ("closed", 0)


def test_close_racing_the_last_acceptance_never_reopens_the_listing(app, db, factories):
    exchange = Exchange(factories)
    for _ in range(ROUNDS):
        link_id = exchange.propose(10, receiver_decision="accepted")
        accepted, closed = run_together(app, answer(app, link_id, exchange.supplier_token),
                                        close(app, exchange.offer.id, exchange.supplier_token))
        assert closed.status_code == 200, closed.json
        assert accepted.status_code in (200, 409), accepted.json
        link = fresh(db, Link, link_id)
        offer = fresh(db, Listing, exchange.offer.id)
        assert offer.status == "closed"  # never reopened by the acceptance
        if accepted.status_code == 200:  # the acceptance came first: an agreement, closed with its tonnes
            assert link.status == "agreed"
        else:  # the close came first: the proposal was declined, nothing reserved
            assert link.status == "declined" and accepted.json["message"] == (
                "the offer is no longer published; the link can no longer be answered")
        assert offer.committed_quantity == 10 * sum(
            1 for l in db.session.scalars(select(Link).where(Link.status == "agreed")))
        offer.status = "published"
        db.session.commit()


def test_an_edit_racing_an_acceptance_waits_and_then_answers_clearly(app, db, factories):
    """The supplier cuts the offer below a link's tonnes while the last acceptance comes in: one of them
    wins, the other is refused by name; never a 500 or a committed quantity above the offer's."""
    from tests.marketplace.test_listings import listing_form

    exchange = Exchange(factories, offer_t=100)
    editor = app.test_client()
    with app.app_context():  # its own context: the test's would keep the signed-in user for later requests
        assert editor.post("/auth/login", data={"email": exchange.supplier_user.email,
                                                "password": "correct horse"}).status_code == 302
        editor.get("/lang/en")
        db.session.remove()

    def edit():
        return editor.post(f"/listings/{exchange.offer.id}/edit",
                           data=listing_form(exchange.offer_site, quantity="50", save="Save"))

    for _ in range(ROUNDS):
        link_id = exchange.propose(70, receiver_decision="accepted")

        accepted, edited = run_together(app, answer(app, link_id, exchange.supplier_token), edit)
        assert accepted.status_code in (200, 409) and edited.status_code in (302, 400), \
            (accepted.status_code, edited.status_code)
        offer = fresh(db, Listing, exchange.offer.id)
        assert offer.committed_quantity <= offer.annual_quantity
        if accepted.status_code == 200:  # the acceptance first: the edit is refused, naming the quantity
            assert edited.status_code == 400
            assert "already promised to agreed links" in edited.get_data(as_text=True)
            assert (offer.annual_quantity, offer.committed_quantity) == (100, 70)
        else:  # the edit first: too few tonnes are left for the link
            assert edited.status_code == 302
            assert "only 50 t a year are left" in accepted.json["message"]
            assert (offer.annual_quantity, offer.committed_quantity) == (50, 0)
        # Next round from the first state.
        for link in db.session.scalars(select(Link)):
            link.status = "superseded"
        offer.quantity = offer.annual_quantity = 100
        offer.committed_quantity, offer.status = 0.0, "published"
        db.session.commit()


# ------------------------------------------------------------------------------------------------ imports

SITES_CSV = ("site_id,name,org,sector,lon,lat,credit_code\n"
             "R-1,并发电厂,并发能源有限公司,4411,117.21,31.83,\n"
             "R-2,并发水泥厂,并发能源有限公司,3011,117.25,31.86,\n").encode()
LISTINGS_CSV = ("site_id,kind,material,quantity,unit\n"
                "R-1,offer,粉煤灰,12000,t/yr\n"
                "R-1,offer,脱硫石膏,8000,t/yr\n"
                "R-2,want,粉煤灰,5000,t/yr\n").encode()


def importing(app, content: bytes, filename: str, organisation_id: int | None = None):
    def call():
        from marketplace.extensions import db

        acting = db.session.get(Organisation, organisation_id) if organisation_id else None
        return import_tables(read_import_file(content, filename=filename), acting_organisation=acting)
    return call


def test_four_site_imports_of_one_file_at_once_store_its_rows_once(app, db):
    """An administrator's file that creates an organisation and two sites, imported four times at once."""
    for round_ in range(4):
        results = run_together(app, *[importing(app, SITES_CSV, "sites.csv") for _ in range(4)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert db.session.scalar(select(func.count(Organisation.id))) == 1
        assert db.session.scalar(select(func.count(Site.id))) == 2
        if round_ == 0:
            assert sorted(r.sites.sites_created for r in results) == [0, 0, 0, 2]
            assert sum(r.sites.organisations_created for r in results) == 1


def test_four_listing_imports_of_one_file_at_once_store_its_rows_once(app, db):
    """The reproducer: four imports of one 3-row file stored 9 to 12 rows."""
    import_tables(read_import_file(SITES_CSV, filename="sites.csv"))
    organisation_id = db.session.scalar(select(Organisation.id))
    for round_ in range(4):
        results = run_together(app, *[importing(app, LISTINGS_CSV, "listings.csv", organisation_id)
                                      for _ in range(4)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert db.session.scalar(select(func.count(Listing.id))) == 3, f"round {round_}"
        assert sum(r.listings.created for r in results) == (3 if round_ == 0 else 0)
        assert all(r.listings.created + r.listings.unchanged == 3 for r in results)


def test_a_site_created_twice_at_once_is_refused_by_name(app, db, factories):
    user = factories.user("plant")
    token = issue_api_token(user)
    body = {"site_id": "DUP-1", "name": "并发厂区", "sector": "3011", "lon": 117.22, "lat": 31.84}

    def create():
        return api_post(app, "/api/v1/sites", token, body)

    for round_ in range(6):
        body["site_id"] = f"DUP-{round_}"
        answers = run_together(app, create, create)
        assert sorted(a.status_code for a in answers) == [201, 422], [a.get_data(as_text=True) for a in answers]
        refused = next(a for a in answers if a.status_code == 422)
        assert refused.json["errors"]["json"]["site_id"] == [f"your organisation already has a site 'DUP-{round_}'"]
    assert db.session.scalar(select(func.count(Site.id))) == 6


def test_one_listing_posted_twice_at_once_is_stored_once(app, db, factories):
    """A double-clicked form: the same listing twice at the same moment. The unique content hash keeps one;
    the other is refused by name, whichever check (the look-up, or the key at commit) catches it."""
    user = factories.user("plant")
    site = factories.site(organisation=user.organisation, sector_code="4411")
    token = issue_api_token(user)
    for round_ in range(6):
        body = {"site_id": site.external_ref, "kind": "offer", "material": "粉煤灰", "quantity": 1000 + round_}
        answers = run_together(app, *[lambda: api_post(app, "/api/v1/listings", token, body)] * 2)
        assert sorted(a.status_code for a in answers) == [201, 422], [a.get_data(as_text=True) for a in answers]
        refused = next(a for a in answers if a.status_code == 422)
        assert list(refused.json["errors"]["json"]) == ["listing"]
        assert db.session.scalar(select(func.count(Listing.id))) == round_ + 1
    again = api_post(app, "/api/v1/listings", token, body)
    assert again.status_code == 422
    assert again.json["errors"]["json"]["listing"] == [
        f"listing {db.session.scalar(select(func.max(Listing.id)))} (draft) at this site has exactly this content "
        "already; change that one or this one"]
    in_chinese = api_post(app, "/api/v1/listings", token, body, language="zh")  # the status in words too
    assert in_chinese.json["errors"]["json"]["listing"] == [
        f"该厂区的供需信息 {db.session.scalar(select(func.max(Listing.id)))}（草稿）内容完全相同；请修改其中一条"]


def test_the_link_page_says_why_an_accept_after_a_close_is_refused(app, db, factories):
    exchange = Exchange(factories)
    link_id = exchange.propose(10, supplier_decision="accepted")
    assert close(app, exchange.want.id, exchange.receiver_token)().status_code == 200
    receiver = app.test_client()
    with app.app_context():  # its own context, so the signed-in user is not kept in the test's
        assert receiver.post("/auth/login", data={"email": exchange.receiver_user.email,
                                                  "password": "correct horse"}).status_code == 302
        page = receiver.post(f"/links/{link_id}/decision", data={"decision": "accept"}, follow_redirects=True)
        db.session.remove()
    assert page.status_code == 200
    # in the page's language, Chinese by default
    assert "该需求信息已不再发布，此对接无法再答复" in page.get_data(as_text=True)
    assert fresh(db, Link, link_id).status == "declined"
