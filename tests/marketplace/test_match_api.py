"""Match runs and link decisions through the JSON API."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Link, Listing, MatchRun
from marketplace.services.accounts import issue_api_token
from marketplace.services.matching import start_run

from .run_jobs import wait_for_run


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.fixture
def world(make_org, make_park, make_site, make_listing, make_user):
    """The power plant's anonymous fly-ash offer (first park) and a cement plant's want (second park)."""
    first = make_park(code="FIRST", centre=(117.2, 31.8))
    second = make_park(code="SECOND", centre=(117.5, 31.8))
    power = make_site(sector_code="4411", park=first, lonlat=(117.213, 31.812), name_zh="甲电厂", name_en="Plant A",
                      external_ref="PWR-1")
    cement = make_site(sector_code="3011", park=second, lonlat=(117.5, 31.8), name_zh="乙水泥厂",
                       external_ref="CEM-1")
    offer = make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000, visibility="anonymous")
    want = make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    users = {"supplier": make_user("plant", organisation=power.organisation),
             "receiver": make_user("plant", organisation=cement.organisation),
             "outsider": make_user("recycler"), "manager": make_user("park_manager", parks=[first]),
             "other_manager": make_user("park_manager", parks=[second]), "admin": make_user("admin")}
    return SimpleNamespace(first=first, second=second, offer=offer, want=want,
                           headers={name: bearer(user) for name, user in users.items()})


def run_count(db) -> int:
    return db.session.scalar(select(func.count(MatchRun.id)))


def test_a_park_manager_starts_a_run_for_its_park(client, db, world):
    response = client.post("/api/v1/match-runs", headers=world.headers["manager"], json={"park": "FIRST"})
    assert response.status_code == 202, response.json  # queued: a worker runs it
    queued = response.json["run"]
    assert response.headers["Location"] == queued["url"]
    assert queued["url"].endswith(f"/api/v1/match-runs/{queued['id']}")
    assert queued["status"] in ("queued", "running", "done") and queued["park"] == "FIRST"
    assert wait_for_run(db, queued["id"]).status == "done"
    data = client.get(response.headers["Location"], headers=world.headers["manager"]).json
    assert data["run"]["status"] == "done" and data["run"]["step"] == "done" and data["run"]["error"] is None
    assert data["run"]["id"] and data["run"]["park"] == "FIRST" and data["run"]["latent"] is False
    assert data["run"]["parameters"]["park"] == "FIRST" and data["run"]["timings"]["total"] >= 0
    assert data["run"]["counts"]["links"] == len(data["links"]) == 1 and data["run"]["complete"] is True
    (link,) = data["links"]
    assert link["offer"]["site_id"] == "PWR-1" and link["want"]["site_id"] == "CEM-1"  # its own park's site
    assert link["offer"]["material_code"] == "coal-fly-ash" and link["route"]
    assert {"quantity", "unit", "distance_km", "transport_cost_cny", "net_benefit_cny", "co2_avoided_t", "score",
            "same_park", "coupling", "latent", "status", "explanation"} <= set(link)
    assert link["explanation"]["zh"].startswith("甲电厂") and link["status"] == "proposed"
    assert db.session.scalar(select(func.count(Link.id))) == 1


@pytest.mark.parametrize(("who", "body", "status", "field"), [
    ("manager", {"park": "SECOND"}, 403, None),
    ("manager", {"park": None}, 403, None),
    ("manager", {}, 403, None),
    ("supplier", {"park": "FIRST"}, 403, None),
    ("manager", {"park": "NOPE"}, 422, "park"),
    ("manager", {"park": "FIRST", "latent": "yes"}, 422, "latent"),
    ("manager", {"park": "FIRST", "colour": "red"}, 422, "colour"),
    ("manager", {"park": 7}, 422, "park"),
])
def test_runs_refused(client, db, world, who, body, status, field):
    response = client.post("/api/v1/match-runs", headers=world.headers[who], json=body)
    assert response.status_code == status, response.json
    if field:
        assert list(response.json["errors"]["json"]) == [field]
    else:
        assert response.json["message"] == "您无权在此发起匹配运行。"  # the default language, zh
    assert run_count(db) == 0


def test_an_unknown_park_is_named(client, world):
    response = client.post("/api/v1/match-runs", headers=world.headers["admin"], json={"park": "NOPE"})
    assert response.json["errors"]["json"]["park"] == ["没有代码为 'NOPE' 的园区"]  # the default language, zh
    response = client.post("/api/v1/match-runs", headers={**world.headers["admin"], "Accept-Language": "en"},
                           json={"park": "NOPE"})
    assert response.json["errors"]["json"]["park"] == ["no park with the code 'NOPE'"]


def test_an_administrator_runs_the_province_in_latent_mode(client, db, world):
    response = client.post("/api/v1/match-runs", headers=world.headers["admin"], json={"park": None, "latent": True})
    assert response.status_code == 202, response.json
    run = wait_for_run(db, response.json["run"]["id"])
    assert run.status == "done" and run.park_id is None and run.latent and run.parameters["latent"] is True


def test_a_failed_run_ends_failed_and_stores_nothing(client, db, world, monkeypatch):
    import marketplace.services.match_runs as service
    from matching.errors import MatchingError

    def broken(*args, **kwargs):
        raise MatchingError("site 7 has no coordinates", field="lon/lat")

    monkeypatch.setattr(service, "run_matching", broken)
    response = client.post("/api/v1/match-runs", headers=world.headers["admin"], json={})
    assert response.status_code == 202
    run = wait_for_run(db, response.json["run"]["id"])
    assert run.status == "failed" and run.error == "lon/lat: site 7 has no coordinates" and run.finished_at
    data = client.get(response.headers["Location"], headers=world.headers["admin"]).json
    assert data["run"]["status"] == "failed" and data["run"]["error"] == run.error and data["links"] == []
    assert run.counts == {} and db.session.scalar(select(func.count(Link.id))) == 0


@pytest.mark.parametrize(("who", "status", "complete"), [
    ("admin", 200, True), ("manager", 200, True), ("supplier", 200, False), ("receiver", 200, False),
    ("other_manager", 200, False), ("outsider", 403, None),
])
def test_who_reads_a_run(client, world, who, status, complete):
    run = start_run(park=world.first)
    response = client.get(f"/api/v1/match-runs/{run.id}", headers=world.headers[who])
    assert response.status_code == status, response.json
    if status == 200:
        assert response.json["run"]["complete"] is complete and len(response.json["links"]) == 1


def test_a_party_reads_only_its_own_links_of_a_run(client, world, make_site, make_listing):
    other = make_site(sector_code="4411", lonlat=(117.45, 31.75))
    make_listing(site=other, kind="offer", material="coal-fly-ash", quantity=5_000)
    run = start_run()
    assert len(run.links) == 2
    own = client.get(f"/api/v1/match-runs/{run.id}", headers=world.headers["supplier"]).json["links"]
    everything = client.get(f"/api/v1/match-runs/{run.id}", headers=world.headers["admin"]).json["links"]
    assert [k["offer"]["listing_id"] for k in own] == [world.offer.id] and len(everything) == 2


def test_a_missing_run_or_link_is_a_json_404(client, world):
    for url in ("/api/v1/match-runs/999", "/api/v1/links/999"):
        response = client.get(url, headers=world.headers["admin"])
        assert response.status_code == 404 and response.is_json
    response = client.post("/api/v1/links/999/decision", headers=world.headers["supplier"], json={"accept": True})
    assert response.status_code == 404 and response.is_json


def decide(client, world, who, link_id, accept=True):
    return client.post(f"/api/v1/links/{link_id}/decision", headers=world.headers[who], json={"accept": accept})


def test_both_parties_accepting_through_the_api_reserves_the_tonnage(client, db, world):
    (link,) = start_run().links
    response = decide(client, world, "supplier", link.id)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "proposed" and response.json["supplier_decision"] == "accepted"
    assert response.json["your_side"] == "supplier" and response.json["receiver_decision"] is None

    response = decide(client, world, "receiver", link.id)
    assert response.status_code == 200 and response.json["status"] == "agreed"
    db.session.expire_all()
    offer, want = db.session.get(Listing, world.offer.id), db.session.get(Listing, world.want.id)
    assert offer.committed_quantity == pytest.approx(6_000) and offer.status == "partly_matched"
    assert want.committed_quantity == pytest.approx(6_000) and want.status == "matched"

    response = decide(client, world, "receiver", link.id, accept=False)
    # The refusal names the link's state in the reader's language (Chinese unless the request asks otherwise).
    assert response.status_code == 409 and "已达成" in response.json["message"]


def test_a_decline_through_the_api(client, db, world):
    (link,) = start_run().links
    response = decide(client, world, "receiver", link.id, accept=False)
    assert response.status_code == 200 and response.json["status"] == "declined"
    response = decide(client, world, "supplier", link.id)
    assert response.status_code == 409 and "已拒绝" in response.json["message"]  # in the reader's language


def test_too_few_tonnes_left_is_a_409(client, db, world):
    (link,) = start_run().links
    decide(client, world, "supplier", link.id)
    offer = db.session.get(Listing, world.offer.id)
    offer.committed_quantity = 9_000  # promised elsewhere since the run
    db.session.commit()
    response = decide(client, world, "receiver", link.id)
    assert response.status_code == 409 and "仅剩 1,000" in response.json["message"]  # in the reader's language
    db.session.expire_all()
    assert db.session.get(Link, link.id).status == "proposed"
    assert db.session.get(Link, link.id).receiver_decision is None


@pytest.mark.parametrize(("who", "body", "status", "words"), [
    # Messages in the default language (zh) where they are translated.
    ("outsider", {"accept": True}, 403, "您无权答复此对接"),
    ("manager", {"accept": True}, 403, "您无权答复此对接"),
    ("admin", {"accept": True}, 403, "贵单位不是该对接的任何一方"),
    ("supplier", {}, 422, "此字段为必填项"),
    ("supplier", {"accept": "yes"}, 422, "true 或 false"),
])
def test_decisions_refused(client, db, world, who, body, status, words):
    (link,) = start_run().links
    response = client.post(f"/api/v1/links/{link.id}/decision", headers=world.headers[who], json=body)
    assert response.status_code == status and words in json.dumps(response.json, ensure_ascii=False)
    db.session.expire_all()
    assert db.session.get(Link, link.id).supplier_decision is None


def test_a_session_alone_cannot_decide(client, auth, world, make_user):
    (link,) = start_run().links
    supplier = make_user("plant", organisation=link.supplier_site.organisation)
    auth.login(supplier)
    assert client.post(f"/api/v1/links/{link.id}/decision", json={"accept": True}).status_code == 401


def test_an_anonymous_supplier_is_hidden_from_the_receiver_until_it_accepts(client, world):
    (link,) = start_run().links
    data = client.get(f"/api/v1/links/{link.id}", headers=world.headers["receiver"]).json
    assert data["offer"]["anonymous"] is True
    assert data["offer"]["site_id"] is None and data["offer"]["organisation"] is None
    assert "甲电厂" not in data["explanation"]["zh"] and "Plant A" not in data["explanation"]["en"]
    assert data["want"]["site_id"] == "CEM-1"
    mine = client.get("/api/v1/links", headers=world.headers["receiver"]).json
    assert [k["id"] for k in mine] == [link.id] and mine[0]["offer"]["site_id"] is None

    decide(client, world, "supplier", link.id)
    data = client.get(f"/api/v1/links/{link.id}", headers=world.headers["receiver"]).json
    assert data["offer"]["anonymous"] is False and data["offer"]["site_id"] == "PWR-1"
    assert data["explanation"]["zh"].startswith("甲电厂")


def test_an_acceptance_is_withdrawn_and_a_repeated_answer_changes_nothing(client, world):
    (link,) = start_run().links
    first = decide(client, world, "supplier", link.id)
    assert first.status_code == 200 and first.json["your_answers"] == ["decline"]  # it may still withdraw
    again = decide(client, world, "supplier", link.id)
    assert again.status_code == 200 and again.json == first.json
    assert client.get(f"/api/v1/links/{link.id}", headers=world.headers["receiver"]).json["your_answers"] == [
        "accept", "decline"]

    response = decide(client, world, "supplier", link.id, accept=False)
    assert response.status_code == 200 and response.json["status"] == "declined"
    assert response.json["supplier_decision"] == "declined" and response.json["your_answers"] == []
    assert decide(client, world, "receiver", link.id).status_code == 409


def test_an_organisation_on_both_sides_answers_for_both(client, db, make_org, make_site, make_listing, make_user):
    owner = make_org()
    power = make_site(organisation=owner, sector_code="4411", lonlat=(117.213, 31.812))
    cement = make_site(organisation=owner, sector_code="3011", lonlat=(117.4, 31.9))
    offer = make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000)
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    (link,) = start_run().links
    headers = bearer(make_user("plant", organisation=owner))
    data = client.get(f"/api/v1/links/{link.id}", headers=headers).json
    assert data["your_side"] == "both" and data["your_answers"] == ["accept", "decline"]

    response = client.post(f"/api/v1/links/{link.id}/decision", headers=headers, json={"accept": True})
    assert response.status_code == 200, response.json
    data = response.json
    assert (data["status"], data["supplier_decision"], data["receiver_decision"]) == ("agreed", "accepted", "accepted")
    db.session.expire_all()
    assert db.session.get(Listing, offer.id).committed_quantity == pytest.approx(6_000)
