"""``run_matching_distributed``: the same run as :func:`matching.engine.run_matching`, partitioned on Dask distributed.

The answer does not depend on the partitioning: it is the single-process run's, link for link.

1. **validate** and **index** on the client, as a local run does (bad input fails before a cluster is asked);
2. **candidates**, **feasibility**, **scoring**, **select** on the workers, one task per partition
   (:mod:`matching.partition`: independent material groups, each split in space into cores with a halo as
   wide as the farthest an offer there reaches); each worker gets its slice of the tables (arrays and the
   listings' dataclasses, never a database connection) and returns candidate columns, joined on the client in
   a single-process run's order;
3. **allocate**: the capped arc graph's connected components, batched as a local run batches them
   (:func:`matching.allocate.allocate`), solved in parallel on the workers; a batch above ``central_max_arcs``
   arcs is solved on the client instead (``None``: none is). Agreed links and permit capacities stay global:
   they are in the tables every partition and the allocation read, and a permit joins its receivers into one
   component;
4. **links**, **alternatives**, **network** on the client, as a local run does.

Where: the ``client`` given, else a new client of the scheduler at ``scheduler_address``, else a new
:class:`distributed.LocalCluster` sized to the machine (Dask's defaults: workers and threads by core, memory
shared among them), closed again at the end. A scheduler that cannot be reached, or a worker lost for good
(Dask first retries a task elsewhere), raises :class:`~matching.errors.ClusterError` naming the address; the
run then returns nothing, so a caller stores nothing.

**Long solves and the scheduler's worker-ttl.** OR-tools holds the GIL while it solves (measured: a 2-million-arc
solve on one thread left the process's other threads no turn for its 187 s), so a worker solving a large
component sends no heartbeat until it is done. A scheduler drops a worker it has not heard from for
``distributed.scheduler.worker-ttl`` (Dask's default: 5 minutes) and retries its task elsewhere, where the same
solve starts again: at 1,000,000 × 1,000,000 the largest component (4 million arcs) took 252 to 506 s here, by the load. A cluster this module
starts gets a worker-ttl of at least :data:`WORKER_TTL`; a scheduler of your own needs one longer than its
longest solve (``DASK_DISTRIBUTED__SCHEDULER__WORKER_TTL="1 hour"`` where the scheduler starts). A worker that
really dies closes its connection and is noticed at once, whatever the ttl.
"""

from __future__ import annotations

import dataclasses
import pickle
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from geo.messages import Message, N_
from matching.allocate import PartProblem, solve_part
from matching.engine import outcome_of
from matching.errors import ClusterError, MatchingError
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import Route
from matching.partition import (
    PartitionFound,
    count_latent_receivers,
    join_found,
    partition_entry,
    plan_partitions,
    search_partition,
    slice_tables,
)
from matching.placement import place
from matching.summary import run_summary
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import Agreement, MatchOptions, Offer, Result, Site, Want
from matching.validate import validate_inputs, validate_options

__all__ = ["CENTRAL_MAX_ARCS", "WORKER_TTL", "cluster_config", "run_matching_distributed"]

# An allocation batch with more arcs than this is solved on the client: shipping it costs about as much as
# solving it, and the client holds the run anyway. 5 million arcs take about 1.5 GB in OR-tools.
CENTRAL_MAX_ARCS = 5_000_000
# Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10.0
# The least worker-ttl of a cluster started here: a worker solving a large component holds the GIL and sends no
# heartbeat until the solve ends (module notes).
WORKER_TTL = "2 hours"


def run_matching_distributed(
    offers: Sequence[Offer],
    wants: Sequence[Want],
    sites: Sequence[Site],
    routes: Sequence[Route],
    *,
    options: MatchOptions,
    knowledge: Knowledge | None = None,
    agreements: Sequence[Agreement] = (),
    client: Any = None,
    scheduler_address: str | None = None,
    partitions: int | None = None,
    central_max_arcs: int | None = CENTRAL_MAX_ARCS,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> Result:
    """Match as :func:`~matching.engine.run_matching` does, with the work spread over a Dask cluster.

    Parameters
    ----------
    offers, wants, sites, routes, options, knowledge, agreements
        As for :func:`~matching.engine.run_matching`.
    client
        A :class:`distributed.Client` to use (left open); else ``scheduler_address`` or a local cluster.
    scheduler_address
        A scheduler to connect to (``tcp://host:8786``); ``None`` with no client: a new ``LocalCluster``.
    partitions
        Spatial partitions per material group (``None``: one per 40 000 offers of the group).
    central_max_arcs
        Allocation batches above this many arcs are solved on the client (``None``: all on the workers).
    connect_timeout_s
        How long to wait for the scheduler.

    Returns
    -------
    Result
        The single-process run's result; its summary says ``executor="dask"``, the number of search
        partitions, and each partition's and allocation batch's size, seconds and worker.

    Raises
    ------
    MatchingError
        On bad input, as a local run (before any cluster is contacted).
    ClusterError
        The scheduler cannot be reached, or a worker was lost and Dask gave up on its task.
    """
    validate_options(options)
    if partitions is not None and (isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1):
        raise MatchingError(Message(N_("options: partitions must be a whole number of at least 1, got %(value)r"),
                                    value=partitions), field="partitions")
    steps = StepTimer(trace=options.trace_memory)
    entries: list[dict[str, Any]] = []
    try:
        with steps("validate"):
            kb = knowledge or load_knowledge()
            validate_inputs(offers, wants, sites, routes, agreements, knowledge=kb)
        with _connected(client, scheduler_address, timeout_s=connect_timeout_s) as dask_client:
            where = _address(dask_client)
            with steps("index"):
                tables = InputTables.build(offers, wants, sites, routes, agreements, options=options, knowledge=kb)
                plan = plan_partitions(tables, options=options, knowledge=kb, per_group=partitions)
            with steps("candidates"):
                # Knowledge's read-only views do not pickle; plain dicts hold the same entries.
                portable = dataclasses.replace(kb, materials=dict(kb.materials), references=dict(kb.references))
                shared = _guarded(where, lambda: dask_client.scatter(portable, broadcast=True, hash=False))
                sending = time.perf_counter()
                futures = []
                sent: dict[tuple[int, int], int] = {}
                # Largest first, so that a small partition fills a worker's gap instead of a large one ending last.
                for partition in sorted(plan, key=lambda p: (-len(p.offers), p.group, p.cell)):
                    packed = _packed(slice_tables(tables, partition))
                    sent[(partition.group, partition.cell)] = len(packed)
                    payload = _guarded(where, lambda: dask_client.scatter(packed, hash=False))
                    del packed
                    futures.append(dask_client.submit(
                        _search_on_worker, payload, options, shared, pure=False,
                        key=f"match-search-{partition.group}-{partition.cell}-{uuid.uuid4().hex[:8]}"))
                    del payload  # the worker keeps it until the search has read it
                entries.append({"kind": "send", "partitions": len(plan), "bytes_sent": sum(sent.values()),
                                "seconds": {"total": round(time.perf_counter() - sending, 6)}, "worker": "client"})
                parts: list[tuple[PartitionFound, str]] = _gather_each(where, futures)
                entries += [partition_entry(part, worker) | {"bytes_sent": sent[(part.group, part.cell)]}
                            for part, worker in parts]
                latent_count = count_latent_receivers(tables, options=options, knowledge=kb)
                found = join_found(tables, [part for part, _ in parts], latent_receivers=latent_count)
                del parts  # the joined table holds the same columns
            with steps("allocate"):
                mapper = _ParallelParts(dask_client, where, central_max_arcs=central_max_arcs)
                placed, solver = place(tables, found, options=options, knowledge=kb, map_parts=mapper)
                entries += mapper.entries
        outcome = outcome_of(tables, found, placed, agreements, steps, options=options, knowledge=kb)
    finally:
        steps.close()
    summary = run_summary(tables, found, outcome.links, outcome.agreed, outcome.landfill, solver, steps,
                          options=options, executor="dask", partitions=len(plan), partition_timings=entries)
    return outcome.result(summary, found.as_candidates(tables) if options.keep_candidates else ())


# --------------------------------------------------------------------------- on the workers


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except ValueError:  # not on a worker (a client solving a batch itself)
        return "client"


def _packed(value: Any) -> bytes:
    """A partition as one pickle: Dask's own pickling looks at every object for a custom serializer, which
    costs more than the pickling itself on the hundreds of thousands of listings a partition holds."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _search_on_worker(payload: bytes, options: MatchOptions, knowledge: Knowledge) -> tuple[PartitionFound, str]:
    work = pickle.loads(payload)
    return search_partition(work, options=options, knowledge=knowledge), _worker_address()


def _solve_on_worker(part: PartProblem | bytes) -> tuple[tuple, float, str]:
    started = time.perf_counter()
    solved = solve_part(pickle.loads(part) if isinstance(part, bytes) else part)
    return solved, time.perf_counter() - started, _worker_address()


class _ParallelParts:
    """``map_parts`` for :func:`matching.allocate.allocate`: the batches on the workers, the largest on the client."""

    def __init__(self, client: Any, where: str, *, central_max_arcs: int | None) -> None:
        self.client = client
        self.where = where
        self.central_max_arcs = central_max_arcs
        self.entries: list[dict[str, Any]] = []
        self.sent: dict[int, int] = {}
        self.round = 0

    def __call__(self, function: Callable[[PartProblem], tuple], parts: list[PartProblem]) -> list[tuple]:
        self.round += 1
        central = [self.central_max_arcs is not None and part.arcs > self.central_max_arcs for part in parts]
        futures = {
            i: self.client.submit(_solve_on_worker, self._packed(i, part), pure=False,
                                  key=f"match-allocate-{self.round}-{i}-{uuid.uuid4().hex[:8]}")
            for i, (part, here) in enumerate(zip(parts, central)) if not here
        }
        done = {i: _solve_on_worker(part) for i, (part, here) in enumerate(zip(parts, central)) if here}
        keys = sorted(futures)
        done.update(zip(keys, _gather_each(self.where, [futures.pop(i) for i in keys])))
        out = []
        for i, part in enumerate(parts):
            solved, seconds, worker = done[i]
            self.entries.append({"kind": "allocate", "round": self.round, "batch": i, "arcs": part.arcs,
                                 "seconds": {"total": round(seconds, 6)}, "worker": worker,
                                 "bytes_sent": self.sent.pop(i, 0)})
            out.append(solved)
        return out

    def _packed(self, i: int, part: PartProblem) -> bytes:
        packed = _packed(part)
        self.sent[i] = len(packed)
        return packed


# --------------------------------------------------------------------------- the cluster


def _address(client: Any) -> str:
    try:
        return str(client.scheduler.address)
    except AttributeError:
        return "unknown"


def _gather_each(where: str, futures: list[Any]) -> list[Any]:
    """The futures' results in their order, each released as soon as it arrives (its worker forgets it then,
    instead of holding every partition's candidates until the last one is done); ``futures`` is emptied."""
    from distributed import as_completed

    position = {future.key: i for i, future in enumerate(futures)}
    if not futures:
        return []

    def collect() -> list[Any]:
        out: dict[int, Any] = {}
        for future, value in as_completed(futures, loop=futures[0].client.loop, with_results=True):
            out[position[future.key]] = value
            future.release()
        return [out[i] for i in range(len(position))]

    try:
        return _guarded(where, collect)
    finally:
        futures.clear()


def _guarded(where: str, call: Callable[[], Any]) -> Any:
    """Run a cluster call; a lost worker or scheduler becomes a :class:`ClusterError` naming the address."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    try:
        return call()
    except MatchingError:
        raise
    except KilledWorker as error:
        raise ClusterError(Message(N_("dask cluster at %(address)s: a worker was lost running %(task)r and Dask "
                                      "gave it up; the run stored nothing"), address=where, task=error.task),
                           field="scheduler_address") from error
    except (CommClosedError, FutureCancelledError, OSError, TimeoutError) as error:
        raise ClusterError(Message(N_("dask cluster at %(address)s: lost during the run (%(error)s); the run "
                                      "stored nothing"), address=where, error=f"{type(error).__name__}: {error}"),
                           field="scheduler_address") from error


@contextmanager
def cluster_config() -> Iterator[None]:
    """Dask settings for a cluster started inside: a worker-ttl of at least :data:`WORKER_TTL` (module notes)."""
    import dask
    from dask.utils import parse_timedelta

    ttl = dask.config.get("distributed.scheduler.worker-ttl", None)
    if ttl is not None and parse_timedelta(ttl) < parse_timedelta(WORKER_TTL):
        ttl = WORKER_TTL
    with dask.config.set({"distributed.scheduler.worker-ttl": ttl}):
        yield


@contextmanager
def _connected(client: Any, scheduler_address: str | None, *, timeout_s: float) -> Iterator[Any]:
    """The client to use: the caller's, one of the scheduler at the address, or one of a new local cluster."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler_address:
        try:
            own = Client(scheduler_address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterError(Message(N_("scheduler_address: the dask scheduler at %(address)r cannot be reached "
                                          "(%(error)s)"), address=scheduler_address,
                                       error=f"{type(error).__name__}: {error}"),
                               field="scheduler_address", where=scheduler_address) from error
        with own:
            yield own
        return
    with cluster_config():
        cluster = LocalCluster(dashboard_address=":0", silence_logs=40)
    with cluster, Client(cluster, set_as_default=False) as own:
        yield own
