"""A plant with no proposed link is told how links come about and asks its park's managers for a match run."""
from __future__ import annotations

import pytest
from sqlalchemy import select


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


@pytest.fixture
def world(make_org, make_park, make_site, make_user):
    park, lonely_park = make_park(name_en="Cihu park"), make_park()
    org = make_org()
    make_site(organisation=org, park=park)
    make_site(organisation=org, park=lonely_park)  # a park with no manager on the platform
    managers = [make_user("park_manager", parks=[park]), make_user("park_manager", parks=[park])]
    return {"plant": make_user("plant", organisation=org), "park": park, "lonely_park": lonely_park,
            "managers": managers, "org": org}


def requests_of(db):
    from marketplace.models import Notification

    return list(db.session.scalars(select(Notification).where(Notification.kind == "run_request")
                                   .order_by(Notification.id)))


def test_the_empty_links_page_explains_and_offers_a_request_per_park(english, auth, world):
    auth.login(world["plant"])
    html = english.get("/links/").get_data(as_text=True)
    assert 'id="no-links-yet"' in html and "Links are proposed by match runs" in html
    assert f'data-park="{world["park"].code}"' in html and "no run yet" in html
    park_row = html[html.index(f'data-park="{world["park"].code}"'):]
    assert "Ask the park manager for a run" in park_row[:park_row.index("</div>")]
    lonely_row = html[html.index(f'data-park="{world["lonely_park"].code}"'):]
    lonely_row = lonely_row[:lonely_row.index("</div>")]
    assert "no manager on the platform" in lonely_row and "<form" not in lonely_row


def test_a_request_notifies_each_manager_once(english, auth, db, world):
    auth.login(world["plant"])
    response = english.post("/links/request-run", data={"park": world["park"].code}, follow_redirects=True)
    assert "The managers of Cihu park were asked for a match run" in response.get_data(as_text=True)
    notes = requests_of(db)
    assert sorted(n.user_id for n in notes) == sorted(m.id for m in world["managers"])
    assert {(n.park_id, n.organisation_id) for n in notes} == {(world["park"].id, world["org"].id)}
    again = english.post("/links/request-run", data={"park": world["park"].code}, follow_redirects=True)
    assert "You have already asked the managers of Cihu park" in again.get_data(as_text=True)
    assert len(requests_of(db)) == 2
    assert "run requested" in english.get("/links/").get_data(as_text=True)


def test_the_manager_reads_the_request_and_is_led_to_the_run_page(english, auth, db, world):
    from marketplace.services.run_requests import request_run

    request_run(world["org"], world["park"])
    manager = world["managers"][0]
    auth.login(manager)
    html = english.get("/search/notifications").get_data(as_text=True)
    assert f"{world['org'].name_en} asks for a match run in Cihu park" in html  # names in the page's language
    (note,) = [n for n in requests_of(db) if n.user_id == manager.id]
    response = english.post(f"/search/notifications/{note.id}/open")
    assert response.headers["Location"].endswith(f"/links/runs?park={world['park'].code}")


@pytest.mark.parametrize("which", ["lonely_park", "foreign_park"])
def test_a_request_is_refused_for_a_park_without_managers_or_without_our_sites(english, auth, db, world, make_park,
                                                                                make_user, which):
    if which == "lonely_park":
        park = world["lonely_park"]
    else:  # managed, but none of our sites is in it
        park = make_user("park_manager", parks=[make_park()]).managed_parks[0]
    auth.login(world["plant"])
    assert english.post("/links/request-run", data={"park": park.code}).status_code == 403
    assert requests_of(db) == []
