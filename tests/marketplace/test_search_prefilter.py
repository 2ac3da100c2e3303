"""The spatial prefilter (PostGIS's query, SQLite's in-memory index) changes nothing in a search's answer.

Each backend's prefilter returns only the offers that may be in reach, with the quantity, window, material
and price conditions already applied on PostGIS. Here the same ranking is run on every active offer read
straight from the ORM (no prefilter at all), and the two answers must be identical for random queries: the
same hits in the same order, with bit-for-bit equal distances, costs and scores. The offers include the
awkward places for a bounding box (both sides of the antimeridian, near the North Pole), anonymous offers
(searched at their grid point), offers of two materials, piped and dangerous materials, and missing prices.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

TODAY = dt.date(2027, 6, 15)
SEED = 20261205
MATERIALS = ["coal-fly-ash", "coal-fly-ash-class-f", "fgd-gypsum", "gbfs", "steam", "waste-mineral-oil"]
# Clusters where offers are placed: Anhui, across the antimeridian (Fiji), near the North Pole, the equator.
CLUSTERS = [(117.5, 31.5, 2.0), (179.9, -17.0, 0.6), (-179.9, -17.0, 0.6), (20.0, 88.5, 1.0), (0.0, 0.0, 1.5)]


def generate(rng: np.random.Generator, n: int = 160) -> list[dict]:
    offers = []
    for i in range(n):
        lon0, lat0, spread = CLUSTERS[int(rng.integers(0, len(CLUSTERS)))]
        lon = float(np.clip(lon0 + rng.uniform(-spread, spread), -180.0, 180.0))
        lat = float(np.clip(lat0 + rng.uniform(-spread, spread), -90.0, 90.0))
        codes = list(rng.choice(MATERIALS, size=2 if rng.random() < 0.15 else 1, replace=False))
        quantity = float(rng.integers(1, 40) * 500)
        start = TODAY + dt.timedelta(days=int(rng.integers(-300, 60))) if rng.random() < 0.3 else None
        end = TODAY + dt.timedelta(days=int(rng.integers(-30, 300))) if rng.random() < 0.3 else None
        if start and end and end < start:
            start, end = end, start
        offers.append({
            "id": i + 1, "lonlat": (lon, lat), "codes": codes,
            "status": ["published", "published", "partly_matched", "draft"][int(rng.integers(0, 4))],
            "quantity": quantity, "committed": float(rng.choice([0.0, 0.0, quantity / 4, quantity])),
            "price": None if rng.random() < 0.2 else float(rng.choice([-15.0, 0.0, 22.5, 60.0, 60.0, 140.0])),
            "start": start, "end": end,
            "visibility": "anonymous" if rng.random() < 0.3 else "named",
        })
    return offers


def load(db, offers: list[dict]) -> None:
    import shapely

    from marketplace.models import Listing, ListingMaterial, Organisation, Site

    organisation = Organisation(name_zh="预筛公司", credit_code=None)
    db.session.add(organisation)
    for offer in offers:
        site = Site(organisation=organisation, external_ref=f"Q-{offer['id']}", name_zh=f"预筛厂区{offer['id']}",
                    sector_code="4411", city_code="340100", location=shapely.Point(*offer["lonlat"]))
        db.session.add(Listing(
            id=offer["id"], site=site, kind="offer", status=offer["status"], quantity=offer["quantity"],
            unit="t/yr", annual_quantity=offer["quantity"], base_unit="t", committed_quantity=offer["committed"],
            quality={}, price_cny=offer["price"], available_from=offer["start"], available_to=offer["end"],
            visibility=offer["visibility"], content_hash=f"{offer['id']:040x}",
            materials=[ListingMaterial(material_code=code) for code in offer["codes"]]))
    db.session.commit()


def random_queries(rng: np.random.Generator, offers: list[dict], n: int = 120):
    from marketplace.services.search import SORTS, SearchQuery

    found = []
    for _ in range(n):
        lon, lat = offers[int(rng.integers(0, len(offers)))]["lonlat"]
        lon = float(np.clip(lon + rng.uniform(-0.5, 0.5), -180.0, 180.0))
        lat = float(np.clip(lat + rng.uniform(-0.5, 0.5), -90.0, 90.0))
        codes = () if rng.random() < 0.5 else tuple(rng.choice(MATERIALS[:4] + ["steam"], size=2, replace=False))
        found.append(SearchQuery(
            lon=lon, lat=lat, radius_km=float(rng.choice([0.5, 5.0, 40.0, 150.0, 400.0, 1000.0])),
            material_codes=codes, min_quantity=float(rng.choice([0.0, 0.0, 3000.0])),
            max_price_cny=None if rng.random() < 0.7 else 60.0, sort=str(rng.choice(SORTS)),
            limit=int(rng.choice([1, 3, 10, 500])), offset=int(rng.choice([0, 0, 2])),
            include_upcoming=bool(rng.random() < 0.7)))
    return found


def every_active_offer():
    """Every active offer's rows, read through the ORM: no spatial or SQL prefilter."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from marketplace.extensions import db
    from marketplace.models import Listing
    from marketplace.services.search_index import ACTIVE_STATUSES, candidates_from_rows

    rows = db.session.scalars(select(Listing).where(Listing.kind == "offer", Listing.status.in_(ACTIVE_STATUSES))
                              .options(joinedload(Listing.site)).order_by(Listing.id)).all()
    return candidates_from_rows(
        [(row.id, code, row.site.lon, row.site.lat, row.annual_quantity, row.committed_quantity, row.price_cny,
          row.available_from, row.available_to, row.base_unit, row.visibility, row.quality)
         for row in rows for code in row.material_codes], with_quality=True)


def without_prefilter(query, found) -> list[tuple]:
    """The ranking of ``found`` (every active offer) for ``query``."""
    from marketplace.services.search import expand_materials, rank_candidates

    codes = expand_materials(query.material_codes) if query.material_codes else None
    return [(r.listing_id, r.material_code, r.distance_km, r.road_distance_km, r.transport_cost_cny,
             r.delivered_cost_cny, r.co2_t, r.score)
            for r in rank_candidates(found, query, codes=codes, today=TODAY, limit=query.limit)]


def test_the_prefilter_finds_exactly_what_ranking_every_offer_finds(app, db):
    from marketplace.services.search import search_offers

    rng = np.random.default_rng(SEED)
    offers = generate(rng)
    load(db, offers)
    queries = random_queries(rng, offers)
    everything = every_active_offer()
    answered = 0
    for query in queries:
        hits = [(h.listing_id, h.material_code, h.distance_km, h.road_distance_km, h.transport_cost_cny,
                 h.delivered_cost_cny, h.co2_t, h.score) for h in search_offers(query, today=TODAY)]
        assert hits == without_prefilter(query, everything), query
        answered += bool(hits)
    assert answered > len(queries) // 2, "most queries should find something, or the comparison says little"


@pytest.mark.parametrize("lon", [179.95, -179.95])
def test_a_search_reaches_across_the_antimeridian(app, db, lon):
    from marketplace.services.search import SearchQuery, search_offers

    load(db, [{"id": 1, "lonlat": (-lon, -17.0), "codes": ["gbfs"], "status": "published", "quantity": 1000.0,
               "committed": 0.0, "price": 10.0, "start": None, "end": None, "visibility": "named"}])
    (hit,) = search_offers(SearchQuery(lon=lon, lat=-17.0, radius_km=20.0), today=TODAY)
    assert hit.listing_id == 1 and hit.distance_km == pytest.approx(10.6, abs=0.1)
