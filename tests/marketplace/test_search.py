"""Nearby-supply search on tiny literal cases (each runs on SQLite and, when configured, PostGIS)."""
from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa

from geo.distance import EARTH_RADIUS_KM

TODAY = dt.date(2027, 6, 15)
CENTRE = (118.38, 31.33)  # Wuhu


def north_of(km: float, centre=CENTRE) -> tuple[float, float]:
    """The point ``km`` due north of ``centre`` on the sphere."""
    return centre[0], centre[1] + math.degrees(km / EARTH_RADIUS_KM)


def east_of(km: float, centre=CENTRE) -> tuple[float, float]:
    lon0, lat0 = map(math.radians, centre)
    angle = km / EARTH_RADIUS_KM
    lat = math.asin(math.sin(lat0) * math.cos(angle))
    lon = lon0 + math.atan2(math.sin(angle) * math.cos(lat0), math.cos(angle) - math.sin(lat0) * math.sin(lat))
    return math.degrees(lon), math.degrees(lat)


@pytest.fixture
def offer_at(make_site, make_listing, db):
    """An offer at a point; extra fields go to the listing (status, price_cny, quality …)."""

    def make(lonlat, *, material="coal-fly-ash", committed=0.0, **fields):
        listing = make_listing(site=make_site(lonlat=lonlat), kind="offer", material=material, **fields)
        if committed:
            listing.committed_quantity = committed
            db.session.commit()
        return listing

    return make


def search(**options):
    from marketplace.services.search import SearchQuery, search_offers

    options.setdefault("lon", CENTRE[0])
    options.setdefault("lat", CENTRE[1])
    today = options.pop("today", TODAY)
    return search_offers(SearchQuery(**options), today=today)


def ids(hits) -> list[int]:
    return [hit.listing_id for hit in hits]


@pytest.mark.parametrize(("offset_km", "radius_km", "found"), [
    (10.0, 10.0 + 1e-6, True), (10.0, 10.0 - 1e-6, False), (0.0, 0.001, True), (149.9, 150.0, True),
    (150.1, 150.0, False)])
def test_radius_edge(offer_at, offset_km, radius_km, found):
    offer = offer_at(north_of(offset_km))
    hits = search(radius_km=radius_km)
    assert ids(hits) == ([offer.id] if found else [])
    if found:
        assert hits[0].distance_km == pytest.approx(offset_km, abs=1e-6)


def test_radius_applies_east_west_too(offer_at):
    near, far = offer_at(east_of(49.99)), offer_at(east_of(50.01))
    assert ids(search(radius_km=50)) == [near.id]
    assert far.id in ids(search(radius_km=51))


def test_distance_road_distance_transport_cost_and_co2(offer_at):
    from marketplace.services.search import FREIGHT_RATE_CNY_PER_T_KM, ROAD_DETOUR_FACTOR, TRANSPORT_CO2_T_PER_T_KM

    offer_at(north_of(20.0), price_cny=50)
    (hit,) = search(radius_km=30)
    assert hit.distance_km == pytest.approx(20.0, abs=1e-6)
    assert hit.road_distance_km == pytest.approx(20.0 * ROAD_DETOUR_FACTOR, abs=1e-6)
    assert hit.transport_cost_cny == pytest.approx(20.0 * ROAD_DETOUR_FACTOR * FREIGHT_RATE_CNY_PER_T_KM["road"])
    assert hit.delivered_cost_cny == pytest.approx(50 + hit.transport_cost_cny)
    assert hit.co2_t == pytest.approx(20.0 * ROAD_DETOUR_FACTOR * TRANSPORT_CO2_T_PER_T_KM["road"])


def test_steam_gets_no_truck_estimate(offer_at):
    offer_at(north_of(2.0), material="steam", unit="t/yr", price_cny=150)
    (hit,) = search(radius_km=5, material_codes=("steam",))
    assert hit.transport_cost_cny is None and hit.co2_t is None and hit.delivered_cost_cny is None


@pytest.mark.parametrize(("min_quantity", "expected"), [(0, ["small", "big"]), (6000, ["small", "big"]),
                                                        (6001, ["big"]), (20_000, [])])
def test_min_quantity_counts_what_is_not_yet_committed(offer_at, min_quantity, expected):
    offers = {"small": offer_at(north_of(1), quantity=10_000, committed=4000),   # 6 000 t left
              "big": offer_at(north_of(2), quantity=15_000)}
    assert ids(search(min_quantity=min_quantity)) == [offers[name].id for name in expected]


def test_fully_committed_offer_is_not_supply(offer_at):
    offer_at(north_of(1), quantity=10_000, committed=10_000)
    assert search() == []


@pytest.mark.parametrize(("quality", "expected"), [
    ("grade=I", ["g1"]),
    ("grade=II", ["g1", "g2"]),
    ("grade=III", ["g1", "g2", "g3"]),
    ("loi_pct_max=5", ["g1"]),
    ("loi_pct_min=5", ["g2", "g3"]),
    ("grade=II; loi_pct_max=7", ["g1", "g2"]),
    ("class=F", ["g2"]),
])
def test_quality_filters(offer_at, quality, expected):
    from marketplace.services.search import quality_filters

    offers = {"g1": offer_at(north_of(1), quality="grade=I;loi_pct=4.5"),
              "g2": offer_at(north_of(2), quality="grade=II;loi_pct=6;class=F"),
              "g3": offer_at(north_of(3), quality="grade=III;loi_pct=9"),
              "unstated": offer_at(north_of(4))}
    filters = quality_filters(quality, ["coal-fly-ash"])
    assert ids(search(material_codes=("coal-fly-ash",), quality=filters)) == [offers[n].id for n in expected]


def test_a_material_kind_meets_the_quality_it_implies(offer_at):
    """Class F fly ash is class F whether or not the offer says so; what an offer states still wins."""
    from marketplace.services.search import quality_filters

    implied = offer_at(north_of(1), material="coal-fly-ash-class-f")
    offer_at(north_of(2), material="coal-fly-ash-class-c")
    offer_at(north_of(3))  # plain fly ash, class unknown
    filters = quality_filters("class=F", ["coal-fly-ash"])
    assert ids(search(material_codes=("coal-fly-ash",), quality=filters)) == [implied.id]


@pytest.mark.parametrize(("quality", "message"), [
    ("colour=grey", "unknown quality key 'colour'"),
    ("grade=IV", "grade='IV' is not one of I, II, III"),
    ("loi_pct=5", "give a bound, loi_pct_min"),
    ("grade_max=II", "grade_max: grade is one of I, II, III; write grade="),
    ("loi_pct_max=low", "loi_pct_max='low': _min and _max need a number"),
])
def test_bad_quality_filters_name_the_problem(quality, message):
    from marketplace.services.errors import FieldError
    from marketplace.services.search import quality_filters

    with pytest.raises(FieldError, match=message) as caught:
        quality_filters(quality, ["coal-fly-ash"])
    assert caught.value.field == "quality"


def test_slag_powder_grades_run_the_other_way(offer_at):
    from marketplace.services.search import quality_filters

    s105 = offer_at(north_of(1), material="ggbs", quality="grade=S105")
    offer_at(north_of(2), material="ggbs", quality="grade=S75")
    filters = quality_filters("grade=S95", ["ggbs"])
    assert ids(search(material_codes=("ggbs",), quality=filters)) == [s105.id]


@pytest.mark.parametrize(("max_price", "expected"), [(None, ["cheap", "dear", "unpriced"]), (60, ["cheap"]),
                                                     (80, ["cheap", "dear"]), (-10, ["gate_fee"])])
def test_max_price(offer_at, max_price, expected):
    offers = {"cheap": offer_at(north_of(1), price_cny=50), "dear": offer_at(north_of(2), price_cny=80),
              "unpriced": offer_at(north_of(3))}
    if max_price == -10:
        offers = {"gate_fee": offer_at(north_of(4), price_cny=-20)}
    found = ids(search(max_price_cny=max_price))
    assert [i for i in found if i in {o.id for o in offers.values()}] == [offers[n].id for n in expected]


@pytest.mark.parametrize(("fields", "found"), [
    ({"status": "draft"}, False), ({"status": "closed"}, False), ({"status": "expired"}, False),
    ({"status": "matched"}, False), ({"status": "partly_matched"}, True), ({"status": "published"}, True),
    ({"available_to": "2027-06-14"}, False), ({"available_to": "2027-06-15"}, True),
    ({"available_from": "2027-06-16"}, False), ({"available_from": "2027-06-15"}, True),
    ({"available_from": "2027-01-01", "available_to": "2027-12-31"}, True),
])
def test_only_active_offers_with_an_open_window(offer_at, fields, found):
    offer = offer_at(north_of(1), **fields)
    assert ids(search(include_upcoming=False)) == ([offer.id] if found else [])


def test_upcoming_offers_are_found_and_marked_unless_left_out(offer_at):
    """An offer whose window opens after today is supply to plan for (the engine counts it): found, marked."""
    now = offer_at(north_of(1), available_from="2027-06-15")
    later = offer_at(north_of(2), available_from="2027-09-01", available_to="2028-08-31")
    offer_at(north_of(3), available_from="2026-01-01", available_to="2027-06-14")  # ended
    hits = search()
    assert [(hit.listing_id, hit.upcoming) for hit in hits] == [(now.id, False), (later.id, True)]
    assert ids(search(include_upcoming=False)) == [now.id]


def test_own_offers_can_be_left_out(offer_at, make_site, make_listing):
    mine = offer_at(north_of(1))
    theirs = offer_at(north_of(2))
    assert ids(search()) == [mine.id, theirs.id]
    assert ids(search(exclude_organisation_id=mine.site.organisation_id)) == [theirs.id]


def test_pages_follow_one_another_in_order(offer_at):
    offers = [offer_at(north_of(km)) for km in range(1, 8)]
    pages = [ids(search(limit=3, offset=offset)) for offset in (0, 3, 6, 9)]
    assert pages == [[o.id for o in offers[0:3]], [o.id for o in offers[3:6]], [offers[6].id], []]


def test_wants_are_not_supply(make_listing, make_site):
    make_listing(site=make_site(lonlat=north_of(1)), kind="want", material="coal-fly-ash")
    assert search() == []


@pytest.mark.parametrize(("searched", "expected"), [
    ("coal-fly-ash", ["parent", "class_f", "class_c", "cfb"]),
    ("coal-fly-ash-class-f", ["class_f"]),
    ("fgd-gypsum", ["gypsum"]),
])
def test_child_materials_are_included(offer_at, searched, expected):
    offers = {"parent": offer_at(north_of(1), material="coal-fly-ash"),
              "class_f": offer_at(north_of(2), material="coal-fly-ash-class-f"),
              "class_c": offer_at(north_of(3), material="coal-fly-ash-class-c"),
              "cfb": offer_at(north_of(4), material="cfb-fly-ash"),
              "gypsum": offer_at(north_of(5), material="fgd-gypsum")}
    assert ids(search(material_codes=(searched,))) == [offers[n].id for n in expected]


def test_a_search_for_a_product_finds_what_serves_it_as_a_want_would(offer_at):
    # The matcher lets a want for fertiliser take digestate and by-product ammonium sulphate; search agrees.
    digestate = offer_at(north_of(1), material="digestate")
    offer_at(north_of(2), material="coal-fly-ash")
    assert digestate.id in ids(search(material_codes=("fertiliser",)))
    assert len(search(material_codes=("fertiliser",))) == 1


def test_no_material_means_every_material(offer_at):
    ash, gypsum = offer_at(north_of(1)), offer_at(north_of(2), material="fgd-gypsum")
    assert ids(search()) == [ash.id, gypsum.id]


def test_sort_orders_break_ties_by_listing_id(offer_at, make_site, make_listing):
    # Two offers at one site (two units' ash; identical listings would be one): equal distance, so the older
    # listing comes first.
    site = make_site(lonlat=north_of(30))
    twin_a = make_listing(site=site, material="coal-fly-ash", price_cny=10, note="unit 1")
    twin_b = make_listing(site=site, material="coal-fly-ash", price_cny=10, note="unit 2")
    near_dear = offer_at(north_of(5), price_cny=120)
    far_cheap = offer_at(north_of(60), price_cny=0)
    unpriced = offer_at(north_of(1))
    assert ids(search(radius_km=100)) == [unpriced.id, near_dear.id, twin_a.id, twin_b.id, far_cheap.id]
    # Delivered: 10 + 30×1.3×0.45 = 27.55; 0 + 60×1.3×0.45 = 35.1; 120 + 5×1.3×0.45 = 122.9; unpriced last.
    assert ids(search(radius_km=100, sort="delivered_cost")) == [twin_a.id, twin_b.id, far_cheap.id,
                                                                 near_dear.id, unpriced.id]
    scored = search(radius_km=100, sort="score")
    assert [h.score for h in scored] == sorted((h.score for h in scored), reverse=True)
    assert ids(scored).index(twin_a.id) == ids(scored).index(twin_b.id) - 1
    assert all(0.0 <= h.score <= 1.0 for h in scored)


def test_limit_keeps_the_best(offer_at):
    offers = [offer_at(north_of(k)) for k in (3, 1, 2)]
    assert ids(search(limit=2)) == [offers[1].id, offers[2].id]


@pytest.mark.parametrize(("options", "field"), [
    ({"radius_km": 0}, "radius_km"), ({"radius_km": 5000}, "radius_km"), ({"lat": 95.0}, "lat"),
    ({"lon": -181.0}, "lon"), ({"sort": "price"}, "sort"), ({"limit": 0}, "limit"),
    ({"min_quantity": -1}, "min_quantity")])
def test_query_refuses_bad_values(options, field):
    from marketplace.services.search import SearchInvalid, SearchQuery

    with pytest.raises(SearchInvalid) as caught:
        SearchQuery(**({"lon": CENTRE[0], "lat": CENTRE[1]} | options))
    assert [e.field for e in caught.value.errors] == [field]


# --------------------------------------------------------------------------- build_query


@pytest.fixture
def recycler(make_user, make_site, make_org):
    organisation = make_org()
    site = make_site(organisation=organisation, lonlat=CENTRE)
    return make_user("recycler", organisation=organisation), site


def test_build_query_from_text(recycler):
    from marketplace.services.search import SearchInput, build_query

    user, site = recycler
    query = build_query(SearchInput(material="粉煤灰", site_id=str(site.id), radius_km="150", min_quantity="20,000",
                                    quality="grade=II", max_price="８０", sort="delivered_cost"), user=user)
    assert (query.lon, query.lat) == pytest.approx(CENTRE)
    assert query.material_codes == ("coal-fly-ash",)
    assert (query.radius_km, query.min_quantity, query.max_price_cny) == (150.0, 20_000.0, 80.0)
    assert [(f.attribute, f.op, f.value) for f in query.quality] == [("grade", "at_least", "II")]
    assert query.sort == "delivered_cost"


def test_an_ambiguous_name_searches_every_material_it_may_mean(recycler):
    from marketplace.services.search import SearchInput, build_query

    query = build_query(SearchInput(material="gypsum", lon="118", lat="31"), user=recycler[0])
    assert set(query.material_codes) == {"byproduct-gypsum", "fgd-gypsum", "phosphogypsum", "byproduct-gypsum-other"}


def test_typed_coordinates_win_over_the_site(recycler):
    from marketplace.services.search import SearchInput, build_query

    user, site = recycler
    query = build_query(SearchInput(site_id=site.id, lon="117.2", lat="31.8"), user=user)
    assert (query.lon, query.lat) == (117.2, 31.8)


def test_a_want_gives_its_materials_and_its_site(recycler, make_listing):
    from marketplace.services.search import SearchInput, build_query

    user, site = recycler
    want = make_listing(site=site, kind="want", material="fgd-gypsum | byproduct-gypsum-other")
    query = build_query(SearchInput(want_id=want.id), user=user)
    assert query.material_codes == ("fgd-gypsum", "byproduct-gypsum-other")
    assert (query.lon, query.lat) == pytest.approx(CENTRE)


@pytest.mark.parametrize(("data", "fields"), [
    ({}, ["site"]),
    ({"lon": "118.3"}, ["lat"]),
    ({"lon": "east", "lat": "31"}, ["lon"]),
    ({"material": "unobtainium", "lon": "118", "lat": "31", "quality": "grade=II"}, ["material"]),
    ({"lon": "118", "lat": "31", "radius_km": "far"}, ["radius_km"]),
    ({"lon": "118", "lat": "31", "quality": "grade=II"}, ["quality"]),
    ({"lon": "118", "lat": "31", "limit": "lots"}, ["limit"]),
])
def test_build_query_names_every_bad_field(recycler, data, fields):
    from marketplace.services.search import SearchInput, SearchInvalid, build_query

    with pytest.raises(SearchInvalid) as caught:
        build_query(SearchInput(**data), user=recycler[0])
    assert [e.field for e in caught.value.errors] == fields


def test_someone_elses_site_or_want_is_refused(recycler, make_site, make_listing, make_user):
    from marketplace.services.search import SearchInput, SearchInvalid, build_query

    other_site = make_site(lonlat=CENTRE)
    other_want = make_listing(site=other_site, kind="want")
    with pytest.raises(SearchInvalid, match="site: not one of your sites"):
        build_query(SearchInput(site_id=other_site.id), user=recycler[0])
    with pytest.raises(SearchInvalid, match="want: not one of your wants"):
        build_query(SearchInput(want_id=other_want.id), user=recycler[0])


def test_params_round_trip(recycler):
    from marketplace.services.search import SearchInput, build_query, query_from_params

    query = build_query(SearchInput(material="fly ash", lon="118.3", lat="31.3", quality="grade=II;loi_pct_max=5",
                                    max_price="80", min_quantity="100", sort="score"), user=recycler[0])
    assert query_from_params(query.to_params()) == query


# --------------------------------------------------------------------------- the in-memory index


@pytest.mark.backend("sqlite")  # the in-memory index serves SQLite only
def test_sqlite_index_follows_writes_in_this_process(app, offer_at, db):
    from marketplace.services.search import offer_index

    first = offer_at(north_of(1))
    assert ids(search()) == [first.id]
    second = offer_at(north_of(2))
    assert ids(search()) == [first.id, second.id]
    first.status = "closed"
    db.session.commit()
    assert ids(search()) == [second.id]
    second.site.location = __import__("shapely").Point(*north_of(80))
    db.session.commit()
    assert search() == []
    builds = offer_index().builds
    search()
    assert offer_index().builds == builds, "an unchanged database must not rebuild the index"


@pytest.mark.backend("sqlite")
def test_sqlite_index_sees_other_connections_and_ignores_unrelated_commits(app, offer_at, make_org, db):
    import sqlite3

    from marketplace.services.search import offer_index

    offer = offer_at(north_of(1))
    assert ids(search()) == [offer.id]
    builds = offer_index().builds
    make_org()  # a commit, but of nothing a search reads
    assert ids(search()) == [offer.id]
    assert offer_index().builds == builds
    # Another process closes the offer behind this one's back.
    other = sqlite3.connect(db.engine.url.database)
    other.execute("UPDATE listing SET status = 'closed' WHERE id = ?", (offer.id,))
    other.commit()
    other.close()
    assert search() == []
    assert offer_index().builds == builds + 1


@pytest.mark.backend("postgis")  # PostGIS's in-memory index follows search_version (migration 0019)
def test_postgis_index_sees_commits_of_other_connections_and_not_their_rollbacks(app, offer_at, make_listing,
                                                                                 make_site, db):
    from marketplace.services.search import offer_index

    make_listing(site=make_site(lonlat=north_of(1)), kind="want")
    first = offer_at(north_of(1))
    second = offer_at(north_of(2))
    assert ids(search()) == [first.id, second.id]
    builds = offer_index().builds
    assert ids(search()) == [first.id, second.id]
    assert offer_index().builds == builds, "an unchanged database must not rebuild the index"
    db.session.commit()  # end the session's transaction: the next search reads at a fresh snapshot
    # Another connection (another worker, the CLI) closes the first offer and commits.
    with db.engine.begin() as other:
        other.execute(sa.text("UPDATE listing SET status = 'closed' WHERE id = :id"), {"id": first.id})
    assert ids(search()) == [second.id]
    db.session.commit()
    # Another connection moves the second offer away, and rolls back: nothing changed.
    with db.engine.connect() as other:
        other.execute(sa.text("UPDATE site SET location = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) "
                              "WHERE id = :id"), {"id": second.site_id, "lon": north_of(80)[0],
                                                  "lat": north_of(80)[1]})
        other.rollback()
    assert ids(search()) == [second.id]
    db.session.commit()
    # A write that no search reads (a want) keeps the index.
    builds = offer_index().builds
    with db.engine.begin() as other:
        assert other.execute(sa.text("UPDATE listing SET annual_quantity = annual_quantity + 1 "
                                     "WHERE kind = 'want'")).rowcount == 1
    assert ids(search()) == [second.id]
    assert offer_index().builds == builds


@pytest.mark.backend("postgis")
def test_postgis_index_sees_the_sessions_own_uncommitted_writes_and_forgets_rolled_back_ones(app, offer_at, db):
    from marketplace.services.search import offer_index

    first = offer_at(north_of(1))
    second = offer_at(north_of(2))
    assert ids(search()) == [first.id, second.id]
    committed_builds = offer_index().builds
    # Written and flushed in this transaction, not committed: this session's search sees it ...
    first.status = "closed"
    db.session.flush()
    assert ids(search()) == [second.id]
    # ... a savepoint rolled back restores what the search saw before it ...
    savepoint = db.session.begin_nested()
    second.committed_quantity = second.annual_quantity
    db.session.flush()
    assert search() == []
    savepoint.rollback()
    assert ids(search()) == [second.id]
    # ... a different change after it is a state of its own (its version is new, not the rolled-back one's) ...
    db.session.refresh(second)
    second.site.location = __import__("shapely").Point(*north_of(3))
    db.session.flush()
    assert [round(hit.distance_km, 3) for hit in search()] == [3.0]
    # ... and the whole transaction rolled back leaves both offers as committed.
    db.session.rollback()
    builds = offer_index().builds
    assert builds > committed_builds
    assert ids(search()) == [first.id, second.id]
    assert [round(hit.distance_km, 3) for hit in search()] == [1.0, 2.0]
    assert offer_index().builds == builds, "the committed state's index is kept while a session writes"


@pytest.mark.parametrize(("lon", "lat", "radius_km"), [
    (118.38, 31.33, 50.0), (179.9, 10.0, 300.0), (-179.95, -20.0, 120.0), (0.0, 89.5, 200.0),
    (30.0, -88.0, 500.0), (100.0, 60.0, 999.0)])
def test_point_index_returns_every_point_within_the_radius(lon, lat, radius_km):
    import numpy as np

    from geo.distance import great_circle_km
    from marketplace.services.search_index import PointIndex

    rng = np.random.default_rng(7)
    # Points scattered around the centre, across the date line and the poles where they apply.
    spread = 3 * math.degrees(radius_km / EARTH_RADIUS_KM)
    lons = (lon + rng.uniform(-1, 1, 4000) * min(180.0, spread / math.cos(math.radians(min(abs(lat), 80))))
            + 180.0) % 360.0 - 180.0
    lats = np.clip(lat + rng.uniform(-spread, spread, 4000), -90, 90)
    inside = set(np.flatnonzero(great_circle_km(lon, lat, lons, lats) <= radius_km).tolist())
    found = set(PointIndex(lons, lats).near(lon, lat, radius_km).tolist())
    assert inside, "the case should have points inside"
    assert inside <= found
    assert len(found) < len(lons), "a bounding box, not everything"


@pytest.mark.backend("postgis")  # planner statistics are PostgreSQL's
def test_postgis_statistics_are_refreshed_when_stale_at_most_once_a_minute(app, offer_at, db, monkeypatch):
    from marketplace.services import search_index

    offer_at(north_of(1))
    # PostgreSQL flushes a backend's table statistics only now and then; make this write's count visible now.
    db.session.execute(sa.text("SELECT pg_stat_force_next_flush()"))
    db.session.commit()
    monkeypatch.setattr(search_index, "_statistics_checked", {})
    monkeypatch.setattr(search_index, "_STALE_STATISTICS_SQL", search_index._STALE_STATISTICS_SQL.replace(
        "n_mod_since_analyze > 1000 + 0.2 * n_live_tup", "n_mod_since_analyze > 0"))
    assert "listing" in search_index.ensure_statistics(db.engine)
    assert search_index.ensure_statistics(db.engine) == []  # checked a moment ago


def test_search_prices_a_haul_as_the_engine_does():
    import datetime as dt

    from marketplace.services.search import FREIGHT_RATE_CNY_PER_T_KM, ROAD_DETOUR_FACTOR, TRANSPORT_CO2_T_PER_T_KM
    from matching.types import MatchOptions

    engine = MatchOptions(today=dt.date(2026, 1, 1))
    assert ROAD_DETOUR_FACTOR == engine.detour_factor
    assert FREIGHT_RATE_CNY_PER_T_KM["road"] == engine.transport_cny_per_t_km["road"]
    assert TRANSPORT_CO2_T_PER_T_KM["road"] * 1000 == pytest.approx(engine.transport_co2_kg_per_t_km["road"])


def test_hazardous_waste_is_priced_at_the_dangerous_goods_rate(offer_at):
    import datetime as dt

    from marketplace.services.search import ROAD_DETOUR_FACTOR
    from matching.scoring import transport_rates
    from matching.types import MatchOptions

    cny, co2_kg = transport_rates(MatchOptions(today=dt.date(2026, 1, 1)), dangerous=True)
    offer_at(north_of(20.0), material="waste-mineral-oil", hazard_code="900-214-08", price_cny=100)
    (hit,) = search(radius_km=30, material_codes=("waste-mineral-oil",))
    assert hit.transport_cost_cny == pytest.approx(20.0 * ROAD_DETOUR_FACTOR * cny["road"])
    assert hit.co2_t == pytest.approx(20.0 * ROAD_DETOUR_FACTOR * co2_kg["road"] / 1000)


def test_an_anonymous_offer_is_searched_at_its_grid_point(offer_at):
    # Shrinking the radius step by step must not find the exact distance: the radius and the order see the
    # anonymous offer where its map does, at its grid point; a named offer stays exact.
    from geo.distance import great_circle_km
    from marketplace.services.disclosure import grid

    point = north_of(21.3)
    hidden = offer_at(point, visibility="anonymous")
    to_grid = float(great_circle_km(CENTRE[0], CENTRE[1], grid(point[0]), grid(point[1])))
    assert abs(to_grid - 21.3) > 0.5  # the test means something only if the grid point is elsewhere
    assert ids(search(radius_km=to_grid + 0.01)) == [hidden.id]
    assert ids(search(radius_km=to_grid - 0.01)) == []
    named = offer_at(north_of(12.0))
    assert named.id in ids(search(radius_km=12.0 + 1e-6)) and named.id not in ids(search(radius_km=12.0 - 1e-6))
