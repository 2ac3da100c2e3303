"""End to end: ``flask match run --format json`` with the database, beside an in-process reference.

Used by ``bench/match.py --end-to-end``. For each size and backend:

1. a fresh database (a SQLite file on tmpfs when there is one; a PostgreSQL + PostGIS database created anew),
   migrated, then loaded with the same synthetic data as the engine-only figures (``match.synthetic``): one
   organisation per site, sites with their parks (0.25-degree cells), published listings with their materials,
   permits and battery listings. Loading is set-up and not timed here (imports are timed on their own);
2. ``flask --app wsgi match run --format json`` in a fresh interpreter, its output piped to a file: the wall
   time of the whole command (start-up, reading the inputs, the engine, storing links and alternatives in one
   transaction, writing the JSON), and the steps the run recorded. The project's modules are byte-compiled
   first (``compileall``), as an install or any earlier run leaves them: a machine that sets
   ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them again at every start;
3. the reference, in this process, on the same offers and wants: candidates from a KD-tree per material (the
   50 nearest accepting wants within the material's largest route radius), then OR-tools' min-cost flow over
   them (supply = offer quantity, demand = want quantity, cost = road distance); what a careful in-memory
   script does, with no database and no rules beyond material, distance and quantity.

Steps 2 and 3 are repeated (``repeats``, three up to 10 000 listings a side), each command on a fresh copy of
the loaded database (a file copy; ``CREATE DATABASE … TEMPLATE``), and the medians reported: on a machine
shared with other jobs one run says more about the neighbours than about the command.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PER_OFFER = 50
EARTH_KM = 6371.0088


# --------------------------------------------------------------------------- reference


def reference(offers, wants, sites, *, detour_factor: float = 1.3) -> dict:
    """KD-tree candidates (50 per offer) and an OR-tools min-cost flow; seconds and counts."""
    from ortools.graph.python import min_cost_flow
    from scipy.spatial import cKDTree

    from matching.knowledge.loader import load_knowledge

    start, cpu_start = time.perf_counter(), time.process_time()
    kb = load_knowledge()
    position = {s.id: (s.lon, s.lat) for s in sites}

    def unit_vectors(points: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
        return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])

    wants_by_material: dict[str, list[int]] = {}
    for j, want in enumerate(wants):
        for code in want.materials:
            wants_by_material.setdefault(code, []).append(j)
    want_xyz = unit_vectors(np.array([position[w.site_id] for w in wants]))
    offers_by_material: dict[str, list[int]] = {}
    for i, offer in enumerate(offers):
        offers_by_material.setdefault(offer.material, []).append(i)
    tails, heads, costs = [], [], []
    for material, offer_rows in offers_by_material.items():
        accepting = sorted({j for code in (material, *kb.ancestors(material)) for j in wants_by_material.get(code, ())})
        routes = kb.routes_for(material)
        radius_km = max((km for r in routes for mode, km in r.transport if mode in ("road", "pipeline")),
                        default=0.0) / detour_factor
        if not accepting or radius_km <= 0:
            continue
        tree = cKDTree(want_xyz[accepting])
        offer_xyz = unit_vectors(np.array([position[offers[i].site_id] for i in offer_rows]))
        chord = 2 * np.sin(radius_km / EARTH_KM / 2)
        k = min(PER_OFFER, len(accepting))
        distance, index = tree.query(offer_xyz, k=k, distance_upper_bound=chord)
        distance, index = distance.reshape(len(offer_rows), k), index.reshape(len(offer_rows), k)
        found = np.isfinite(distance)
        rows = np.repeat(np.array(offer_rows), k).reshape(len(offer_rows), k)[found]
        cols = np.array(accepting)[index[found]]
        km = 2 * EARTH_KM * np.arcsin(np.minimum(distance[found] / 2, 1.0)) * detour_factor
        tails.append(rows)
        heads.append(cols)
        costs.append(np.round(km).astype(np.int64) + 1)
    candidates_s = time.perf_counter() - start
    tails = np.concatenate(tails) if tails else np.zeros(0, np.int64)
    heads = np.concatenate(heads) if heads else np.zeros(0, np.int64)
    costs = np.concatenate(costs) if costs else np.zeros(0, np.int64)
    n_offers, n_wants = len(offers), len(wants)
    source, sink = n_offers + n_wants, n_offers + n_wants + 1
    supply = np.array([round(o.quantity) for o in offers], dtype=np.int64)
    demand = np.array([round(w.quantity) for w in wants], dtype=np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    # Offers -> wants (capacity: the offer's quantity), source -> offers, wants -> sink; an arc source -> sink
    # with a high cost lets unplaced tonnes go to landfill so that supply always balances.
    big = int(max(supply.sum(), demand.sum()))
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([tails, np.full(n_offers, source), n_offers + np.arange(n_wants), [source]]),
        np.concatenate([n_offers + heads, np.arange(n_offers), np.full(n_wants, sink), [sink]]),
        np.concatenate([supply[tails], supply, demand, [big]]),
        np.concatenate([costs, np.zeros(n_offers, np.int64), np.zeros(n_wants, np.int64), [10_000]]))
    flow.set_node_supply(source, int(supply.sum()))
    flow.set_node_supply(sink, -int(supply.sum()))
    status = flow.solve()
    total_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    used = np.array([flow.flow(a) for a in range(len(tails))]) if len(tails) else np.zeros(0)
    return {"s": total_s, "cpu_s": cpu_s, "candidates_s": candidates_s, "arcs": int(len(tails)),
            "links": int((used > 0).sum()),
            "status": "optimal" if status == flow.OPTIMAL else str(status)}


# --------------------------------------------------------------------------- database


ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(backend: str, n: int, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'match-{n}.db'}"
    name = f"hx_bench_match_{n}"
    _create(name)
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    engine.dispose()
    return url


def copy_of(url: str, workdir: Path) -> str:
    """A fresh copy of the loaded database for one command (a run changes what the next one finds)."""
    if url.startswith("sqlite"):
        source = Path(url.removeprefix("sqlite:///"))
        copy = workdir / f"run-{source.name}"
        shutil.copyfile(source, copy)
        return f"sqlite:///{copy}"
    loaded = url.rsplit("/", 1)[1]
    _create(f"{loaded}_run", template=loaded)
    return f"{url}_run"


def _create(name: str, *, template: str | None = None) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    engine.dispose()


def drop_copy(url: str) -> None:
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        engine.dispose()
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def byte_compile() -> None:
    """The project's modules compiled to bytecode in their ``__pycache__``, as an install leaves them."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "marketplace", "matching", "geo", "wsgi.py"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def load(url: str, offers, wants, sites) -> float:
    """Migrate and fill the database with the synthetic listings; seconds taken."""
    import shapely
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import Licence, Listing, Organisation, Park, Site
    from marketplace.models.listing import ListingMaterial
    from matching.knowledge.loader import load_knowledge

    start = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    kb = load_knowledge()
    with app.app_context():
        upgrade()
        connection = db.session.connection()
        parks = sorted({s.park for s in sites if s.park})
        from bench.match import LAT_RANGE, LON_RANGE

        park_rows = []
        for code in parks:
            lon0 = LON_RANGE[0] + int(code[1:3]) / 4
            lat0 = LAT_RANGE[0] + int(code[3:5]) / 4
            park_rows.append({"code": code, "name_zh": f"园区{code}", "level": "provincial", "city_code": "340100",
                              "boundary": shapely.MultiPolygon([shapely.box(lon0, lat0, lon0 + 0.25, lat0 + 0.25)])})
        for chunk in _chunks(park_rows):
            connection.execute(insert(Park), chunk)
        park_id = dict(connection.execute(Park.__table__.select().with_only_columns(
            Park.__table__.c.code, Park.__table__.c.id)).all())
        _insert(connection, Organisation.__table__, [
            {"id": i + 1, "name_zh": f"合成企业{i + 1}", "credit_code": None, "credit_code_flagged": False,
             "verified": False, "is_demo": False} for i in range(len(sites))])
        site_rows, licence_rows = [], []
        for i, s in enumerate(sites):
            site_rows.append({"id": i + 1, "organisation_id": i + 1, "external_ref": s.id, "name_zh": f"厂区{s.id}",
                              "sector_code": s.sector, "city_code": "340100", "park_id": park_id.get(s.park),
                              "location": shapely.Point(s.lon, s.lat), "input_crs": "WGS84",
                              "extra_sector_codes": [], "sector_to_confirm": False, "sector_notes": [],
                              "transport_access": []})
            if s.permit is not None:
                licence_rows.append({"organisation_id": i + 1, "site_id": i + 1, "kind": "hw_permit",
                                     "hw_codes": ",".join(s.permit.codes), "capacity_t_per_yr": s.permit.capacity_t,
                                     "expires_on": s.permit.expires, "battery_scope": None})
            if s.battery_listing:
                licence_rows.append({"organisation_id": i + 1, "site_id": i + 1, "kind": "battery_listing",
                                     "hw_codes": None, "capacity_t_per_yr": None, "expires_on": None,
                                     "battery_scope": s.battery_listing})
        _insert(connection, Site.__table__, site_rows)
        _insert(connection, Licence.__table__, licence_rows)
        site_id = {s.id: i + 1 for i, s in enumerate(sites)}
        listing_rows, material_rows = [], []
        for n, (kind, listing) in enumerate([("offer", o) for o in offers] + [("want", w) for w in wants], start=1):
            codes = (listing.material,) if kind == "offer" else listing.materials
            unit = kb.materials[codes[0]].unit
            listing_rows.append({
                "id": n, "site_id": site_id[listing.site_id], "kind": kind, "material": "|".join(codes),
                "status": "published", "quantity": listing.quantity, "unit": f"{unit}/yr",
                "annual_quantity": listing.quantity, "base_unit": unit, "committed_quantity": 0.0,
                "quality": dict(listing.quality),
                "price_cny": listing.price_cny if kind == "offer" else listing.max_price_cny,
                "available_from": listing.available_from, "available_to": listing.available_to,
                "hazard_code": listing.hazard_code if kind == "offer" else None, "visibility": "named",
                "content_hash": hashlib.sha1(f"{kind}{listing.id}".encode()).hexdigest()})
            material_rows += [{"listing_id": n, "material_code": code, "position": p} for p, code in enumerate(codes)]
        _insert(connection, Listing.__table__, listing_rows)
        _insert(connection, ListingMaterial.__table__, material_rows)
        if connection.dialect.name == "postgresql":
            for table in ("organisation", "site", "listing"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        db.session.commit()
        if connection.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - start


def _insert(connection, table, rows: list[dict]) -> None:
    """Rows into a table: COPY on PostgreSQL (geometries as EWKT, JSON as text), multi-row INSERTs on SQLite."""
    from sqlalchemy import insert

    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for chunk in _chunks(rows):
            connection.execute(insert(table), chunk)
        return
    import shapely

    columns = list(rows[0])

    def value(v):
        if isinstance(v, shapely.Geometry):
            return f"SRID=4326;{v.wkt}"
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return v

    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({", ".join(f"{c}" for c in columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([value(row[c]) for c in columns])


def _chunks(rows: list, size: int = 2000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def cli_run(url: str, workdir: Path) -> dict:
    """``flask --app wsgi match run --format json`` in a fresh interpreter; wall time and what it stored."""
    out = workdir / "run.json"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with out.open("wb") as sink:
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "match", "run", "--format", "json"],
                       cwd=ROOT, env=env, stdout=sink, check=True)
    wall_s = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size_mb = out.stat().st_size / 2**20
    with out.open(encoding="utf-8") as text:
        document = json.load(text)
    out.unlink()
    run = document["run"]
    return {"s": wall_s, "cpu_s": cpu_s, "links": len(document["links"]), "alternatives": len(document["alternatives"]),
            "json_mb": size_mb, "timings": run["timings"], "collect_s": run["timings"].get("collect_s", 0.0),
            "engine_s": run["timings"].get("total", 0.0)}


def measure(n: int, backend: str, repeats: int | None = None) -> dict:
    """One size on one backend, in this process (run in a fresh interpreter by bench/match.py): ``repeats``
    commands, each on a fresh copy of the loaded database and followed by the reference; the medians."""
    from bench.match import synthetic

    repeats = repeats or (3 if n <= 10_000 else 1)
    offers, wants, sites = synthetic(n)
    shm = Path("/dev/shm")
    workdir = Path(tempfile.mkdtemp(prefix="bench-match-", dir=shm if shm.is_dir() else None))
    runs, refs, loads = [], [], []
    try:
        url = fresh_database(backend, n, workdir)
        load_s = load(url, offers, wants, sites)
        byte_compile()
        for _ in range(repeats):
            loads.append(os.getloadavg()[0])
            copy = copy_of(url, workdir)
            try:
                runs.append(cli_run(copy, workdir))
            finally:
                drop_copy(copy)
            refs.append(reference(offers, wants, sites))
        loads.append(os.getloadavg()[0])
    finally:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    run = _median(runs, "s")
    ref = _median(refs, "s")
    cpu_s, ref_cpu_s = statistics.median(r["cpu_s"] for r in runs), statistics.median(r["cpu_s"] for r in refs)
    return {"n": n, "backend": backend, "load_s": load_s, "load": max(loads), "repeats": repeats,
            "run": {**run, "cpu_s": cpu_s, "all_s": [r["s"] for r in runs]},
            "reference": {**ref, "cpu_s": ref_cpu_s, "all_s": [r["s"] for r in refs]},
            "ratio": run["s"] / ref["s"], "cpu_ratio": cpu_s / ref_cpu_s,
            "measured": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")}


def _median(rows: list[dict], key: str) -> dict:
    """The row of the median ``key`` (the lower middle one of an even count), with its breakdown."""
    return sorted(rows, key=lambda row: row[key])[(len(rows) - 1) // 2]
