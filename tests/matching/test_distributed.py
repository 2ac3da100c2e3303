"""run_matching_distributed on a real Dask LocalCluster: the single-process answer, whatever the partitioning.

Random cases spread over a China-sized box (so that a partition's halo leaves most sites out), posted and
latent, with agreements; 1, 2 and 4 spatial partitions per material group. The partitioning is exact, so
the links themselves must agree, not only the totals. One module-scoped in-process cluster for most cases;
one run on a process-based cluster of 2 workers reached through its scheduler address.
"""

import dataclasses
import json
import socket

import numpy as np
import pytest
from distributed import Client, LocalCluster

from bench.match import TODAY, synthetic
from matching.distributed import run_matching_distributed
from matching.engine import run_matching
from matching.errors import ClusterError, MatchingError
from matching.knowledge.loader import load_knowledge
from matching.partition import material_groups
from matching.types import Agreement, MatchOptions

KB = load_knowledge()


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0",
                           silence_logs=40)
    with Client(cluster, set_as_default=False) as dask_client:
        yield dask_client
    cluster.close()


def china_case(n, seed):
    """``n`` offers and wants of the Anhui benchmark mix, their sites moved at random over 100-122° E, 22-42° N."""
    offers, wants, sites = synthetic(n, seed=seed)
    rng = np.random.default_rng(seed)
    sites = [dataclasses.replace(site, lon=float(rng.uniform(100.0, 122.0)), lat=float(rng.uniform(22.0, 42.0)))
             for site in sites]
    return offers, wants, sites


def assert_same(local, dask):
    assert dask.links == local.links
    assert dask.agreed == local.agreed
    assert dask.landfill == local.landfill
    assert dask.alternatives == local.alternatives
    assert dask.network == local.network
    a, b = local.summary.as_dict(), dask.summary.as_dict()
    assert b["allocated"] == a["allocated"] and b["net_benefit_cny"] == a["net_benefit_cny"]
    for key in ("timings_s", "executor", "partitions", "partition_timings"):
        del a[key], b[key]
    assert b == a  # every count on the way: pairs in radius, drops by reason, cut by pool and k, arcs ...


@pytest.mark.parametrize("partitions", [1, 2, 4])
@pytest.mark.parametrize("seed,latent", [(11, False), (12, True), (13, False)])
def test_same_answer_as_one_process(client, seed, latent, partitions):
    offers, wants, sites = china_case(400, seed)
    options = MatchOptions(today=TODAY, latent=latent)
    local = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB)
    dask = run_matching_distributed(offers, wants, sites, KB.routes, options=options, knowledge=KB, client=client,
                                    partitions=partitions)
    assert local.links and sum(link.quantity for link in local.links) > 0
    assert_same(local, dask)
    summary = dask.summary
    groups = {(entry["group"], entry["cell"]) for entry in summary.partition_timings if entry["kind"] == "search"}
    assert summary.executor == "dask" and summary.partitions == len(groups) >= partitions
    if partitions > 1:  # the halo is a real cut: no partition needed every site
        assert min(e["sites"] for e in summary.partition_timings if e["kind"] == "search") < len(sites)
    json.dumps(summary.as_dict())
    assert local.summary.executor == "local" and local.summary.partitions == 1


def test_agreements_and_permits_stay_global(client):
    offers, wants, sites = china_case(400, 21)
    options = MatchOptions(today=TODAY)
    first = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB)
    # Half the proposed links accepted (hazardous ones among them hold permit capacity): the rest re-matched.
    agreements = [Agreement(link.offer_id, link.receiver_site_id, round(link.quantity / 2, 3), want_id=link.want_id,
                            route_id=link.route_id) for link in first.links[::2]]
    assert any(KB.materials[link.material].hazardous for link in first.links[::2])
    local = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB, agreements=agreements)
    dask = run_matching_distributed(offers, wants, sites, KB.routes, options=options, knowledge=KB,
                                    agreements=agreements, client=client, partitions=3)
    assert local.agreed and local.links != first.links
    assert_same(local, dask)


def test_allocation_batches_may_run_on_the_client(client):
    offers, wants, sites = china_case(300, 31)
    options = MatchOptions(today=TODAY)
    local = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB)
    dask = run_matching_distributed(offers, wants, sites, KB.routes, options=options, knowledge=KB, client=client,
                                    partitions=2, central_max_arcs=0)
    assert_same(local, dask)
    batches = [entry for entry in dask.summary.partition_timings if entry["kind"] == "allocate"]
    assert batches and {entry["worker"] for entry in batches} == {"client"}


def test_material_groups_never_meet():
    offers, wants, sites = china_case(300, 41)
    from matching.candidate_search import accepting_wants
    from matching.tables import InputTables

    options = MatchOptions(today=TODAY)
    tables = InputTables.build(offers, wants, sites, KB.routes, (), options=options, knowledge=KB)
    accepting = accepting_wants(tables, options=options, knowledge=KB)
    groups = material_groups(tables, accepting, knowledge=KB)
    group_of = {material: i for i, members in enumerate(groups) for material in members}
    assert sorted(group_of) == sorted({offer.material for offer in offers}) and len(groups) > 1
    for want in range(len(wants)):  # no want accepts materials of two groups
        assert len({group_of[m] for m, takers in accepting.items() if want in takers}) <= 1
    hazardous = {group_of[o.material] for o in offers if KB.materials[o.material].hazardous}
    assert len(hazardous) == 1


def test_process_workers_through_the_scheduler_address():
    offers, wants, sites = china_case(300, 51)
    options = MatchOptions(today=TODAY, latent=True)
    local = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster:
        dask = run_matching_distributed(offers, wants, sites, KB.routes, options=options, knowledge=KB,
                                        scheduler_address=cluster.scheduler_address, partitions=2)
        workers = set(cluster.scheduler_info["workers"])
    assert_same(local, dask)
    used = {entry["worker"] for entry in dask.summary.partition_timings if entry["kind"] == "search"}
    assert used <= workers and len(used) == 2


def test_unreachable_scheduler_is_named():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    offers, wants, sites = china_case(50, 61)
    with pytest.raises(ClusterError, match=f"scheduler at '{address}' cannot be reached") as error:
        run_matching_distributed(offers, wants, sites, KB.routes, options=MatchOptions(today=TODAY), knowledge=KB,
                                 scheduler_address=address, connect_timeout_s=1.0)
    assert isinstance(error.value, MatchingError) and error.value.field == "scheduler_address"


def test_bad_partitions_fail_before_any_cluster():
    offers, wants, sites = china_case(20, 71)
    with pytest.raises(MatchingError, match="partitions must be a whole number of at least 1, got 0"):
        run_matching_distributed(offers, wants, sites, KB.routes, options=MatchOptions(today=TODAY), knowledge=KB,
                                 scheduler_address="tcp://127.0.0.1:9", partitions=0)
    with pytest.raises(MatchingError, match="offer 'O000000': unknown site"):
        run_matching_distributed([dataclasses.replace(offers[0], site_id="NOWHERE"), *offers[1:]], wants, sites,
                                 KB.routes, options=MatchOptions(today=TODAY), knowledge=KB,
                                 scheduler_address="tcp://127.0.0.1:9")


def test_a_lost_worker_is_a_cluster_error_naming_the_scheduler():
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    from matching.distributed import _guarded

    def worker_died():
        raise KilledWorker("match-search-0-0-1f2e", "tcp://10.0.0.5:40001", allowed_failures=3)

    def scheduler_gone():
        raise CommClosedError("in <TCP (closed)>: Stream is closed")

    with pytest.raises(ClusterError, match="dask cluster at tcp://10.0.0.9:8786: a worker was lost running "
                                           "'match-search-0-0-1f2e' and Dask gave it up; the run stored nothing"):
        _guarded("tcp://10.0.0.9:8786", worker_died)
    with pytest.raises(ClusterError, match="dask cluster at tcp://10.0.0.9:8786: lost during the run"):
        _guarded("tcp://10.0.0.9:8786", scheduler_gone)


def test_cluster_errors_are_messages_a_reader_gets_in_their_language():
    """The run page renders an engine message per reader from its template and values (geo.messages)."""
    from distributed import KilledWorker

    from geo.messages import Message
    from matching.distributed import _guarded

    def worker_died():
        raise KilledWorker("match-allocate-1-0-ab12", "tcp://10.0.0.5:40001", allowed_failures=3)

    with pytest.raises(ClusterError) as error:
        _guarded("tcp://10.0.0.9:8786", worker_died)
    message = error.value.args[0]
    assert isinstance(message, Message) and message.params["address"] == "tcp://10.0.0.9:8786"
    assert Message.from_data(message.as_data()) == str(error.value)
    zh = {message.template: "位于 %(address)s 的 Dask 集群：任务 %(task)r 丢失"}
    assert message.translate(lambda t: zh.get(t, t)) == "位于 tcp://10.0.0.9:8786 的 Dask 集群：任务 'match-allocate-1-0-ab12' 丢失"


def test_a_cluster_started_here_outlives_a_long_solve():
    """OR-tools holds the GIL while it solves: a started cluster's scheduler waits WORKER_TTL for a heartbeat
    (not Dask's 5 minutes), and a longer ttl set by the user is kept."""
    import dask
    from dask.utils import parse_timedelta

    from matching.distributed import WORKER_TTL, cluster_config

    assert parse_timedelta(WORKER_TTL) >= 3600
    with dask.config.set({"distributed.scheduler.worker-ttl": "5 minutes"}), cluster_config():
        assert parse_timedelta(dask.config.get("distributed.scheduler.worker-ttl")) == parse_timedelta(WORKER_TTL)
    with dask.config.set({"distributed.scheduler.worker-ttl": "1 day"}), cluster_config():
        assert dask.config.get("distributed.scheduler.worker-ttl") == "1 day"
