"""Benchmark of the matching engine on synthetic Anhui data, with a naive all-pairs baseline.

    .venv/bin/python bench/match.py                 # 1 000, 10 000 and 100 000 offers and as many wants
    .venv/bin/python bench/match.py --sizes 1000    # just one size
    .venv/bin/python bench/match.py --no-write      # print, do not touch bench/RESULTS.md
    .venv/bin/python bench/match.py --end-to-end --sizes 10000 100000 --backends sqlite postgis
        # the command line with the database, beside an in-process reference (bench/match_end_to_end.py);
        # PostGIS at BENCH_POSTGRES_ADMIN_URL (default postgres@127.0.0.1), a database created per size

Each size runs in a fresh interpreter so its peak resident memory (``ru_maxrss``) is its own. In it:

1. generate the data (fixed seed): random sites in Anhui's bounding box, a material mix drawn from
   the knowledge base's real codes (fly ash, FGD gypsum, slags, sludge, scrap, steam, coke-oven gas,
   CO2, lead-acid and EV batteries, waste oil ...), each offer at a site of a generating sector and
   each want at a site of a sector the routes name as a user; some hazardous receivers hold permits
   (a few expired), some recyclers hold the battery listing;
2. run ``run_matching`` and time it (the engine's own per-step timings, the ranked alternatives included);
3. read the peak RSS of the process so far (data plus engine);
4. run it again with ``trace_memory=True`` for each step's peak traced (Python + NumPy) memory;
5. time the naive baseline in the same process: a pure-Python double loop over every offer and want,
   a set lookup for the material, then a haversine distance against the largest route radius. That
   is only the candidate step of the engine; at 100 000 it runs on a sample of offers against all
   wants and is extrapolated linearly in the number of offers (said so in the table).

Timed assertions live nowhere: this script records, it does not judge.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from matching.engine import run_matching  # noqa: E402
from matching.knowledge.loader import load_knowledge  # noqa: E402
from matching.timing import STEPS  # noqa: E402
from matching.types import MatchOptions, Offer, Permit, Site, Want  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Matching engine"
SEED = 20260101
TODAY = dt.date(2026, 3, 1)
# Anhui's bounding box (degrees), as in geo.area's service area without the margin.
LON_RANGE = (114.88, 119.65)
LAT_RANGE = (29.40, 34.65)

# (material code, share of offers, generating sectors, typical annual quantity in its unit)
OFFER_MIX = [
    ("coal-fly-ash", 0.16, ("4411", "4412"), 200_000),
    ("fgd-gypsum", 0.10, ("4411", "4412"), 100_000),
    ("bottom-ash", 0.05, ("4411", "4412"), 60_000),
    ("gbfs", 0.05, ("3110",), 500_000),
    ("steel-slag", 0.05, ("3120",), 200_000),
    ("coal-gangue", 0.04, ("0610",), 300_000),
    ("iron-tailings", 0.03, ("0810",), 400_000),
    ("industrial-sludge", 0.06, ("2614", "2221", "1512"), 5_000),
    ("scrap-steel", 0.08, ("3670", "3311", "3130"), 20_000),
    ("waste-paper", 0.04, ("5191", "2231"), 30_000),
    ("waste-plastics", 0.03, ("2929", "3670"), 5_000),
    ("copper-slag", 0.02, ("3211",), 150_000),
    ("carbide-slag", 0.02, ("2612",), 200_000),
    ("steam-lp", 0.05, ("4412",), 200_000),
    ("coke-oven-gas", 0.02, ("2521",), 300_000_000),
    ("captured-co2", 0.02, ("2614", "1512"), 100_000),
    ("distillers-grains", 0.03, ("1512",), 50_000),
    ("lead-acid-battery", 0.03, ("3670", "4210", "3612"), 500),
    ("waste-mineral-oil", 0.03, ("3670", "3120"), 200),
    ("retired-ev-battery", 0.03, ("3612", "3841"), 1_000),
    ("incineration-fly-ash", 0.01, ("4417",), 10_000),
    ("spent-catalyst", 0.01, ("2511", "4411"), 200),
]
BATTERY_LISTINGS = (None, "cascade", "recycling", "both")


def anhui_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points in Anhui's bounding box."""
    return rng.uniform(*LON_RANGE, n), rng.uniform(*LAT_RANGE, n)


def synthetic(n: int, *, seed: int = SEED, points=None) -> tuple[list[Offer], list[Want], list[Site]]:
    """``n`` offers and ``n`` wants, each at its own site (2 n sites), reproducible from ``seed``.

    ``points(rng, count)`` places the sites (lon and lat arrays); Anhui's bounding box when ``None``
    (bench/national.py places them around China's prefectures).
    """
    kb = load_knowledge()
    rng = np.random.default_rng(seed)
    codes = [entry[0] for entry in OFFER_MIX]
    shares = np.array([entry[1] for entry in OFFER_MIX])
    shares = shares / shares.sum()
    offer_material = rng.choice(len(codes), size=n, p=shares)
    want_material = rng.choice(len(codes), size=n, p=shares)
    lon, lat = (points or anhui_points)(rng, 2 * n)
    sites: list[Site] = []
    offers: list[Offer] = []
    wants: list[Want] = []
    years = [dt.date(2025, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 3 * 365, size=2 * n)]
    for i in range(n):
        code, _, sectors, typical = OFFER_MIX[offer_material[i]]
        material = kb.materials[code]
        sector = sectors[rng.integers(len(sectors))]
        site_id = f"S{i:06d}"
        sites.append(Site(site_id, float(lon[i]), float(lat[i]), sector, park=_park(rng, lon[i], lat[i])))
        route = kb.routes_for(code)[0]
        start = years[i]
        offers.append(Offer(
            id=f"O{i:06d}", site_id=site_id, material=code,
            quantity=float(round(typical * rng.lognormal(0.0, 0.6))),
            quality=_offer_quality(code, rng),
            price_cny=float(round(route.typical_price_cny_per_unit * rng.uniform(0.3, 1.2), 2)),
            available_from=start, available_to=start + dt.timedelta(days=int(rng.integers(365, 3 * 365))),
            hazard_code=material.hw_codes[0] if material.hazardous else None,
        ))
    for j in range(n):
        code, _, _, typical = OFFER_MIX[want_material[j]]
        material = kb.materials[code]
        routes = kb.routes_for(code)
        route = routes[rng.integers(len(routes))]
        sector = route.user_sectors[rng.integers(len(route.user_sectors))]
        site_id = f"S{n + j:06d}"
        permit = None
        listing = None
        if material.hazardous or sector in ("7724", "3212"):
            expires = TODAY + dt.timedelta(days=int(rng.integers(-400, 1500)))  # about one in five expired
            permit = Permit((material.category,) if material.hazardous else ("HW31",), 50_000.0, expires)
        if material.receiver_licence.startswith("battery") or sector == "4210":
            listing = BATTERY_LISTINGS[rng.integers(len(BATTERY_LISTINGS))]
        sites.append(Site(site_id, float(lon[n + j]), float(lat[n + j]), sector,
                          park=_park(rng, lon[n + j], lat[n + j]), permit=permit, battery_listing=listing))
        start = years[n + j]
        ceiling = route.replaces.price_cny * route.replacement_ratio * rng.uniform(0.4, 1.0)
        wants.append(Want(
            id=f"W{j:06d}", site_id=site_id, materials=(material.parent or code,) if rng.random() < 0.3 else (code,),
            quantity=float(round(typical * rng.lognormal(0.0, 0.6))),
            quality=_want_quality(code, rng),
            max_price_cny=float(round(ceiling, 2)) if rng.random() < 0.7 else None,
            available_from=start, available_to=start + dt.timedelta(days=int(rng.integers(365, 3 * 365))),
        ))
    return offers, wants, sites


def _park(rng: np.random.Generator, lon: float, lat: float) -> str | None:
    # About a third of sites in a park; parks are 0.25-degree cells, so neighbours share one.
    if rng.random() < 0.35:
        return f"P{int((lon - LON_RANGE[0]) * 4):02d}{int((lat - LAT_RANGE[0]) * 4):02d}"
    return None


def _offer_quality(code: str, rng: np.random.Generator) -> dict[str, float | str]:
    if code == "coal-fly-ash":
        return {"class": str(rng.choice(["F", "C"], p=[0.85, 0.15])), "grade": str(rng.choice(["I", "II", "III"])),
                "loi_pct": round(float(rng.uniform(1.5, 11.0)), 1), "moisture_pct": round(float(rng.uniform(0.2, 1.4)), 2),
                "so3_pct": round(float(rng.uniform(0.5, 3.8)), 2)}
    if code == "fgd-gypsum":
        return {"caso4_2h2o_pct": round(float(rng.uniform(82, 96)), 1), "free_water_pct": round(float(rng.uniform(6, 14)), 1),
                "cl_pct": round(float(rng.uniform(0.005, 0.08)), 3)}
    if code == "steel-slag":
        return {"f_cao_pct": round(float(rng.uniform(1.0, 6.0)), 1), "mgo_pct": round(float(rng.uniform(3, 12)), 1)}
    if code == "lead-acid-battery":
        return {"pb_pct": round(float(rng.uniform(50, 70)), 1)}
    if code == "retired-ev-battery":
        return {"chemistry": str(rng.choice(["LFP", "NCM"])), "soh_pct": round(float(rng.uniform(50, 90)), 0),
                "coded_gbt34014": "yes"}
    return {}


def _want_quality(code: str, rng: np.random.Generator) -> dict[str, float | str]:
    if code == "coal-fly-ash" and rng.random() < 0.6:
        return {"grade": str(rng.choice(["II", "III"])), "loi_pct_max": 10.0}
    if code == "fgd-gypsum" and rng.random() < 0.6:
        return {"caso4_2h2o_pct_min": 85.0, "free_water_pct_max": 12.0}
    if code == "steel-slag" and rng.random() < 0.5:
        return {"f_cao_pct_max": 4.0}
    return {}


# --------------------------------------------------------------------------- baseline


def naive_candidates(
    offers: list[Offer], wants: list[Want], sites: list[Site], *, detour_factor: float = 1.3,
    modes: tuple[str, ...] = ("road", "pipeline"),
) -> int:
    """Pure-Python all-pairs candidate search: material accepted (itself or a parent) and within the
    largest radius of the material's routes for the modes the engine assumes by default."""
    kb = load_knowledge()
    position = {site.id: (math.radians(site.lon), math.radians(site.lat)) for site in sites}
    radius = {}
    accepts = {}
    for offer in offers:
        if offer.material not in radius:
            routes = kb.routes_for(offer.material)
            usable = [km for r in routes for mode, km in r.transport if mode in modes]
            radius[offer.material] = max(usable, default=-1.0) / detour_factor
            accepts[offer.material] = {offer.material, *kb.ancestors(offer.material)}
    found = 0
    earth_km = 6371.0088
    for offer in offers:
        lon1, lat1 = position[offer.site_id]
        limit = radius[offer.material]
        lineage = accepts[offer.material]
        cos1 = math.cos(lat1)
        for want in wants:
            if not lineage.intersection(want.materials):
                continue
            lon2, lat2 = position[want.site_id]
            h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
            if 2 * earth_km * math.asin(math.sqrt(min(h, 1.0))) <= limit:
                found += 1
    return found


# --------------------------------------------------------------------------- one size


def measure(n: int, *, baseline_sample: int | None) -> dict:
    """Everything measured for one size, in this process."""
    start = time.perf_counter()
    offers, wants, sites = synthetic(n)
    generate_s = time.perf_counter() - start
    load = os.getloadavg()[0]  # other jobs on a shared machine slow every figure down
    options = MatchOptions(today=TODAY, seed=0)
    start = time.perf_counter()
    result = run_matching(offers, wants, sites, load_knowledge().routes, options=options)
    run_s = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    traced = run_matching(
        offers, wants, sites, load_knowledge().routes, options=MatchOptions(today=TODAY, seed=0, trace_memory=True)
    )
    assert [l.quantity for l in traced.links] == [l.quantity for l in result.links], "runs differ"
    # Latent mode adds every site whose sector uses a material as a receiver: the heavier run.
    start = time.perf_counter()
    latent = run_matching(offers, wants, sites, load_knowledge().routes,
                          options=MatchOptions(today=TODAY, seed=0, latent=True))
    latent_s = time.perf_counter() - start
    latent_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sample = offers if baseline_sample is None or baseline_sample >= n else offers[:baseline_sample]
    start = time.perf_counter()
    naive_pairs = naive_candidates(sample, wants, sites)
    naive_s = time.perf_counter() - start
    scale = n / len(sample)
    summary = result.summary
    return {
        "n": n,
        "load": load,
        "generate_s": generate_s,
        "run_s": run_s,
        "steps_s": dict(summary.timings_s),
        "steps_peak_mb": dict(traced.summary.peak_memory_mb),
        "rss_mb": rss_mb,
        "latent_s": latent_s,
        "latent_rss_mb": latent_rss_mb,
        "latent_links": latent.summary.links,
        "latent_receivers": latent.summary.latent_receivers,
        "naive_s": naive_s * scale,
        "naive_sampled": len(sample) < n,
        "naive_sample": len(sample),
        "naive_pairs": int(round(naive_pairs * scale)),
        "pairs_in_radius": summary.pairs_in_radius,
        "cut_by_pool": summary.cut_by_pool,
        "examined": summary.examined,
        "feasible": summary.feasible,
        "cut_by_k": summary.cut_by_k,
        "arcs": summary.arcs,
        "links": summary.links,
        "alternatives": len(result.alternatives),
        "solver": summary.solver,
        "dropped": dict(summary.dropped),
        "allocated_t": summary.allocated.get("t", 0.0),
        "landfill_t": summary.landfill.get("t", 0.0),
    }


# --------------------------------------------------------------------------- report


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import ortools
    import scipy

    return (f"{os.cpu_count()} cores ({model}), {ram_gb:.1f} GiB RAM, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, SciPy {scipy.__version__}, OR-tools {ortools.__version__}")


def report(rows: list[dict]) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} with `.venv/bin/python bench/match.py` on {machine()}.",
        "Synthetic Anhui data (seed fixed in the script): n offers and n wants at 2 n random sites in Anhui's",
        "bounding box, 22 real materials of the knowledge base; default options (k = 10 per offer, pool 40,",
        "road and pipeline unless an offer says otherwise, detour factor 1.3). Peak RSS is the whole process",
        "(data + engine); per-step memory is the peak traced by tracemalloc in a second, traced run. The",
        "machine may be shared: a load average above 0 means other jobs took part of the 2 cores.",
        "Latent mode is a third run in the same process, in which every site whose sector uses a material",
        "is a receiver too (capped at the typical posted want); its peak RSS is the process's after all runs.",
        "",
        "| n offers × n wants | engine end to end | peak RSS | latent mode end to end (links, peak RSS) | naive all-pairs candidates (same process) | speed-up of the candidate step | load average before the run |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        naive = f"{row['naive_s']:.1f} s" + (
            f" (extrapolated from {row['naive_sample']:,} offers × {row['n']:,} wants)" if row["naive_sampled"] else ""
        )
        speedup = row["naive_s"] / max(row["steps_s"]["candidates"], 1e-9)
        lines.append(
            f"| {row['n']:,} × {row['n']:,} | {row['run_s']:.2f} s | {row['rss_mb']:,.0f} MB "
            f"| {row['latent_s']:.2f} s ({row['latent_links']:,} links, {row['latent_rss_mb']:,.0f} MB) | {naive} | {speedup:,.0f}× "
            f"| {row['load']:.1f} |"
        )
    lines += ["", "Time per step (s) and peak traced memory per step (MB):", ""]
    header = "| step | " + " | ".join(f"{row['n']:,}" for row in rows) + " |"
    lines += [header, "|---|" + "---:|" * len(rows)]
    for step in (*STEPS, "total"):
        cells = [
            f"{row['steps_s'].get(step, 0.0):.3f} s / {row['steps_peak_mb'].get(step, 0.0):,.0f} MB" for row in rows
        ]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines += ["", "Counts:", "", "| | " + " | ".join(f"{row['n']:,}" for row in rows) + " |",
              "|---|" + "---:|" * len(rows)]
    for key, label in (
        ("naive_pairs", "pairs of accepted material within the radius (naive count)"),
        ("pairs_in_radius", "pairs within the search radius (engine)"),
        ("cut_by_pool", "cut by the pool of nearest receivers"),
        ("examined", "examined"),
        ("feasible", "feasible"),
        ("cut_by_k", "cut by k"),
        ("arcs", "arcs in the flow network"),
        ("links", "links proposed"),
        ("alternatives", "alternatives listed (best unallocated receivers, up to 5 per offer)"),
    ):
        lines.append(f"| {label} | " + " | ".join(f"{row[key]:,}" for row in rows) + " |")
    lines.append("| solver | " + " | ".join(row["solver"] for row in rows) + " |")
    lines.append("| tonnes placed / left to landfill | " + " | ".join(
        f"{row['allocated_t'] / 1e6:,.1f} Mt / {row['landfill_t'] / 1e6:,.1f} Mt" for row in rows) + " |")
    drops = sorted({reason for row in rows for reason, count in row["dropped"].items() if count})
    for reason in drops:
        lines.append(f"| dropped: {reason} | " + " | ".join(f"{row['dropped'][reason]:,}" for row in rows) + " |")
    lines += [
        "",
        "Both searches use the same radius (the largest of the material's routes for road and pipeline, over",
        "the detour factor). The engine also counts wants that a substitute material can serve (FGD gypsum",
        "for a phosphogypsum want ...), which nearly doubles its pairs; with `allow_substitutes=False` its",
        "count equals the naive one exactly (16,647 at 1,000). The speed-up compares the baseline with the",
        "engine's candidate step only (spatial search, pool, and the in-radius count). Per-step memory is",
        "what tracemalloc sees (Python objects and NumPy arrays); OR-tools' C++ memory shows only in the RSS.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Add or replace the engine's section of bench/RESULTS.md, leaving other sections alone."""
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    lines = existing.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        body = existing.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        # The end-to-end part (--end-to-end) is measured apart and kept as it is.
        sub = next((i for i in range(start, end) if lines[i].rstrip() == END_TO_END), None)
        if sub is not None:
            text = text.rstrip("\n") + "\n\n" + "".join(lines[sub:end]).rstrip("\n") + "\n"
        body = "".join(lines[:start]) + text + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    RESULTS.write_text(body.rstrip("\n") + "\n", encoding="utf-8")


END_TO_END = "### End to end: the command line with the database, beside an in-process reference"


def end_to_end_report(rows: list[dict]) -> str:
    lines = [
        END_TO_END, "",
        f"Measured {rows[0]['measured'][:10]} with `.venv/bin/python bench/match.py --end-to-end` on {machine()}.",
        "The same synthetic data as above, loaded into a fresh database (SQLite on tmpfs; PostgreSQL 17 + PostGIS on",
        "this machine), then `flask --app wsgi match run --format json > file` timed as a whole in a fresh",
        "interpreter: start-up, reading the inputs as columns, the engine, storing links and alternatives in one",
        "transaction (one prepared INSERT per table on SQLite, COPY on PostgreSQL), writing the JSON built from the",
        "engine's result (its links and alternatives written by a forked child while the rows are stored, printed",
        "once the transaction has committed). The project's modules are byte-compiled beforehand, as an install",
        "leaves them (this machine sets PYTHONDONTWRITEBYTECODE). The reference runs in",
        "the benchmark's own process on the same offers and wants: per material a KD-tree of the accepting wants,",
        "the 50 nearest within the material's largest route radius, then OR-tools' min-cost flow (cost = road km);",
        "no database, no feasibility rules, no scoring, alternatives or explanations. Target: ratio ≤ 2.",
        "Up to 10,000 listings a side each row is the median of three commands, each on a fresh copy of the loaded",
        "database and followed by the reference (every run's times are listed below the table); above, one run.",
        "CPU is user + system time of the command's process and of the child it forks (PostgreSQL's server time",
        "not included) and of the reference; on a machine shared with other jobs (load average in the last column,",
        "2 cores, the highest seen during the runs) the wall times stretch with the load and the CPU ratio is the",
        "steadier figure.",
        "",
        "| n offers × n wants | backend | command, whole | of which reading inputs | engine | rest (start-up, storing, JSON) "
        "| links / alternatives stored | JSON | reference (candidates + flow) | reference arcs, links | ratio (wall) "
        "| CPU: command / reference (ratio) | load | measured (UTC) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        run, ref = row["run"], row["reference"]
        rest = run["s"] - run["collect_s"] - run["engine_s"]
        lines.append(
            f"| {row['n']:,} × {row['n']:,} | {row['backend']} | {run['s']:.2f} s | {run['collect_s']:.2f} s "
            f"| {run['engine_s']:.2f} s | {rest:.2f} s | {run['links']:,} / {run['alternatives']:,} "
            f"| {run['json_mb']:,.0f} MB | {ref['s']:.2f} s ({ref['candidates_s']:.2f} + {ref['s'] - ref['candidates_s']:.2f}) "
            f"| {ref['arcs']:,}, {ref['links']:,} | **{row['ratio']:.2f}×** "
            f"| {run['cpu_s']:.2f} s / {ref['cpu_s']:.2f} s ({row['cpu_ratio']:.2f}×) | {row['load']:.1f} "
            f"| {row['measured']} |")
    lines += ["", "Loading the data (set-up, not part of the figures): " + "; ".join(
        f"{row['n']:,} {row['backend']} {row['load_s']:.0f} s" for row in rows) + "."]
    repeated = [row for row in rows if len(row["run"].get("all_s", ())) > 1]
    if repeated:
        lines.append("Every run, command / reference (s): " + "; ".join(
            f"{row['n']:,} {row['backend']} " + ", ".join(
                f"{c:.2f} / {r:.2f}" for c, r in zip(row["run"]["all_s"], row["reference"]["all_s"]))
            for row in repeated) + ".")
    lines.append("")
    return "\n".join(lines)


def _table_key(line: str) -> tuple[int, str] | None:
    """(n, backend) of a row of the end-to-end table, None for any other line."""
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if len(cells) > 2 and "×" in cells[0] and cells[1] in ("sqlite", "postgis"):
        return int(cells[0].split("×")[0].replace(",", "")), cells[1]
    return None


def _merged(old: str, new: str) -> str:
    """The new end-to-end text with the old table's rows of sizes and backends not measured again (a run of
    one size leaves the others' figures, each row saying when it was measured by its load and the text)."""
    new_lines = new.splitlines()
    measured = {key for key in map(_table_key, new_lines) if key}
    kept = [line for line in old.splitlines() if (key := _table_key(line)) and key not in measured]
    if not kept:
        return new
    # A row written before the table had its "measured" column gets the date of its run.
    width = max(line.count("|") for line in new_lines if _table_key(line))
    dated = next((line.split()[1] for line in old.splitlines() if line.startswith("Measured ")), "earlier")
    kept = [line if line.count("|") >= width else line.rstrip() + f" {dated} |" for line in kept]
    rows = sorted([line for line in new_lines if _table_key(line)] + kept,
                  key=lambda line: (_table_key(line)[0], _table_key(line)[1] != "sqlite"))
    first = next(i for i, line in enumerate(new_lines) if _table_key(line))
    last = max(i for i, line in enumerate(new_lines) if _table_key(line))
    loading_old = next((line for line in old.splitlines() if line.startswith("Loading the data")), ": ")
    earlier = [entry for entry in loading_old.split(": ", 1)[1].rstrip(".").split("; ")
               if entry and tuple((lambda w: (int(w[0].replace(",", "")), w[1]))(entry.split())) not in measured]
    out = new_lines[:first] + rows + new_lines[last + 1:]
    out = [line.rstrip(".") + "; " + "; ".join(earlier) + "." if line.startswith("Loading the data") and earlier
           else line for line in out]
    note = "Rows of sizes not measured again by the latest run are kept as they were (their date is in the row)."
    return "\n".join(out) + "\n" + note + "\n"


def write_subsection(text: str) -> None:
    """Add or replace the end-to-end part at the end of the engine's section, leaving the rest alone."""
    existing = RESULTS.read_text(encoding="utf-8")
    lines = existing.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    sub = next((i for i in range(start, end) if lines[i].rstrip() == END_TO_END), None)
    if sub is None:
        head, tail = "".join(lines[:end]).rstrip("\n") + "\n\n", "".join(lines[end:])
    else:
        sub_end = next((i for i in range(sub + 1, end) if lines[i].startswith("### ")), end)
        head, tail = "".join(lines[:sub]), "".join(lines[sub_end:])
        text = _merged("".join(lines[sub:sub_end]), text)
    RESULTS.write_text(head + text.rstrip("\n") + "\n" + ("\n" + tail if tail else ""), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--baseline-sample", type=int, default=1_000,
                        help="offers in the naive baseline above 10 000 (extrapolated linearly)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--end-to-end", action="store_true",
                        help="flask match run with the database, beside the in-process reference")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgis"], choices=["sqlite", "postgis"])
    parser.add_argument("--end-to-end-one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.end_to_end_one:
        from bench.match_end_to_end import measure as measure_end_to_end

        print(json.dumps(measure_end_to_end(int(args.end_to_end_one[0]), args.end_to_end_one[1])))
        return
    if args.end_to_end:
        rows = []
        for n in args.sizes:
            for backend in args.backends:
                out = subprocess.run([sys.executable, __file__, "--end-to-end-one", str(n), backend],
                                     check=True, capture_output=True, text=True, cwd=ROOT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
                row = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append(row)
                print(f"{n:>7,} {backend}: command {row['run']['s']:.2f} s, reference {row['reference']['s']:.2f} s, "
                      f"ratio {row['ratio']:.2f} (CPU {row['cpu_ratio']:.2f}), load {row['load']:.1f}", flush=True)
        text = end_to_end_report(rows)
        print(text)
        if not args.no_write:
            write_subsection(text)
        return
    if args.one:
        sample = None if args.one <= 10_000 else args.baseline_sample
        print(json.dumps(measure(args.one, baseline_sample=sample)))
        return
    rows = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--baseline-sample", str(args.baseline_sample)],
            check=True, capture_output=True, text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{n:>7,}: engine {row['run_s']:.2f} s, peak RSS {row['rss_mb']:,.0f} MB, naive {row['naive_s']:.1f} s",
              flush=True)
    text = report(rows)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
