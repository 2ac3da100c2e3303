"""Offers and wants through the JSON API."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Listing
from marketplace.services.accounts import issue_api_token


@pytest.fixture
def caller(make_user, make_site):
    user = make_user("plant")
    site = make_site(organisation=user.organisation, external_ref="API-01", name_zh="接口电厂")
    return SimpleNamespace(user=user, site=site, headers={"Authorization": f"Bearer {issue_api_token(user)}"})


def body(**overrides):
    payload = {"site_id": "API-01", "kind": "offer", "material": "粉煤灰", "quantity": 20000, "unit": "t/yr",
               "quality": {"grade": "II", "loi_pct": 5}, "price_cny": -20, "available_from": "2027-01-01",
               "available_to": "2027-12-31", "visibility": "named", "note": "散装"}
    payload.update(overrides)
    return payload


def listing_count(db):
    return db.session.scalar(select(func.count(Listing.id)))


def test_create_an_offer(client, db, caller):
    response = client.post("/api/v1/listings", headers=caller.headers, json=body(transport_modes=["road"]))
    assert response.status_code == 201, response.json
    data = response.json
    assert data["status"] == "draft" and data["kind"] == "offer"
    assert [m["code"] for m in data["materials"]] == ["coal-fly-ash"] and data["materials"][0]["name_zh"] == "粉煤灰"
    assert data["annual_quantity"] == 20000 and data["available_quantity"] == 20000 and data["committed_quantity"] == 0
    assert data["quality"] == {"grade": "II", "loi_pct": 5.0} and data["price_cny"] == -20
    assert data["available_to"] == "2027-12-31" and data["transport_modes"] == ["road"]
    assert data["site"]["site_id"] == "API-01" and data["organisation"] == caller.user.organisation.name_zh
    assert client.get("/api/v1/listings", headers=caller.headers).json[0]["id"] == data["id"]


def test_create_a_published_want_of_several_materials(client, db, caller):
    response = client.post("/api/v1/listings", headers=caller.headers, json=body(
        kind="want", material=["脱硫石膏", "ggbs"], quality="grade=S95", price_cny=80, publish=True))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "published"
    assert [m["code"] for m in response.json["materials"]] == ["fgd-gypsum", "ggbs"]


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"material": "%%%"}, "material", "no letters or digits"),
    ({"material": "coal fly ash", "unit": "MWh/yr"}, "unit", "cannot be converted"),
    ({"material": ["粉煤灰", "钢渣"]}, "material", "an offer is one material"),
    ({"material": 42}, "material", "a material code or name"),
    ({"unit": "t/week"}, "unit", "unknown unit"),
    ({"quantity": -1}, "quantity", "more than zero"),
    ({"quantity": ""}, "quantity", "number is required"),
    ({"quantity": 1e12}, "quantity", "more than any site"),
    ({"available_from": "2027-12-31", "available_to": "2027-01-01"}, "available_to", "before it starts"),
    ({"available_to": "2027-02-30"}, "available_to", "not a date"),
    ({"material": "废铅蓄电池", "quality": None, "hazard_code": "HW08"}, "hazard_code", "HW31"),
    ({"material": "废铅蓄电池", "quality": None, "hazard_code": "31"}, "hazard_code", "8-digit"),
    ({"kind": "swap"}, "kind", "Must be one of"),
    ({"quality": 5}, "quality", "key=value"),
    ({"visibility": "secret"}, "visibility", "named or anonymous"),
    ({"transport_modes": ["teleport"]}, "transport_modes", "Must be one of"),
    ({"site_id": "NOPE"}, "site_id", "unknown site_id"),
    ({"colour": "grey"}, "colour", "Unknown field"),
])
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(client, db, caller, overrides, field, words):
    # In English: the words are English ones (tests/marketplace/test_api_docs.py checks the Chinese answers).
    response = client.post("/api/v1/listings", headers={**caller.headers, "Accept-Language": "en"},
                           json=body(**overrides))
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert field in errors, errors
    assert words in str(errors[field])
    assert listing_count(db) == 0


def test_required_fields_are_named(client, caller):
    response = client.post("/api/v1/listings", headers=caller.headers, json={"kind": "offer"})
    assert response.status_code == 422
    assert {"site_id", "material", "quantity"} <= set(response.json["errors"]["json"])


def test_a_site_of_another_organisation_is_unknown(client, db, caller, make_site):
    make_site(external_ref="THEIRS")
    response = client.post("/api/v1/listings", headers=caller.headers, json=body(site_id="THEIRS"))
    assert response.status_code == 422 and "site_id" in response.json["errors"]["json"]


def test_publish_and_close(client, db, caller, make_listing):
    listing = make_listing(site=caller.site, status="draft")
    response = client.post(f"/api/v1/listings/{listing.id}/publish", headers=caller.headers)
    assert response.status_code == 200 and response.json["status"] == "published"
    response = client.post(f"/api/v1/listings/{listing.id}/close", headers=caller.headers)
    assert response.status_code == 200 and response.json["status"] == "closed"


def test_publishing_an_ended_window_is_a_422(client, db, caller, make_listing):
    listing = make_listing(site=caller.site, status="draft", available_from="2020-01-01", available_to="2020-06-30")
    response = client.post(f"/api/v1/listings/{listing.id}/publish", headers=caller.headers)
    assert response.status_code == 422 and "available_to" in response.json["errors"]["json"]


def test_only_owners_publish_or_close(client, db, caller, make_listing):
    foreign = make_listing(status="draft")
    for action in ("publish", "close"):
        response = client.post(f"/api/v1/listings/{foreign.id}/{action}", headers=caller.headers)
        assert response.status_code == 403 and response.is_json
    db.session.refresh(foreign)
    assert foreign.status == "draft"


@pytest.mark.parametrize(("status", "code"), [("draft", 403), ("published", 200), ("closed", 403)])
def test_others_see_published_listings_only(client, caller, make_listing, status, code):
    assert client.get(f"/api/v1/listings/{make_listing(status=status).id}", headers=caller.headers).status_code == code


def test_anonymous_offer_hides_its_organisation(client, caller, make_listing):
    hidden = make_listing(visibility="anonymous")
    data = client.get(f"/api/v1/listings/{hidden.id}", headers=caller.headers).json
    assert data["organisation"] is None and data["site"] is None and data["name_hidden"] is True
    assert data["sector"] == hidden.site.sector_code and data["city"] == hidden.site.city_code


def test_list_is_my_organisations_and_filters_by_kind(client, caller, make_listing):
    offer = make_listing(site=caller.site, kind="offer")
    want = make_listing(site=caller.site, kind="want")
    make_listing()
    assert [row["id"] for row in client.get("/api/v1/listings", headers=caller.headers).json] == [offer.id, want.id]
    assert [row["id"] for row in client.get("/api/v1/listings?kind=want", headers=caller.headers).json] == [want.id]


def test_openapi_documents_the_listing_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/listings", "/api/v1/listings/{listing_id}", "/api/v1/listings/{listing_id}/publish",
            "/api/v1/listings/{listing_id}/close"} <= set(paths)


@pytest.mark.parametrize(("material", "code", "reading", "flags"), [
    ("line 3 reclaim mixes ZK", "name:line3reclaimmixzk", "unclassified", {"unclassified": True}),
    ("飞灰", "incineration-fly-ash", "possibly_hazardous", {"possibly_hazardous": True}),
    ("gypsum", "byproduct-gypsum", "generic", {"unclassified": False, "possibly_hazardous": False}),
])
def test_the_api_accepts_generic_possibly_hazardous_and_unknown_names(client, db, caller, material, code, reading,
                                                                      flags):
    response = client.post("/api/v1/listings", headers=caller.headers, json=body(material=material, quality=None))
    assert response.status_code == 201, response.json
    assert response.json["material"] == material
    assert response.json["material_code"] == code
    assert response.json["names"][0]["reading"] == reading
    assert {key: response.json[key] for key in flags} == flags
    assert listing_count(db) == 1


def test_the_owner_confirms_a_possibly_hazardous_kind_through_the_api(client, db, caller):
    created = client.post("/api/v1/listings", headers=caller.headers, json=body(material="飞灰", quality=None)).json
    assert created["possibly_hazardous"] and created["hazard_code"] == "772-002-18"
    url = f"/api/v1/listings/{created['id']}/confirm-kind"
    bad = client.post(url, headers=caller.headers, json={"material": "gbfs"})
    assert bad.status_code == 422 and "material" in bad.json["errors"]["json"]
    response = client.post(url, headers=caller.headers, json={"material": "incineration-fly-ash"})
    assert response.status_code == 200, response.json
    assert response.json["possibly_hazardous"] is False and response.json["material_code"] == "incineration-fly-ash"
    assert response.json["hazard_code"] == "772-002-18" and response.json["names"][0]["reading"] == "exact"
