"""Saved searches, the notifications they raise, and the search pages and API."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from marketplace.services.disclosure import grid

WUHU = (118.38, 31.33)
NEAR_WUHU = (118.45, 31.40)      # about 10 km away
HEFEI = (117.23, 31.82)          # about 120 km away


@pytest.fixture
def people(make_org, make_site, make_user):
    """A recycler in Wuhu, a plant near it (the supplier) and a plant in Hefei."""
    recycler_org, plant_org, hefei_org = make_org(), make_org(), make_org()
    return {
        "recycler": make_user("recycler", organisation=recycler_org),
        "recycler_site": make_site(organisation=recycler_org, lonlat=WUHU),
        "plant": make_user("plant", organisation=plant_org),
        "plant_site": make_site(organisation=plant_org, lonlat=NEAR_WUHU),
        "hefei": make_user("plant", organisation=hefei_org),
        "hefei_site": make_site(organisation=hefei_org, lonlat=HEFEI),
    }


def saved(user, *, material="coal-fly-ash", lonlat=WUHU, radius_km=50.0, quality=None, name="s"):
    from marketplace.services.saved_searches import save_search
    from marketplace.services.search import SearchQuery, quality_filters

    filters = quality_filters(quality, [material]) if quality else ()
    return save_search(user, SearchQuery(lon=lonlat[0], lat=lonlat[1], radius_km=radius_km,
                                         material_codes=(material,), quality=filters), name=name)


def publish(site, *, material="coal-fly-ash", publish=True, **fields):
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import create_listing

    return create_listing(site, ListingInput(kind="offer", material=material, quantity=5000, unit="t/yr", **fields),
                          publish=publish)


def notifications(db, user=None):
    from marketplace.models import Notification

    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def test_publishing_a_matching_offer_notifies_the_search_owner(db, people):
    search = saved(people["recycler"])
    offer = publish(people["plant_site"], material="coal-fly-ash-class-f", price_cny=40)
    (note,) = notifications(db)
    assert (note.user_id, note.saved_search_id, note.listing_id) == (people["recycler"].id, search.id, offer.id)
    assert note.kind == "saved_search_match" and note.read_at is None
    assert re.search(r"F类粉煤灰 / class F coal fly ash, \d+\.\d km", note.message)


@pytest.mark.parametrize(("search", "offer"), [
    ({"material": "fgd-gypsum"}, {}),                               # another material
    ({"radius_km": 5.0}, {}),                                       # too far
    ({"quality": "grade=I"}, {"quality": "grade=II"}),              # not good enough
    ({}, {"available_to": "2000-01-01", "publish": False}),         # never published (window ended)
])
def test_offers_that_do_not_match_notify_nobody(db, people, search, offer):
    saved(people["recycler"], **search)
    publish(people["plant_site"], **offer)
    assert notifications(db) == []


def test_the_offer_owner_is_not_told_about_its_own_offer(db, people, make_user):
    colleague = make_user("plant", organisation=people["plant"].organisation)
    saved(colleague)
    saved(people["hefei"], lonlat=NEAR_WUHU)
    publish(people["plant_site"])
    assert [n.user_id for n in notifications(db)] == [people["hefei"].id]


def test_a_draft_notifies_when_published_and_only_once(db, people):
    from marketplace.services.listings import close_listing, publish_listing

    saved(people["recycler"])
    offer = publish(people["plant_site"], publish=False)
    assert notifications(db) == []
    publish_listing(offer)
    assert len(notifications(db)) == 1
    close_listing(offer)
    publish_listing(offer)
    assert len(notifications(db)) == 1


def test_every_matching_search_is_told_and_unreadable_ones_are_skipped(db, people):
    from marketplace.models import SavedSearch

    first = saved(people["recycler"], name="near")
    second = saved(people["hefei"], lonlat=HEFEI, radius_km=200.0, name="wide")
    db.session.add(SavedSearch(user_id=people["hefei"].id, name="stale", params={"lon": 118.4, "lat": 31.3,
                               "radius_km": 50, "material_codes": ["no-such-material"]}))
    db.session.commit()
    publish(people["plant_site"])
    assert sorted(n.saved_search_id for n in notifications(db)) == [first.id, second.id]


def test_deleting_a_search_deletes_its_notifications(db, people):
    from marketplace.services.saved_searches import delete_search

    kept, dropped = saved(people["recycler"], name="kept"), saved(people["recycler"], name="dropped")
    publish(people["plant_site"])
    assert len(notifications(db)) == 2
    delete_search(dropped)
    assert [n.saved_search_id for n in notifications(db)] == [kept.id]


def test_save_refuses_a_long_name_and_too_many_searches(db, people, monkeypatch):
    from marketplace.services import saved_searches
    from marketplace.services.errors import FieldError

    with pytest.raises(FieldError, match="at most 200 characters"):
        saved(people["recycler"], name="x" * 201)
    monkeypatch.setattr(saved_searches, "MAX_SAVED_SEARCHES", 1)
    saved(people["recycler"])
    with pytest.raises(FieldError, match="already have 1 saved searches"):
        saved(people["recycler"])


# --------------------------------------------------------------------------- pages


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


def test_search_page_lists_hits_and_maps_them(english, auth, db, people, make_listing):
    named = make_listing(site=people["plant_site"], material="coal-fly-ash", price_cny=40, quality="grade=II")
    hidden = make_listing(site=people["hefei_site"], material="coal-fly-ash", visibility="anonymous")
    auth.login(people["recycler"])
    page = english.get(f"/search/offers?material=fly+ash&site={people['recycler_site'].id}&radius_km=200"
                       "&sort=distance")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = re.findall(r'<tr data-listing="(\d+)">', html)
    assert rows == [str(named.id), str(hidden.id)]
    assert people["plant"].organisation.name_zh in html
    assert people["hefei"].organisation.name_zh not in html and "Anonymous supplier" in html
    assert "2 offers found" in html and 'id="save-search-form"' in html
    features = json.loads(re.search(r'id="search-map-sites">(.*?)</script>', html, re.S).group(1))["features"]
    assert [f["properties"].get("url") for f in features] == [None, f"/listings/{named.id}", f"/listings/{hidden.id}"]
    hidden_point = features[2]["geometry"]["coordinates"]
    assert hidden_point == [grid(HEFEI[0]), grid(HEFEI[1])] == [117.25, 31.8]  # the one 0.05° grid


def test_first_visit_proposes_my_site_and_shows_no_results(english, auth, people):
    auth.login(people["recycler"])
    html = english.get("/search/offers").get_data(as_text=True)
    assert f'<option selected value="{people["recycler_site"].id}"' in html
    assert 'id="result-table"' not in html


def test_search_page_names_the_bad_field(english, auth, people):
    auth.login(people["recycler"])
    response = english.get("/search/offers?material=unobtainium&lon=118&lat=31&radius_km=far")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'data-field="material">[^<]*unobtainium', html)
    assert 'data-field="radius_km"' in html


def test_save_list_run_and_delete_a_search(english, auth, db, people):
    from marketplace.models import SavedSearch

    auth.login(people["recycler"])
    response = english.post("/search/saved", data={
        "material": "粉煤灰", "site": str(people["recycler_site"].id), "radius_km": "150", "quality": "grade=II",
        "max_price": "80", "sort": "delivered_cost", "name": "ash near Wuhu"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/search/saved")
    (row,) = db.session.scalars(select(SavedSearch))
    assert row.name == "ash near Wuhu" and row.params["material_codes"] == ["coal-fly-ash"]
    assert row.params["quality"] == {"grade": "II"} and row.params["max_price_cny"] == 80.0
    html = english.get("/search/saved").get_data(as_text=True)
    assert "ash near Wuhu" in html
    run = re.search(r'href="(/search/offers\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert english.get(run).status_code == 200
    assert english.post(f"/search/saved/{row.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(SavedSearch)).all() == []


def test_saving_an_invalid_search_changes_nothing(english, auth, db, people):
    from marketplace.models import SavedSearch

    auth.login(people["recycler"])
    response = english.post("/search/saved", data={"material": "fly ash", "radius_km": "5000", "name": "x"})
    assert response.status_code == 400
    assert 'data-field="radius_km"' in response.get_data(as_text=True)
    assert db.session.scalars(select(SavedSearch)).all() == []


def test_notifications_page_and_marking_read(english, auth, db, people):
    saved(people["recycler"], name="ash near Wuhu")
    publish(people["plant_site"])
    publish(people["plant_site"], material="coal-fly-ash-class-c")
    first, second = notifications(db, people["recycler"])
    auth.login(people["recycler"])
    html = english.get("/search/notifications").get_data(as_text=True)
    assert "ash near Wuhu" in html and html.count("Mark as read") == 2
    # Each notice names the offer's material in the page's language only, with the distance it recorded.
    assert "coal fly ash, 10.2 km away" in html and "粉煤灰" not in html
    english.get("/lang/zh")
    chinese = english.get("/search/notifications").get_data(as_text=True)
    assert "粉煤灰，距搜索地点 10.2 公里" in chinese and "coal fly ash" not in chinese.lower()
    english.get("/lang/en")
    assert english.post(f"/search/notifications/{first.id}/read").status_code == 302
    db.session.expire_all()
    assert first.read_at is not None and second.read_at is None
    assert english.post("/search/notifications/read").status_code == 302
    db.session.expire_all()
    assert second.read_at is not None
    assert "Mark as read" not in english.get("/search/notifications").get_data(as_text=True)


# --------------------------------------------------------------------------- API


def test_api_search_returns_hits(client, auth, people, make_listing):
    named = make_listing(site=people["plant_site"], material="coal-fly-ash-class-f", price_cny=40)
    hidden = make_listing(site=people["hefei_site"], material="coal-fly-ash", visibility="anonymous")
    auth.login(people["recycler"])
    response = client.get(f"/api/v1/offers/search?material=coal-fly-ash&site={people['recycler_site'].id}"
                          "&radius_km=200&sort=delivered_cost")
    assert response.status_code == 200
    body = response.get_json()
    assert body["material_codes"] == ["coal-fly-ash"] and body["count"] == 2
    first, second = body["hits"]
    assert (first["listing_id"], second["listing_id"]) == (named.id, hidden.id)
    assert first["supplier"] == people["plant"].organisation.name_zh and second["supplier"] is None
    assert (second["lon"], second["lat"]) == (grid(HEFEI[0]), grid(HEFEI[1]))
    assert second["distance_km"] % 5 == 0 and second["distance_km"] == int(second["distance_km"])
    assert first["delivered_cost_cny"] == pytest.approx(40 + first["transport_cost_cny"])
    assert first["url"] == f"/listings/{named.id}"
    assert 5 < first["distance_km"] < 15 and first["road_distance_km"] > first["distance_km"]


@pytest.mark.parametrize(("query", "field"), [
    ("", "site"), ("lon=118&lat=31&material=unobtainium", "material"), ("lon=118&lat=31&sort=price", "sort"),
    ("lon=118&lat=31&radius_km=0", "radius_km"), ("lon=east&lat=31", "lon"), ("lon=118&lat=31&limit=501", "limit"),
    ("lon=118&lat=31&quality=colour%3Dgrey&material=fly+ash", "quality")])
def test_api_errors_name_the_field(client, auth, people, query, field):
    auth.login(people["recycler"])
    response = client.get(f"/api/v1/offers/search?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_a_batch_of_offers_notifies_in_one_pass(db, people, make_listing):
    from marketplace.services.saved_searches import notify_matching_searches_many

    ash_search = saved(people["recycler"], name="ash")
    gypsum_search = saved(people["recycler"], material="fgd-gypsum", name="gypsum")
    ash = make_listing(site=people["plant_site"], material="coal-fly-ash-class-c")
    gypsum = make_listing(site=people["plant_site"], material="fgd-gypsum")
    far = make_listing(site=people["hefei_site"], material="coal-fly-ash")
    want = make_listing(site=people["plant_site"], kind="want", material="coal-fly-ash")
    assert notify_matching_searches_many([ash, gypsum, far, want]) == 2
    assert sorted((n.saved_search_id, n.listing_id) for n in notifications(db)) == sorted(
        [(ash_search.id, ash.id), (gypsum_search.id, gypsum.id)])
    assert notify_matching_searches_many([ash, gypsum]) == 0  # told already
