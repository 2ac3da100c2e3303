"""Search follows every change to offers and sites, made through ORM objects or bulk statements.

PostGIS searches the rows its triggers keep in `search_offer` (migration 0015); SQLite its in-memory index.
"""
from __future__ import annotations

import pytest
import shapely
import sqlalchemy as sa

from marketplace.models import Listing, ListingMaterial

from tests.marketplace.test_search import ids, north_of, offer_at, search  # noqa: F401 - offer_at is a fixture


def test_search_sees_every_kind_of_change(offer_at, make_site, db):
    offer = offer_at(north_of(10.0))
    other = offer_at(north_of(12.0), material="fgd-gypsum")
    assert ids(search(radius_km=20.0)) == [offer.id, other.id]

    offer.committed_quantity = offer.annual_quantity  # all of it promised: nothing left to offer
    db.session.commit()
    assert ids(search(radius_km=20.0)) == [other.id]
    offer.committed_quantity = 0.0
    db.session.commit()

    offer.site.location = shapely.Point(*north_of(30.0))  # the site moves out of the radius
    db.session.commit()
    assert ids(search(radius_km=20.0)) == [other.id]
    assert ids(search(radius_km=40.0)) == [other.id, offer.id]

    db.session.execute(sa.update(ListingMaterial).where(ListingMaterial.listing_id == other.id)
                       .values(material_code="coal-fly-ash"))  # a bulk statement, as imports write
    db.session.commit()
    assert ids(search(radius_km=20.0, material_codes=("coal-fly-ash",))) == [other.id]

    db.session.execute(sa.update(Listing).where(Listing.id == other.id).values(status="closed"))
    db.session.commit()
    assert ids(search(radius_km=40.0)) == [offer.id]
    db.session.execute(sa.update(Listing).where(Listing.id == other.id).values(status="published"))
    db.session.commit()
    assert ids(search(radius_km=40.0)) == [other.id, offer.id]

    db.session.delete(other)
    db.session.commit()
    assert ids(search(radius_km=40.0)) == [offer.id]


def test_a_want_is_never_found(make_listing, make_site, db):
    make_listing(site=make_site(lonlat=north_of(5.0)), kind="want")
    assert search(radius_km=20.0) == []


@pytest.mark.backend("postgis")  # SQLite has no search_offer table: its index is checked by the test above
def test_postgis_search_rows_are_exactly_the_active_offers(offer_at, make_listing, make_site, db):
    offer_at(north_of(1.0))
    offer_at(north_of(2.0), status="draft")
    moved = offer_at(north_of(3.0), price_cny=10)
    make_listing(site=make_site(lonlat=north_of(4.0)), kind="want")
    moved.site.location = shapely.Point(*north_of(8.0))
    moved.committed_quantity = 5.0
    db.session.commit()
    derived = db.session.execute(sa.text("""
        SELECT l.id, lm.material_code, ST_X(s.location), ST_Y(s.location), l.annual_quantity, l.committed_quantity,
               l.price_cny, l.available_from, l.available_to, l.base_unit, l.visibility
        FROM listing l JOIN site s ON s.id = l.site_id JOIN listing_material lm ON lm.listing_id = l.id
        WHERE l.kind = 'offer' AND l.status IN ('published', 'partly_matched') ORDER BY 1, 2""")).all()
    kept = db.session.execute(sa.text("""
        SELECT listing_id, material_code, lon, lat, annual_quantity, committed_quantity, price_cny,
               available_from, available_to, base_unit, visibility FROM search_offer ORDER BY 1, 2""")).all()
    assert len(derived) == 2 and kept == derived
    # The unit vectors the radius is measured with are those of the points.
    assert db.session.scalar(sa.text("SELECT max(abs(x - cosd(lat) * cosd(lon)) + abs(y - cosd(lat) * sind(lon))"
                                     " + abs(z - sind(lat))) FROM search_offer")) < 1e-12
