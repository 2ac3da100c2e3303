"""Who else could take an offer: a run's ranked alternatives, stored, in the JSON, on the link and run pages."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.models.link import RunAlternative
from marketplace.services.accounts import issue_api_token
from marketplace.services.matching import run_json, start_run


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.fixture
def market(make_park, make_site, make_listing, make_user):
    """A power plant's 3 000 t of fly ash and four cement works wanting 5 000 t each, nearer ones paying more;
    the second-best want is anonymous."""
    park = make_park(code="ASHPARK", centre=(117.2, 31.8))
    power = make_site(sector_code="4411", park=park, lonlat=(117.20, 31.80), name_zh="甲电厂", external_ref="PWR-1")
    offer = make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=3_000, price_cny=20)
    wants, sites = [], []
    for i, (lon, price) in enumerate(((117.25, 90), (117.30, 85), (117.35, 80), (117.40, 75))):
        site = make_site(sector_code="3011", lonlat=(lon, 31.80), name_zh=f"水泥厂{i}", external_ref=f"CEM-{i}")
        sites.append(site)
        wants.append(make_listing(site=site, kind="want", material="coal-fly-ash", quantity=5_000, price_cny=price,
                                  visibility="anonymous" if i == 1 else "named"))
    users = {"supplier": make_user("plant", organisation=power.organisation),
             "receiver": make_user("plant", organisation=sites[0].organisation),
             "loser": make_user("plant", organisation=sites[2].organisation),
             "manager": make_user("park_manager", parks=[park]), "admin": make_user("admin")}
    return SimpleNamespace(park=park, offer=offer, wants=wants, sites=sites, users=users,
                           headers={name: bearer(user) for name, user in users.items()})


def test_a_run_stores_each_offers_alternatives_and_its_json_carries_them(db, market):
    run = start_run()
    assert [link.want_id for link in run.links] == [market.wants[0].id]
    rows = db.session.scalars(select(RunAlternative).where(RunAlternative.run_id == run.id)
                              .order_by(RunAlternative.rank)).all()
    assert [(row.want_id, row.rank, row.reason) for row in rows] == [
        (market.wants[1].id, 2, "lower_score"), (market.wants[2].id, 3, "lower_score"),
        (market.wants[3].id, 4, "lower_score")]
    assert all(row.feasible_receivers == 4 and row.quantity == 3_000 and row.unit == "t" for row in rows)
    data = json.loads(json.dumps(run_json(run)))  # what `flask match run --format json` prints
    first = data["alternatives"][0]
    assert first["offer"] == {"site_id": "PWR-1", "site_name": "甲电厂", "organisation": market.offer.site.organisation.name_zh,
                              "listing_id": market.offer.id, "material_code": "coal-fly-ash"}
    assert first["want"]["site_id"] == "CEM-1" and first["want"]["listing_id"] == market.wants[1].id
    assert first["want"]["material_codes"] == ["coal-fly-ash"]
    assert first["route"] == "fly-ash-cement-admixture" and first["rank"] == 2 and first["reason"] == "lower_score"
    assert first["net_benefit_cny"] == pytest.approx(first["net_benefit_cny_per_unit"] * 3_000)
    assert first["score"] < data["links"][0]["score"] and first["distance_km"] > data["links"][0]["distance_km"]
    assert first["latent"] is False


@pytest.mark.parametrize(("who", "count", "hidden_named"), [
    ("supplier", 3, False), ("manager", 3, False), ("admin", 3, True), ("receiver", 0, None)])
def test_the_api_lists_alternatives_to_the_suppliers_side_only(client, market, who, count, hidden_named):
    run = start_run(park=market.park)
    response = client.get(f"/api/v1/match-runs/{run.id}", headers=market.headers[who])
    assert response.status_code == 200, response.json
    alternatives = response.json["alternatives"]
    assert len(alternatives) == count
    if count:
        hidden = next(a for a in alternatives if a["rank"] == 2)
        # The anonymous want stays anonymous to the supplier and to the manager of a park its site is not in;
        # administrators see every site.
        assert hidden["want"]["anonymous"] is not hidden_named and hidden["want"]["listing_id"] == market.wants[1].id
        assert hidden["want"]["site_id"] == ("CEM-1" if hidden_named else None)
        assert hidden["want"]["site_name"] == ("水泥厂1" if hidden_named else None)
        named = next(a for a in alternatives if a["rank"] == 3)
        assert named["want"]["anonymous"] is False and named["want"]["site_id"] == "CEM-2"


def test_a_site_that_lost_does_not_see_the_alternatives_of_an_offer_it_is_no_party_to(client, market):
    run = start_run(park=market.park)
    assert client.get(f"/api/v1/match-runs/{run.id}", headers=market.headers["loser"]).status_code == 403


def test_the_openapi_document_describes_the_alternatives(client):
    spec = client.get("/api/v1/openapi.json").json
    response = spec["paths"]["/api/v1/match-runs/{run_id}"]["get"]["responses"]["200"]
    reference = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    run_schema = spec["components"]["schemas"][reference]
    assert "alternatives" in run_schema["properties"]
    alternative = spec["components"]["schemas"]["Alternative"]["properties"]
    assert {"offer", "want", "receiver", "rank", "score", "net_benefit_cny", "distance_km", "latent",
            "reason"} <= set(alternative)
    assert "capacity_taken" in alternative["reason"]["description"]


@pytest.mark.parametrize("lang, heading", [("en", "Who else could take this"), ("zh", "其他可接收方")])
def test_the_supplier_sees_who_else_could_take_its_offer_on_the_link_page(client, auth, market, lang, heading):
    run = start_run()
    (link,) = run.links
    auth.login(market.users["supplier"])
    client.get(f"/lang/{lang}")
    page = client.get(f"/links/{link.id}").get_data(as_text=True)
    assert heading in page
    assert page.count('class="alternative"') == 3
    assert "水泥厂2" in page and "水泥厂3" in page and "水泥厂1" not in page  # the anonymous want is not named


def test_the_receiver_of_a_link_does_not_see_its_competitors(client, auth, market):
    run = start_run()
    (link,) = run.links
    auth.login(market.users["receiver"])
    page = client.get(f"/links/{link.id}").get_data(as_text=True)
    assert 'class="alternative"' not in page and "水泥厂2" not in page


def test_the_run_page_lists_the_alternatives_with_rank_and_reason(client, auth, market):
    run = start_run(park=market.park)
    auth.login(market.users["manager"])
    page = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-alternatives"' in page and page.count('class="alternative"') == 3
    assert 'data-rank="4"' in page and 'data-reason="lower_score"' in page


def test_each_supplier_sees_only_its_own_offers_alternatives(client, market, make_site, make_listing, make_user):
    rival = make_site(sector_code="4411", lonlat=(117.22, 31.82), external_ref="PWR-2")
    rival_offer = make_listing(site=rival, kind="offer", material="coal-fly-ash", quantity=2_000, price_cny=20)
    run = start_run()
    everything = client.get(f"/api/v1/match-runs/{run.id}", headers=market.headers["admin"]).json["alternatives"]
    assert {a["offer"]["listing_id"] for a in everything} == {market.offer.id, rival_offer.id}
    mine = client.get(f"/api/v1/match-runs/{run.id}", headers=market.headers["supplier"]).json["alternatives"]
    assert mine and {a["offer"]["listing_id"] for a in mine} == {market.offer.id}
    theirs = client.get(f"/api/v1/match-runs/{run.id}",
                        headers=bearer(make_user("plant", organisation=rival.organisation))).json["alternatives"]
    assert theirs and {a["offer"]["listing_id"] for a in theirs} == {rival_offer.id}
