"""SQLite (in-memory index) and PostGIS (SQL on the GiST index) give the same answers on the same data.

The data: 240 offers at random points across Anhui (fixed seed), some sharing a site, with a mix of
materials, statuses, windows, prices and grades. Each backend's answers are checked against a
brute-force scan written independently here; on the PostGIS run the same data is also loaded into a
fresh SQLite database and the two backends' answers are compared hit by hit.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

TODAY = dt.date(2027, 6, 15)
SEED = 20261123
N_OFFERS = 240
MATERIALS = ["coal-fly-ash", "coal-fly-ash-class-f", "coal-fly-ash-class-c", "fgd-gypsum", "gbfs", "steel-slag"]
STATUSES = ["published"] * 6 + ["partly_matched", "draft", "closed", "expired", "matched"]
GRADES = [None, "I", "II", "III"]


def generate(seed: int = SEED) -> list[dict]:
    rng = np.random.default_rng(seed)
    sites = [(float(rng.uniform(114.9, 119.7)), float(rng.uniform(29.4, 34.7))) for _ in range(N_OFFERS - 40)]
    offers = []
    for i in range(N_OFFERS):
        # The last 40 offers reuse earlier sites: equal distances, so ties must break by id.
        site = i if i < len(sites) else int(rng.integers(0, len(sites)))
        material = MATERIALS[int(rng.integers(0, len(MATERIALS)))]
        quantity = float(rng.integers(1, 60) * 1000)
        start = TODAY + dt.timedelta(days=int(rng.integers(-400, 30))) if rng.random() < 0.3 else None
        end = TODAY + dt.timedelta(days=int(rng.integers(-30, 400))) if rng.random() < 0.3 else None
        if start and end and end < start:
            start, end = end, start
        grade = GRADES[int(rng.integers(0, 4))] if material.startswith("coal-fly-ash") else None
        offers.append({
            "id": i + 1, "site": site, "lonlat": sites[site], "material": material,
            "kind": "want" if rng.random() < 0.05 else "offer",
            "status": STATUSES[int(rng.integers(0, len(STATUSES)))],
            "quantity": quantity, "committed": float(rng.choice([0.0, 0.0, quantity / 2, quantity])),
            "price": None if rng.random() < 0.2 else float(rng.choice([-20.0, 0.0, 35.0, 60.0, 60.0, 95.5])),
            "start": start, "end": end, "quality": {"grade": grade} if grade else {},
        })
    return offers


def load(db, offers: list[dict]) -> None:
    import shapely

    from marketplace.models import Listing, ListingMaterial, Organisation, Site

    organisation = Organisation(name_zh="对照公司", credit_code=None)
    db.session.add(organisation)
    sites = {}
    for offer in offers:
        if offer["site"] not in sites:
            sites[offer["site"]] = Site(organisation=organisation, external_ref=f"P-{offer['site']}",
                                        name_zh=f"对照厂区{offer['site']}", sector_code="4411", city_code="340100",
                                        location=shapely.Point(*offer["lonlat"]))
        # Explicit ids, so both databases number the listings alike.
        db.session.add(Listing(
            id=offer["id"], site=sites[offer["site"]], kind=offer["kind"], status=offer["status"],
            quantity=offer["quantity"], unit="t/yr", annual_quantity=offer["quantity"], base_unit="t",
            committed_quantity=offer["committed"], quality=offer["quality"], price_cny=offer["price"],
            available_from=offer["start"], available_to=offer["end"], visibility="named",
            content_hash=f"{offer['id']:040x}", materials=[ListingMaterial(material_code=offer["material"])]))
    db.session.commit()


def queries():
    from marketplace.services.search import SearchQuery, quality_filters

    centres = [(117.23, 31.82), (118.38, 31.33), (116.8, 33.9), (115.2, 30.0)]
    fly_ash_grade_ii = quality_filters("grade=II", ["coal-fly-ash"])
    found = []
    for lon, lat in centres:
        for radius in (25.0, 60.0, 150.0, 400.0):
            found.append(SearchQuery(lon=lon, lat=lat, radius_km=radius, limit=500))
            # PostGIS returns only the nearest rows for this one: the cut must fall where SQLite's does.
            found.append(SearchQuery(lon=lon, lat=lat, radius_km=radius, min_quantity=5_000, limit=9))
            found.append(SearchQuery(lon=lon, lat=lat, radius_km=radius, material_codes=("coal-fly-ash",),
                                     quality=fly_ash_grade_ii, sort="delivered_cost", limit=500))
            found.append(SearchQuery(lon=lon, lat=lat, radius_km=radius, material_codes=("fgd-gypsum", "gbfs"),
                                     min_quantity=20_000, max_price_cny=60.0, sort="score", limit=500))
    # A search centred exactly on a shared site: zero distances and ties.
    first = generate()[-1]["lonlat"]
    found.append(SearchQuery(lon=first[0], lat=first[1], radius_km=80.0, limit=500))
    found.append(SearchQuery(lon=first[0], lat=first[1], radius_km=80.0, limit=7, sort="score"))
    found.append(SearchQuery(lon=first[0], lat=first[1], radius_km=80.0, limit=7))
    return found


def answers() -> list[list[tuple]]:
    from marketplace.services.search import search_offers

    return [[(h.listing_id, h.distance_km, h.delivered_cost_cny, h.score) for h in search_offers(q, today=TODAY)]
            for q in queries()]


def haversine_km(lon1, lat1, lon2, lat2) -> float:
    from geo.distance import EARTH_RADIUS_KM

    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def brute_force(query, offers: list[dict]) -> list[tuple[int, float]]:
    """Every offer that should match, nearest first: written without the service's code paths."""
    fly_ash = {"coal-fly-ash", "coal-fly-ash-class-f", "coal-fly-ash-class-c"}
    wanted = None
    if query.material_codes:
        wanted = set()
        for code in query.material_codes:
            wanted |= fly_ash if code == "coal-fly-ash" else {code}
    rank = {"I": 1, "II": 2, "III": 3}
    found = []
    for offer in offers:
        available = offer["quantity"] - offer["committed"]
        if offer["kind"] != "offer" or offer["status"] not in ("published", "partly_matched") or available <= 0:
            continue
        if available < query.min_quantity or (wanted is not None and offer["material"] not in wanted):
            continue
        if (offer["start"] and offer["start"] > TODAY) or (offer["end"] and offer["end"] < TODAY):
            continue
        if query.max_price_cny is not None and (offer["price"] is None or offer["price"] > query.max_price_cny):
            continue
        if query.quality and rank.get(offer["quality"].get("grade"), 99) > rank[query.quality[0].value]:
            continue
        distance = haversine_km(query.lon, query.lat, *offer["lonlat"])
        if distance <= query.radius_km:
            found.append((distance, offer["id"]))
    return [(i, d) for d, i in sorted(found)]


def test_answers_match_a_brute_force_scan(app, db):
    offers = generate()
    load(db, offers)
    got = answers()
    assert sum(len(a) for a in got) > 500, "the data should give the searches something to find"
    for query, hits in zip(queries(), got):
        expected = brute_force(query, offers)
        expected_ids = [i for i, _ in expected]
        assert len(hits) == min(len(expected), query.limit)
        if query.limit >= len(expected):
            assert sorted(h[0] for h in hits) == sorted(expected_ids)
        else:
            assert {h[0] for h in hits} <= set(expected_ids)
        if query.sort == "distance":
            assert [h[0] for h in hits] == [i for i, _ in expected][:query.limit]
            assert [h[1] for h in hits] == pytest.approx([d for _, d in expected][:query.limit], abs=1e-9)


@pytest.mark.backend("postgis")  # against a fresh SQLite database of its own
def test_postgis_and_sqlite_give_identical_answers(app, db, tmp_path):
    from flask_migrate import upgrade

    from marketplace import create_app

    offers = generate()
    load(db, offers)
    postgis = answers()
    sqlite_app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'parity.db'}"})
    with sqlite_app.app_context():
        upgrade()
        load(db, offers)
        sqlite = answers()
        db.session.remove()
        db.engine.dispose()
    assert sum(len(a) for a in postgis) > 500
    for query, on_postgis, on_sqlite in zip(queries(), postgis, sqlite):
        assert [h[0] for h in on_postgis] == [h[0] for h in on_sqlite], query
        for a, b in zip(on_postgis, on_sqlite):
            assert a[1] == pytest.approx(b[1], abs=1e-6)
            assert (a[2] is None) == (b[2] is None) and (a[2] is None or a[2] == pytest.approx(b[2], abs=1e-9))
            assert a[3] == pytest.approx(b[3], abs=1e-9)
