"""What the OpenAPI document promises about null and time, kept: a field it marks nullable takes null on
input (meaning "not given"), and every date-time the API answers carries its zone (UTC, written ``Z``).

One test per endpoint family; the nullable fields are read from the document itself, so a field marked
nullable tomorrow is covered the day it is documented.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from marketplace.models import Listing
from marketplace.services.accounts import issue_api_token

from .run_jobs import wait_for_run

# RFC 3339 date-time with its offset: what JSON Schema's "date-time" format means.
ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def nullable_body_fields(document, path: str, method: str = "post") -> set[str]:
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    properties = document["components"]["schemas"][schema["$ref"].split("/")[-1]]["properties"]
    return {name for name, prop in properties.items()
            if prop.get("nullable") or "null" in (prop.get("type") if isinstance(prop.get("type"), list) else [])}


def nullable_query_parameters(document, path: str) -> set[str]:
    return {p["name"] for p in document["paths"][path]["get"].get("parameters", [])
            if p.get("in") == "query" and "null" in (p["schema"].get("type") or [])}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


@pytest.fixture
def plant(make_user, make_site):
    user = make_user("plant")
    site = make_site(organisation=user.organisation, sector_code="4411", lonlat=(117.2, 31.8))
    return user, site


def test_sites_take_null_for_every_nullable_field(client, document, plant):
    user, site = plant
    nullable = nullable_body_fields(document, "/api/v1/sites")
    assert {"name_en", "city", "park"} <= nullable
    body = {"site_id": "N-1", "name": "空值厂区", "sector": "3011", "lon": 117.23, "lat": 31.84,
            "transport_access": None, **{name: None for name in nullable}}  # typeless ("any value") too
    created = client.post("/api/v1/sites", json=body, headers=bearer(user))
    assert created.status_code == 201, created.json
    assert created.json["name_en"] is None and created.json["park"] is None
    assert created.json["city"] == "340100"  # null: found from the point, as when it is left out

    sectors = nullable_body_fields(document, "/api/v1/sites/{site_id}/sectors")
    assert sectors == {"sector"}
    confirmed = client.post(f"/api/v1/sites/{site.id}/sectors", json={"sector": None}, headers=bearer(user))
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["sectors"] == ["4411"] and confirmed.json["sector_to_confirm"] is False


def test_listings_take_null_for_every_nullable_field(client, db, document, plant):
    user, site = plant
    nullable = nullable_body_fields(document, "/api/v1/listings")
    assert {"unit", "hazard_code", "visibility", "note"} <= nullable
    body = {"site_id": site.external_ref, "kind": "offer", "material": "粉煤灰", "quantity": 5000,
            **{name: None for name in nullable}}
    for name in ("quality", "price_cny", "available_from", "available_to"):
        body[name] = None  # typeless in the document ("any value"): null among them
    created = client.post("/api/v1/listings", json=body, headers=bearer(user))
    assert created.status_code == 201, created.json
    listing = db.session.get(Listing, created.json["id"])
    assert (listing.unit, listing.visibility, listing.note, listing.price_cny) == ("t/yr", "named", None, None)

    kinds = client.get("/api/v1/listings", query_string={"kind": ""}, headers=bearer(user))
    assert nullable_query_parameters(document, "/api/v1/listings") == {"kind"}
    assert kinds.status_code == 200 and [row["id"] for row in kinds.json] == [listing.id]


def test_listing_times_carry_their_zone(client, plant):
    user, site = plant
    created = client.post("/api/v1/listings", headers=bearer(user), json={
        "site_id": site.external_ref, "kind": "offer", "material": "粉煤灰", "quantity": 5000, "publish": True})
    assert created.status_code == 201, created.json
    published = created.json["published_at"]
    assert ZONED.match(published), published
    stamp = dt.datetime.fromisoformat(published.replace("Z", "+00:00"))
    assert abs(stamp - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)  # UTC, not local time
    again = client.get(f"/api/v1/listings/{created.json['id']}", headers=bearer(user)).json
    assert again["published_at"] == published


def test_match_runs_take_null_park_and_answer_zoned_times(client, db, document, make_user, make_listing,
                                                          make_site):
    admin = make_user("admin")
    assert nullable_body_fields(document, "/api/v1/match-runs") == {"park"}
    power = make_site(sector_code="4411", lonlat=(117.2, 31.8))
    cement = make_site(sector_code="3011", lonlat=(117.215, 31.81))
    make_listing(site=power, kind="offer", quantity=10_000)
    make_listing(site=cement, kind="want", quantity=6_000)
    run = client.post("/api/v1/match-runs", json={"park": None, "latent": False}, headers=bearer(admin))
    # A run is a background job: accepted (202) and queued, its URL in Location.
    assert run.status_code == 202, run.json
    assert run.headers["Location"] == run.json["run"]["url"]
    assert ZONED.match(run.json["run"]["created_at"]), run.json["run"]["created_at"]
    assert wait_for_run(db, run.json["run"]["id"]).status == "done"
    again = client.get(run.headers["Location"], headers=bearer(admin)).json
    assert again["run"]["status"] == "done"
    assert again["run"]["created_at"] == run.json["run"]["created_at"]
    for stamp in ("started_at", "finished_at"):
        assert ZONED.match(again["run"][stamp]), (stamp, again["run"][stamp])


def test_search_and_materials_take_empty_nullable_query_parameters(client, document, plant, make_listing,
                                                                  make_site):
    """A query string has no null: an empty value of a nullable parameter means "not given"."""
    user, site = plant
    supplier = make_site(sector_code="4411", lonlat=(117.21, 31.81))
    offer = make_listing(site=supplier, kind="offer", quantity=8_000)
    search = nullable_query_parameters(document, "/api/v1/offers/search")
    assert {"material", "want", "site", "lon", "lat", "min_quantity", "quality", "max_price"} <= search
    args = {name: "" for name in search} | {"material": "coal-fly-ash", "site": str(site.id)}
    found = client.get("/api/v1/offers/search", query_string=args, headers=bearer(user))
    assert found.status_code == 200, found.json
    assert [hit["listing_id"] for hit in found.json["hits"]] == [offer.id]

    materials = nullable_query_parameters(document, "/api/v1/materials")
    assert {"family", "hazardous", "bulk"} <= materials
    every = client.get("/api/v1/materials", headers=bearer(user)).json
    empty = client.get("/api/v1/materials", query_string={name: "" for name in materials}, headers=bearer(user))
    assert empty.status_code == 200, empty.json
    assert empty.json == every


def test_no_answer_of_the_api_has_a_time_without_its_zone(client, db, make_user, make_listing, make_site):
    """Every JSON answer of the GET endpoints a party uses, scanned for date-times: each carries its zone."""
    admin, plant = make_user("admin"), make_user("plant")
    power = make_site(organisation=plant.organisation, sector_code="4411", lonlat=(117.2, 31.8))
    offer = client.post("/api/v1/listings", headers=bearer(plant), json={
        "site_id": power.external_ref, "kind": "offer", "material": "粉煤灰", "quantity": 10_000, "publish": True})
    assert offer.status_code == 201, offer.json
    make_listing(site=make_site(sector_code="3011", lonlat=(117.215, 31.81)), kind="want", quantity=6_000)
    run = client.post("/api/v1/match-runs", json={"latent": False}, headers=bearer(admin)).json
    paths = ["/api/v1/me", "/api/v1/listings", f"/api/v1/match-runs/{run['run']['id']}", "/api/v1/links",
             f"/api/v1/sites/{power.id}", "/api/v1/network"]
    paths += [f"/api/v1/listings/{l.id}" for l in db.session.scalars(select(Listing))]
    seen = []

    def times(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from times(item)
        elif isinstance(value, list):
            for item in value:
                yield from times(item)
        elif isinstance(value, str) and (ZONED.match(value) or NAIVE.match(value)):
            yield value

    for path in paths:
        answer = client.get(path, headers=bearer(admin))
        assert answer.status_code == 200, (path, answer.status_code)
        for value in times(answer.json):
            seen.append(value)
            assert ZONED.match(value), f"{path}: {value!r} has no zone"
    assert len(seen) >= 2  # the run's time and the offer's publication time at least
