"""The search page guides: upcoming offers shown with their start date (and announced to saved searches), the
searcher's own offers left out unless asked for (then marked), and results in pages of 50."""
from __future__ import annotations

import datetime as dt
import re

import pytest

WUHU = (118.38, 31.33)
NEAR_WUHU = (118.45, 31.40)


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


@pytest.fixture
def people(make_org, make_site, make_user):
    recycler_org, plant_org = make_org(), make_org()
    return {"recycler": make_user("recycler", organisation=recycler_org),
            "recycler_site": make_site(organisation=recycler_org, lonlat=WUHU),
            "plant": make_user("plant", organisation=plant_org),
            "plant_site": make_site(organisation=plant_org, lonlat=NEAR_WUHU)}


def rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-listing="(\d+)">', html)]


def row_html(html: str, listing_id: int) -> str:
    row = html[html.index(f'<tr data-listing="{listing_id}">'):]
    return row[:row.index("</tr>")]


def search_url(people, **extra) -> str:
    args = "&".join(f"{k}={v}" for k, v in extra.items())
    return f"/search/offers?material=coal-fly-ash&site={people['recycler_site'].id}&radius_km=100&{args}"


def test_an_upcoming_offer_is_found_with_its_start_date(english, auth, people, make_listing):
    start = dt.date.today() + dt.timedelta(days=60)
    later = make_listing(site=people["plant_site"], available_from=start.isoformat())
    now = make_listing(site=people["plant_site"])
    auth.login(people["recycler"])
    html = english.get(search_url(people)).get_data(as_text=True)
    assert sorted(rows(html)) == sorted([later.id, now.id])
    assert f"upcoming, from {start.isoformat()}" in row_html(html, later.id)
    assert "upcoming" not in row_html(html, now.id)


def test_an_upcoming_offer_tells_saved_searches_and_the_notice_says_when(english, auth, db, people):
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import create_listing
    from marketplace.services.saved_searches import save_search
    from marketplace.services.search import SearchQuery

    save_search(people["recycler"], SearchQuery(lon=WUHU[0], lat=WUHU[1], radius_km=50,
                                                material_codes=("coal-fly-ash",)), name="ash")
    start = dt.date.today() + dt.timedelta(days=30)
    offer = create_listing(people["plant_site"], ListingInput(kind="offer", material="coal-fly-ash", quantity=5000,
                                                              unit="t/yr", available_from=start.isoformat()),
                           publish=True)
    auth.login(people["recycler"])
    html = english.get("/search/notifications").get_data(as_text=True)
    item = html[html.index('data-notification="'):]
    assert f"/search/notifications/" in item and f"upcoming, from {start.isoformat()}" in item
    from marketplace.models import Notification
    assert [n.listing_id for n in db.session.query(Notification)] == [offer.id]


def test_own_offers_are_left_out_unless_asked_for_and_then_marked(english, auth, people, make_listing):
    theirs = make_listing(site=people["plant_site"])
    ours = make_listing(site=people["recycler_site"])
    auth.login(people["recycler"])
    html = english.get(search_url(people)).get_data(as_text=True)
    assert rows(html) == [theirs.id] and 'name="own"' in html
    html = english.get(search_url(people, own="y")).get_data(as_text=True)
    assert rows(html) == [ours.id, theirs.id]
    assert "our offer" in row_html(html, ours.id) and "our offer" not in row_html(html, theirs.id)


def test_results_come_in_pages_of_fifty(english, auth, people, make_site, make_listing):
    offers = [make_listing(site=make_site(lonlat=(WUHU[0] + 0.001 * (i + 1), WUHU[1]))) for i in range(53)]
    auth.login(people["recycler"])
    first = english.get(search_url(people)).get_data(as_text=True)
    assert rows(first) == [o.id for o in offers[:50]] and "Offers 1–50" in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = english.get(next_url).get_data(as_text=True)
    assert rows(second) == [o.id for o in offers[50:]] and "Offers 51–53" in second
    assert re.search(r'class="page-item disabled">\s*<a class="page-link" rel="next"', second)
    previous = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert rows(english.get(previous).get_data(as_text=True)) == rows(first)


def test_a_bad_page_offset_names_the_field(english, auth, people):
    auth.login(people["recycler"])
    response = english.get(search_url(people, offset="-5"))
    assert response.status_code == 400 and "offset" in response.get_data(as_text=True)


def test_the_api_says_when_an_offer_starts_and_pages_with_offset(client, people, make_site, make_listing):
    from marketplace.services.accounts import issue_api_token

    start = dt.date.today() + dt.timedelta(days=60)
    later = make_listing(site=people["plant_site"], available_from=start.isoformat())
    now = make_listing(site=make_site(lonlat=(WUHU[0] + 0.01, WUHU[1])))
    headers = {"Authorization": f"Bearer {issue_api_token(people['recycler'])}"}
    url = f"/api/v1/offers/search?material=coal-fly-ash&site={people['recycler_site'].id}&radius_km=100&limit=1"
    first = client.get(url, headers=headers).get_json()["hits"]
    second = client.get(url + "&offset=1", headers=headers).get_json()["hits"]
    assert [(h["listing_id"], h["upcoming"], h["available_from"]) for h in first + second] == [
        (now.id, False, None), (later.id, True, start.isoformat())]
