"""Unread badges in the navigation, and what clears them: opening an enquiry thread, opening a notification."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

WUHU = (118.38, 31.33)


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


@pytest.fixture
def thread(make_org, make_site, make_user, make_listing):
    """The recycler asked about the plant's offer; nobody of the plant has opened the thread."""
    from marketplace.services.enquiries import start_enquiry

    plant_org, recycler_org = make_org(), make_org()
    plant, recycler = make_user("plant", organisation=plant_org), make_user("recycler", organisation=recycler_org)
    offer = make_listing(site=make_site(organisation=plant_org, lonlat=WUHU))
    enquiry = start_enquiry(offer, user=recycler, body="How much a month?")
    return {"plant": plant, "recycler": recycler, "enquiry": enquiry, "offer": offer}


def badge(html: str, name: str) -> int:
    """The number on the nav's badge (0 when none is shown)."""
    found = re.search(rf'id="nav-unread-{name}"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_an_unanswered_enquiry_lights_the_owner_badge_until_opened(english, auth, thread):
    auth.login(thread["plant"])
    assert badge(english.get("/").get_data(as_text=True), "enquiries") == 1
    listing = english.get("/listings/enquiries").get_data(as_text=True)
    row = listing[listing.index(f'data-enquiry="{thread["enquiry"].id}"'):]
    assert "enquiry-unread" in row[:row.index("</tr>")]
    page = english.get(f"/listings/enquiries/{thread['enquiry'].id}").get_data(as_text=True)
    assert badge(page, "enquiries") == 0  # the page that reads the thread already counts it read
    assert badge(english.get("/").get_data(as_text=True), "enquiries") == 0


def test_the_asker_is_told_of_the_answer_not_of_its_own_message(english, auth, thread):
    from marketplace.services.enquiries import reply_to_enquiry

    auth.login(thread["recycler"])
    assert badge(english.get("/").get_data(as_text=True), "enquiries") == 0
    reply_to_enquiry(thread["enquiry"], user=thread["plant"], body="10 000 t a month.")
    assert badge(english.get("/").get_data(as_text=True), "enquiries") == 1


def test_an_administrator_reading_a_thread_leaves_it_unread(english, auth, db, thread, make_user):
    from marketplace.models import EnquiryMessage

    auth.login(make_user("admin"))
    assert english.get(f"/listings/enquiries/{thread['enquiry'].id}").status_code == 200
    assert db.session.scalars(select(EnquiryMessage.read_at)).all() == [None]


def test_opening_a_notification_reads_it_and_leads_to_its_offer(english, auth, db, thread):
    from marketplace.models import Notification

    recycler = thread["recycler"]
    note = Notification(user_id=recycler.id, kind="saved_search_match", listing_id=thread["offer"].id,
                        message="粉煤灰 / coal fly ash, 3.0 km")
    db.session.add(note)
    db.session.commit()
    auth.login(recycler)
    assert badge(english.get("/").get_data(as_text=True), "notifications") == 1
    response = english.post(f"/search/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/listings/{thread['offer'].id}")
    assert badge(english.get("/").get_data(as_text=True), "notifications") == 0
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None


def test_someone_else_cannot_open_a_notification(english, auth, db, thread):
    from marketplace.models import Notification

    note = Notification(user_id=thread["recycler"].id, kind="saved_search_match", listing_id=thread["offer"].id,
                        message="x")
    db.session.add(note)
    db.session.commit()
    auth.login(thread["plant"])
    assert english.post(f"/search/notifications/{note.id}/open").status_code == 403
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None
