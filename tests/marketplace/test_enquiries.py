"""Enquiries between organisations, and when an anonymous offer shows its company."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Enquiry, EnquiryMessage
from marketplace.services.enquiries import (EnquiryRefused, awaits_reply_from, enquiries_of, reply_to_enquiry,
                                            start_enquiry)
from marketplace.services.errors import FieldError

SUPPLIER = "匿名供应有限公司"
SUPPLIER_SITE = "秘密电厂三期"


@pytest.fixture
def market(client, make_org, make_site, make_user, make_listing):
    """An anonymous fly-ash offer, its supplier, an asking recycler and a bystander of a third company."""
    client.get("/lang/en")
    # A company with a Chinese name only: the English page shows it as it is (with an English name it would show that).
    supplier_org = make_org(name_zh=SUPPLIER, name_en=None)
    site = make_site(organisation=supplier_org, name_zh=SUPPLIER_SITE, city_code="340200", sector_code="4411",
                     lonlat=(118.3812, 31.3317))
    offer = make_listing(site=site, visibility="anonymous")
    return SimpleNamespace(offer=offer, site=site, supplier_org=supplier_org,
                           supplier=make_user("plant", organisation=supplier_org),
                           asker=make_user("recycler"), bystander=make_user("recycler"))


def as_user(auth, user):
    auth.logout()
    auth.login(user)


def shows_supplier(client, offer) -> dict[str, bool]:
    """Where the supplier's name appears for the signed-in user: detail page, API, enquiry list."""
    page = client.get(f"/listings/{offer.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/listings/{offer.id}").json
    threads = client.get("/listings/enquiries").get_data(as_text=True)
    return {"page": SUPPLIER in page and SUPPLIER_SITE in page, "api": api["organisation"] == SUPPLIER,
            "list": SUPPLIER in threads}


def test_anonymous_offer_shows_its_company_only_after_the_owner_replies(client, auth, db, market):
    as_user(auth, market.asker)
    assert shows_supplier(client, market.offer) == {"page": False, "api": False, "list": False}
    page = client.get(f"/listings/{market.offer.id}").get_data(as_text=True)
    assert "Wuhu" in page or "芜湖" in page  # city and sector are shown even while the name is hidden
    assert "4411" in page

    response = client.post(f"/listings/{market.offer.id}/enquire", data={"body": "二级灰？每月多少吨？"})
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    # Asking is not enough: the name stays hidden until the supplier answers.
    assert shows_supplier(client, market.offer) == {"page": False, "api": False, "list": False}
    assert SUPPLIER not in client.get(thread_url).get_data(as_text=True)

    as_user(auth, market.supplier)
    assert "二级灰？每月多少吨？" in client.get(thread_url).get_data(as_text=True)
    assert client.post(thread_url, data={"body": "二级，约2000吨/月。"}).status_code == 302

    as_user(auth, market.asker)
    assert shows_supplier(client, market.offer) == {"page": True, "api": True, "list": True}
    thread = client.get(thread_url).get_data(as_text=True)
    assert SUPPLIER in thread and "二级，约2000吨/月。" in thread

    # Another company that has not been answered still sees no name.
    as_user(auth, market.bystander)
    assert shows_supplier(client, market.offer) == {"page": False, "api": False, "list": False}


def test_hidden_location_is_approximate(client, auth, market):
    as_user(auth, market.asker)
    api = client.get(f"/api/v1/listings/{market.offer.id}").json
    assert api["site"] is None and api["name_hidden"] is True and api["city"] == "340200"
    assert (api["lon"], api["lat"]) == (118.40, 31.35)  # snapped to the 0.05° grid, about 5 km
    page = client.get(f"/listings/{market.offer.id}").get_data(as_text=True)
    assert "118.3812" not in page and "118.4000" in page


@pytest.mark.parametrize("viewer", ["supplier", "park_manager", "admin"])
def test_those_who_may_see_the_site_anyway_see_the_name(client, auth, db, make_user, make_park, market, viewer):
    park = make_park()
    market.site.park = park
    db.session.commit()
    user = {"supplier": market.supplier, "park_manager": make_user("park_manager", parks=[park]),
            "admin": make_user("admin")}[viewer]
    as_user(auth, user)
    assert SUPPLIER in client.get(f"/listings/{market.offer.id}").get_data(as_text=True)


def test_both_sides_see_the_thread_and_the_owner_sees_it_on_the_listing(client, auth, market):
    as_user(auth, market.asker)
    thread_url = client.post(f"/listings/{market.offer.id}/enquire", data={"body": "价格可谈吗？"}).headers["Location"]
    enquiry_id = int(thread_url.rsplit("/", 1)[1])
    as_user(auth, market.supplier)
    detail = client.get(f"/listings/{market.offer.id}").get_data(as_text=True)
    assert f"/listings/enquiries/{enquiry_id}" in detail and market.asker.organisation.name_en in detail  # the page is in English
    listing_page = client.get("/listings/enquiries").get_data(as_text=True)
    assert f'data-enquiry="{enquiry_id}"' in listing_page and "awaiting your reply" in listing_page
    as_user(auth, market.bystander)
    assert client.get(thread_url).status_code == 403
    assert f"/listings/enquiries/{enquiry_id}" not in client.get(f"/listings/{market.offer.id}").get_data(as_text=True)


def test_empty_message_is_refused_on_its_field(client, auth, db, market):
    as_user(auth, market.asker)
    response = client.post(f"/listings/{market.offer.id}/enquire", data={"body": "   "})
    assert response.status_code == 400 and 'data-field="body"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enquiry.id))) == 0


def test_one_thread_per_organisation_and_listing(db, market):
    first = start_enquiry(market.offer, user=market.asker, body="一")
    second = start_enquiry(market.offer, user=market.asker, body="二")
    assert first.id == second.id and [m.body for m in second.messages] == ["一", "二"]


def test_owner_cannot_enquire_about_its_own_listing(db, market):
    with pytest.raises(EnquiryRefused):
        start_enquiry(market.offer, user=market.supplier, body="?")


@pytest.mark.parametrize("status", ["draft", "closed", "expired"])
def test_no_new_enquiries_on_unpublished_listings(db, market, status):
    market.offer.status = status
    db.session.commit()
    with pytest.raises(EnquiryRefused):
        start_enquiry(market.offer, user=market.asker, body="?")


@pytest.mark.parametrize(("body", "words"), [("", "write a message"), ("x" * 4001, "at most 4000")])
def test_message_must_have_text_of_reasonable_length(db, market, body, words):
    with pytest.raises(FieldError, match=words):
        start_enquiry(market.offer, user=market.asker, body=body)


def test_only_the_two_sides_write_in_a_thread(db, market):
    enquiry = start_enquiry(market.offer, user=market.asker, body="?")
    with pytest.raises(EnquiryRefused):
        reply_to_enquiry(enquiry, user=market.bystander, body="我也想要")
    assert db.session.scalar(select(func.count(EnquiryMessage.id))) == 1


def test_enquiries_of_lists_threads_of_both_sides_and_who_must_answer(db, make_listing, make_site, market):
    asked = start_enquiry(market.offer, user=market.asker, body="?")
    own_offer = make_listing(site=make_site(organisation=market.asker.organisation))
    asking = start_enquiry(own_offer, user=market.supplier, body="?")
    assert {e.id for e in enquiries_of(market.asker.organisation)} == {asked.id, asking.id}
    assert enquiries_of(market.bystander.organisation) == []
    assert awaits_reply_from(asked, market.supplier_org) and not awaits_reply_from(asked, market.asker.organisation)
    reply_to_enquiry(asked, user=market.supplier, body="!")
    assert awaits_reply_from(asked, market.asker.organisation)
    # The most recently active thread comes first.
    assert enquiries_of(market.asker.organisation)[0].id == asked.id
