"""Candidate offers for a radius search, from an in-memory index of the active offers (both backends).

The index only *prefilters*: it returns every active offer that could be within the radius (a superset), as
:class:`Candidates` columns. The search service then applies the one exact predicate (distance, quantity,
window, price, quality), so both backends answer identically.

The index holds the active offers' points sorted by latitude: a radius search is a binary search for the
latitude band, a longitude mask inside it, and nothing else. On PostGIS it is loaded from ``search_offer``
and keyed by the version ``search_version`` gives the search's own session (see :class:`OfferIndex`). On
SQLite (no spatial index without SpatiaLite) it is kept in step with the database in two ways:

1. Writes through this process's ORM sessions that touch ``listing``, ``listing_material`` or
   ``site`` are noted on flush (or on a bulk statement) and, on commit, bump a process-wide
   generation counter; an index built under an older generation is rebuilt on the next search.
2. Writes by other processes (another web worker, the CLI) are seen through a fingerprint: a
   dedicated read-only connection's ``PRAGMA data_version`` changes whenever any other connection
   commits (a microsecond check); only then is a numeric aggregate over the listing and site tables
   compared with the one taken when the index was built, and the index rebuilt if it differs.

A rebuild reads every active offer: about 0.8 s for 100 000 offers on SQLite, 0.12–0.2 s on PostGIS, so the
search right after a change pays it once.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from geo.distance import EARTH_RADIUS_KM

log = logging.getLogger(__name__)

ACTIVE_STATUSES = ("published", "partly_matched")
# Tables whose changes can change a search's answer.
WATCHED_TABLES = frozenset({"listing", "listing_material", "site"})
# Windows without a start or an end compare as open on that side.
NO_START = np.iinfo(np.int64).min
NO_END = np.iinfo(np.int64).max
# Prefilters widen the radius by this share so that rounding never drops an offer the exact check would keep.
PREFILTER_SLACK = 1e-6
# An anonymous offer is searched at its grid point (services.disclosure.GRID_DEG), up to half a cell's
# diagonal (under 4 km at 0.05 degrees) from its site: prefilters reach that much farther.
GRID_MARGIN_KM = 4.0


@dataclass(frozen=True)
class Candidates:
    """Offers (one row per offer and material) that may match, as parallel columns."""

    ids: np.ndarray            # int64 listing ids
    # Material codes, factorised: the distinct codes in code-point order (as Python sorts strings), and each
    # row's position among them (few codes among many rows: tests on codes are then numeric).
    code_names: tuple[str, ...]
    code_rank: np.ndarray      # intp
    lon: np.ndarray            # float64 degrees (WGS-84)
    lat: np.ndarray
    available: np.ndarray      # float64 base units a year: annual minus committed
    price: np.ndarray          # float64 CNY per base unit; NaN when the offer states none
    start: np.ndarray          # int64 date ordinals; NO_START when open (or when the query applied the window)
    end: np.ndarray            # int64 date ordinals; NO_END when open (or when the query applied the window)
    in_tonnes: np.ndarray      # bool: the offer's base unit is the tonne (the others: GJ, MWh, m3, Nm3)
    anonymous: np.ndarray      # bool: the offer is anonymous, so a search places it at its grid point
    # Quality as stored (dicts, or JSON text decoded on demand); None when not asked for.
    quality: list | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def codes(self) -> np.ndarray:
        """Each row's material code (object array)."""
        return np.array(self.code_names, dtype=object)[self.code_rank] if self.code_names else \
            np.empty(len(self.ids), dtype=object)

    def take(self, positions: np.ndarray, *, with_quality: bool = True) -> Candidates:
        quality = [self.quality[i] for i in positions] if with_quality and self.quality is not None else None
        return Candidates(self.ids[positions], self.code_names, self.code_rank[positions], self.lon[positions],
                          self.lat[positions], self.available[positions], self.price[positions],
                          self.start[positions], self.end[positions], self.in_tonnes[positions],
                          self.anonymous[positions], quality)

    def quality_of(self, position: int) -> dict:
        value = self.quality[position] if self.quality is not None else None
        if isinstance(value, str):
            value = json.loads(value)
        return value or {}


def factorize_codes(codes) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct codes in code-point order (as Python sorts strings), and each one's position among them.

    Examples
    --------
    >>> names, rank = factorize_codes(["gbfs", "coal-fly-ash", "gbfs"])
    >>> names, rank.tolist()
    (('coal-fly-ash', 'gbfs'), [1, 0, 1])
    """
    names = tuple(sorted(dict.fromkeys(codes)))
    rank = {name: k for k, name in enumerate(names)}
    return names, np.fromiter(map(rank.__getitem__, codes), dtype=np.intp, count=len(codes))


def candidates_from_rows(rows, *, with_quality: bool) -> Candidates:
    """Columns from rows of (id, code, lon, lat, annual, committed, price, from, to, base_unit, visibility[, quality])."""
    rows = list(rows)
    return candidates_from_columns(list(zip(*rows)) if rows else [()] * 12, with_quality=with_quality)


def candidates_from_columns(columns, *, with_quality: bool) -> Candidates:
    """:class:`Candidates` from the columns of :func:`candidates_from_rows`."""
    # The same IEEE subtraction on every backend, so quantities compare identically.
    available = np.array(columns[4], dtype=np.float64) - np.array(columns[5], dtype=np.float64)
    code_names, code_rank = factorize_codes(columns[1])
    return Candidates(
        ids=np.array(columns[0], dtype=np.int64), code_names=code_names, code_rank=code_rank,
        lon=np.asarray(columns[2], dtype=np.float64), lat=np.asarray(columns[3], dtype=np.float64),
        available=available, price=np.array(columns[6], dtype=np.float64),  # None becomes NaN
        start=_ordinals(columns[7], NO_START), end=_ordinals(columns[8], NO_END),
        in_tonnes=np.array(columns[9], dtype=object) == "t",
        anonymous=np.array([visibility == "anonymous" for visibility in columns[10]], dtype=bool),
        quality=list(columns[11]) if with_quality and len(columns) > 11 else ([] if with_quality else None))


def _ordinals(values, missing: int) -> np.ndarray:
    """Date ordinals from dates or ISO strings (SQLite returns text); ``missing`` for None."""
    known: dict = {None: missing}  # few distinct dates among many offers: convert each once
    for value in values:
        if value not in known:
            known[value] = (dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value).toordinal()
    return np.array([known[value] for value in values], dtype=np.int64)


# --------------------------------------------------------------------------- PostGIS


# `search_offer` (migration 0015) holds one row per active offer and material with its site's point, kept in
# step with listing, listing_material and site by triggers; `search_version` (migration 0019) names each state of
# it a session can see. A search reads the version (one tiny query); when the process holds no index at that
# version, it loads every row of `search_offer` in the search's own session (so it sees what the session sees,
# its own uncommitted writes included), reading the version in the same statement (one snapshot). The table's
# oid is part of the version: a database dropped and made again restarts the sequence.
# Until 0019 each search read the offers in reach from `search_offer` (a bounding-box scan of its (lat, lon)
# btree, then a chord): some 33 ms in PostgreSQL for the ~29 000 rows in reach at 150 km, as the score compares
# each hit with every offer in reach (bench/RESULTS.md, "Search and import").
# The rows come back as one row per material code of packed columns: each number column is one bytea of
# big-endian values (int8send/float8send, string_agg), read with numpy.frombuffer (a Python row object each cost
# more than the query; array_agg's arrays cost a third more in PostgreSQL and twice as much again in Python):
# the listing id with two flags in its low bits (the unit is the tonne; the offer is anonymous), the point,
# the quantities, the price (NaN for none), the window as date ordinals (open ends as NO_START, NO_END).
_PG_VERSION_SQL = """
SELECT 'search_version'::regclass::oid::int8, value,
       nullif(current_setting('marketplace.search_version', true), '')
FROM search_version
"""
_PG_LOAD_SQL = """
WITH v AS (""" + _PG_VERSION_SQL + """)
SELECT v.*, g.*
FROM v LEFT JOIN (
    SELECT o.material_code,
           string_agg(int8send(o.listing_id::int8 * 4 + CASE WHEN o.base_unit = 't' THEN 1 ELSE 0 END
                               + CASE WHEN o.visibility = 'anonymous' THEN 2 ELSE 0 END), ''),
           string_agg(float8send(o.lon), ''), string_agg(float8send(o.lat), ''),
           string_agg(float8send(o.annual_quantity), ''), string_agg(float8send(o.committed_quantity), ''),
           string_agg(float8send(coalesce(o.price_cny, 'NaN')), ''),
           string_agg(int8send(coalesce((o.available_from - DATE '0001-01-01') + 1, %(no_start)s::int8)), ''),
           string_agg(int8send(coalesce((o.available_to - DATE '0001-01-01') + 1, %(no_end)s::int8)), '')
    FROM search_offer o
    GROUP BY o.material_code
) g ON true
"""
_PG_QUALITY_SQL = "SELECT id, quality FROM listing WHERE id = ANY(%(ids)s)"


# Queries need planner statistics: without them PostgreSQL may choose a plan that takes seconds instead of
# milliseconds. Autovacuum normally keeps statistics fresh, but it can be off (as on
# the benchmark machine) and a bulk import outruns it, so searches check, at most once a minute per
# process, and analyse the tables when a large share of their rows changed since the last analysis.
STATISTICS_CHECK_INTERVAL_S = 60.0
_STALE_STATISTICS_SQL = """
SELECT relname FROM pg_stat_user_tables
WHERE relname IN ('site', 'listing', 'listing_material', 'search_offer')
  AND n_mod_since_analyze > 1000 + 0.2 * n_live_tup
"""
_statistics_checked: dict[str, float] = {}
_statistics_lock = threading.Lock()


def ensure_statistics(engine: Engine) -> list[str]:
    """ANALYZE the search's tables if their statistics are missing or stale; returns the tables analysed."""
    key = engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _statistics_lock:
        if now - _statistics_checked.get(key, -math.inf) < STATISTICS_CHECK_INTERVAL_S:
            return []
        _statistics_checked[key] = now
    try:
        with engine.connect() as connection:
            stale = list(connection.execute(sa.text(_STALE_STATISTICS_SQL)).scalars())
            for table in stale:  # names from the fixed list above
                connection.execute(sa.text(f"ANALYZE {table}"))
            connection.commit()
        return stale
    except sa.exc.SQLAlchemyError as exc:  # statistics help the plan; a search must not fail for them
        log.warning("could not analyse the search tables: %s", exc)
        return []


# --------------------------------------------------------------------------- in-memory index


class PointIndex:
    """Points sorted by latitude; :meth:`near` returns a superset of those within a radius.

    Examples
    --------
    >>> index = PointIndex(np.array([117.0, 117.5, 120.0]), np.array([31.0, 31.0, 31.0]))
    >>> sorted(index.near(117.0, 31.0, 60.0).tolist())
    [0, 1]
    """

    def __init__(self, lon: np.ndarray, lat: np.ndarray) -> None:
        self.order = np.argsort(lat, kind="stable")
        self.lat_sorted = lat[self.order]
        self.lon_sorted = lon[self.order]

    def near(self, lon: float, lat: float, radius_km: float) -> np.ndarray:
        """Positions (in the input arrays) of points in the bounding box of the spherical cap."""
        angle = radius_km * (1 + PREFILTER_SLACK) / EARTH_RADIUS_KM  # radians
        dlat = math.degrees(angle) + 1e-9
        band = slice(int(np.searchsorted(self.lat_sorted, lat - dlat, side="left")),
                     int(np.searchsorted(self.lat_sorted, lat + dlat, side="right")))
        if abs(lat) + math.degrees(angle) >= 89.999 or angle >= math.pi / 2:
            return self.order[band].copy()  # the cap reaches a pole: every longitude (a copy: callers sort it)
        # Longitude half-width of a spherical cap's bounding box: asin(sin r / cos lat).
        dlon = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat))))) + 1e-9
        offset = np.abs((self.lon_sorted[band] - lon + 180.0) % 360.0 - 180.0)
        return self.order[band][offset <= dlon]


@dataclass(frozen=True)
class _Snapshot:
    candidates: Candidates
    index: PointIndex
    generation: int
    data_version: int | None
    fingerprint: tuple


_LOAD_SQL = """
SELECT l.id, lm.material_code, s.location, l.annual_quantity, l.committed_quantity, l.price_cny,
       l.available_from, l.available_to, l.base_unit, l.visibility, l.quality
FROM listing l
JOIN site s ON s.id = l.site_id
JOIN listing_material lm ON lm.listing_id = l.id
WHERE l.kind = 'offer' AND l.status IN ('published', 'partly_matched')
"""

# Run whenever another connection has committed (about 45 ms for 100 000 listings and 20 000 sites),
# so it reads no more than it must: one pass over each table, numbers only. It changes when a listing
# appears or goes, changes status or committed quantity, moves site, or changes content (content_hash
# covers material, quantity, quality, price and window: its first character, with quantity, price and
# the length of the quality text alongside), and when a site moves. Weighting by id keeps two edits
# from cancelling out. A content edit that keeps all of these equal is possible, and then the index
# catches up at the next detected change; writes made through this app are always seen (generation).
_FINGERPRINT_SQL = """
SELECT (SELECT count(*) FROM listing), (SELECT total(id) FROM listing),
       (SELECT total((committed_quantity + 3 * annual_quantity + 7 * coalesce(price_cny, 0.5) + 11 * site_id
                      + 13 * length(quality) + 17 * unicode(content_hash) + 19 * length(status)
                      + 23 * length(kind)) * (id % 997 + 1)) FROM listing),
       (SELECT count(*) FROM site),
       (SELECT total((length(location) + CAST(substr(location, 8) AS REAL)) * (id % 991 + 1)) FROM site)
"""


class OfferIndex:
    """The active offers of one database, in memory, rebuilt when the data changes.

    SQLite: one index, kept in step as the module's docstring says. PostGIS: the search's own session reads
    the version of ``search_offer`` it sees (migration 0019: a value no other state of the data ever has);
    an index held at that version answers, else one is built from ``search_offer`` in that session (so it
    sees the session's own uncommitted writes, under a version of their own). A process keeps two: the
    latest committed state it was asked for, and the latest state with a transaction's own writes.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._version_lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._version_connection: sqlite3.Connection | None = None
        self._pg_snapshots: dict[tuple, _Snapshot] = {}  # by version, oldest first
        self.builds = 0  # how many times the index was (re)built; tests and benchmarks read it

    # -- public

    def near(self, lon: float, lat: float, radius_km: float, *, codes: frozenset[str] | None,
             with_quality: bool, session_connection=None) -> Candidates:
        """Active offers whose site may be within ``radius_km``, of one of ``codes`` (all when None).

        ``session_connection`` (the session's connection): on PostGIS, the search reads through it; on SQLite
        it is used only for an in-memory database.
        """
        postgres = self.engine.dialect.name == "postgresql"
        snapshot = self.current_postgis(session_connection) if postgres else self.current(session_connection)
        positions = snapshot.index.near(lon, lat, radius_km + GRID_MARGIN_KM)
        if codes is not None:
            wanted = [k for k, name in enumerate(snapshot.candidates.code_names) if name in codes]
            positions = positions[np.isin(snapshot.candidates.code_rank[positions], wanted)]
        positions.sort()  # listing order, so the exact stage sees the same order on both backends
        found = snapshot.candidates.take(positions, with_quality=with_quality)
        if postgres and with_quality:
            # search_offer has no quality: read it for these offers, in the session, when a query asks.
            with session_connection.connection.driver_connection.cursor() as cursor:
                quality = dict(cursor.execute(_PG_QUALITY_SQL, {"ids": np.unique(found.ids).tolist()}).fetchall())
            found = dataclasses.replace(found, quality=[quality.get(int(i)) for i in found.ids])
        return found

    def current_postgis(self, session_connection) -> _Snapshot:
        """The index of what ``session_connection`` sees now in ``search_offer``, built first if not held."""
        with session_connection.connection.driver_connection.cursor() as cursor:
            version = tuple(cursor.execute(_PG_VERSION_SQL).fetchone())
            snapshot = self._pg_snapshots.get(version)
            if snapshot is not None:
                return snapshot
            with self._lock:
                snapshot = self._pg_snapshots.get(version)
                if snapshot is not None:
                    return snapshot
                rows = cursor.execute(_PG_LOAD_SQL, {"no_start": int(NO_START), "no_end": int(NO_END)},
                                      binary=True).fetchall()
                # The version the rows were read at (one statement, one snapshot): another writer may have
                # committed since the version was read above.
                version = tuple(rows[0][:3])
                snapshot = self._pg_snapshots.get(version) or self._build_postgis(
                    sorted(row[3:] for row in rows if row[3] is not None), version)
                # One committed version and one of a transaction's own writes: a session searching as it
                # writes replaces only the latter, so it does not make every other session rebuild.
                own = version[2] is not None
                snapshots = {key: value for key, value in self._pg_snapshots.items() if (key[2] is not None) != own}
                snapshots[version] = snapshot
                self._pg_snapshots = snapshots
                return snapshot

    def current(self, session_connection=None) -> _Snapshot:
        """The index, rebuilt first if this process or another one changed the data (SQLite)."""
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == _generation.value:
            version = self._data_version()
            if version is None or version == snapshot.data_version:
                return snapshot
        with self._lock:
            snapshot = self._snapshot
            generation = _generation.value
            version = self._data_version()
            if snapshot is not None and snapshot.generation == generation and (
                    version is None or version == snapshot.data_version):
                return snapshot
            if session_connection is not None and self.in_memory:
                # A private in-memory database has one connection, shared with the session: read
                # through it, inside the session's transaction, and leave that transaction alone.
                self._refresh(session_connection.connection.driver_connection.cursor(), snapshot, generation,
                              version)
                return self._snapshot
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                # One read transaction: the fingerprint describes exactly the rows loaded with it.
                cursor.execute("BEGIN")
                self._refresh(cursor, snapshot, generation, version)
                cursor.execute("COMMIT")
            finally:
                connection.close()
            return self._snapshot

    def _refresh(self, cursor, snapshot: _Snapshot | None, generation: int, version: int | None) -> None:
        fingerprint = tuple(cursor.execute(_FINGERPRINT_SQL).fetchone())
        if snapshot is not None and snapshot.generation == generation and fingerprint == snapshot.fingerprint:
            # Someone committed, but nothing a search reads: keep the index.
            self._snapshot = _Snapshot(snapshot.candidates, snapshot.index, generation, version, fingerprint)
        else:
            self._snapshot = self._build(cursor.execute(_LOAD_SQL).fetchall(), generation, version, fingerprint)

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None
            self._pg_snapshots = {}

    # -- internals

    def _build(self, rows: list[tuple], generation: int, version: int | None, fingerprint: tuple) -> _Snapshot:
        columns = list(zip(*rows)) if rows else [()] * 11
        points = shapely.from_wkt(np.array(columns[2], dtype=object))
        columns[2:3] = [shapely.get_x(points), shapely.get_y(points)]  # WKT text -> lon, lat
        # Quality stays JSON text until a search with quality filters reads it.
        candidates = candidates_from_columns(columns, with_quality=True)
        self.builds += 1
        return _Snapshot(candidates, PointIndex(candidates.lon, candidates.lat), generation, version, fingerprint)

    def _build_postgis(self, groups: list[tuple], version: tuple) -> _Snapshot:
        """The index from :data:`_PG_LOAD_SQL`'s rows (material code, then packed columns), sorted by code."""

        def column(k: int, dtype: str) -> np.ndarray:
            return np.concatenate([np.frombuffer(group[k], dtype=dtype) for group in groups]).astype(
                dtype[1:]) if groups else np.empty(0, dtype=dtype[1:])

        ids_and_flags = column(1, ">i8")
        counts = [len(group[1]) // 8 for group in groups]
        # The same IEEE subtraction as candidates_from_columns, so quantities compare identically.
        candidates = Candidates(
            ids=ids_and_flags >> 2, code_names=tuple(group[0] for group in groups),
            code_rank=np.repeat(np.arange(len(groups), dtype=np.intp), counts),
            lon=column(2, ">f8"), lat=column(3, ">f8"), available=column(4, ">f8") - column(5, ">f8"),
            price=column(6, ">f8"), start=column(7, ">i8"), end=column(8, ">i8"),
            in_tonnes=(ids_and_flags & 1).astype(bool), anonymous=(ids_and_flags & 2).astype(bool), quality=None)
        self.builds += 1
        return _Snapshot(candidates, PointIndex(candidates.lon, candidates.lat), 0, None, version)

    @property
    def in_memory(self) -> bool:
        path = self.engine.url.database
        return not path or path == ":memory:" or "mode=memory" in path or path.startswith("file::memory:")

    def _data_version(self) -> int | None:
        """``PRAGMA data_version`` of our own connection: it changes when any other connection commits."""
        path = self.engine.url.database
        if self.in_memory:
            return None  # a private in-memory database: only this process writes to it
        with self._version_lock:
            if self._version_connection is None:
                # Read-only and never used to write, so every commit it sees was made by someone else.
                self._version_connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                           check_same_thread=False)
            return self._version_connection.execute("PRAGMA data_version").fetchone()[0]


# --------------------------------------------------------------------------- keeping in step


@dataclass
class _Generation:
    value: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bump(self) -> None:
        with self.lock:
            self.value += 1


_generation = _Generation()
_DIRTY = "offer_index_dirty"


def _touches_watched(objects) -> bool:
    return any(getattr(getattr(o, "__table__", None), "name", None) in WATCHED_TABLES for o in objects)


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context) -> None:
    if _touches_watched(session.new) or _touches_watched(session.dirty) or _touches_watched(session.deleted):
        session.info[_DIRTY] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        state.session.info[_DIRTY] = True


@event.listens_for(Session, "after_commit")
def _bump_on_commit(session) -> None:
    if session.info.pop(_DIRTY, False):
        _generation.bump()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_DIRTY, None)
