"""`flask match run --distributed`: the run partitioned over a real Dask cluster gives the answer of one process,
says where it ran, and a scheduler that cannot be reached stores nothing."""
import json
import random

import pytest
from sqlalchemy import func, select

from marketplace.models import Link, MatchRun

MATERIALS = (("coal-fly-ash", "4411", "3011"), ("fgd-gypsum", "4411", "3021"), ("steel-slag", "3120", "3011"),
             ("blast-furnace-slag", "3110", "3011"))


@pytest.fixture(scope="module")
def cluster():
    """Two in-process workers behind a TCP scheduler, as a real deployment's address reaches them."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as local:
        yield local


@pytest.fixture
def listings(make_site, make_listing):
    """Suppliers and users of four materials spread over central Anhui, sizes varied."""
    rng = random.Random(7)
    for material, supplier_sector, user_sector in MATERIALS:
        for _ in range(6):
            point = (round(rng.uniform(116.6, 118.2), 4), round(rng.uniform(31.0, 32.4), 4))
            make_listing(site=make_site(sector_code=supplier_sector, lonlat=point), kind="offer", material=material,
                         quantity=rng.choice((2_000, 8_000, 20_000)))
            point = (round(rng.uniform(116.6, 118.2), 4), round(rng.uniform(31.0, 32.4), 4))
            make_listing(site=make_site(sector_code=user_sector, lonlat=point), kind="want", material=material,
                         quantity=rng.choice((3_000, 10_000)))


def _totals(document: dict) -> tuple[float, float, set]:
    links = document["links"]
    pairs = {(link["offer"]["listing_id"], (link.get("want") or link.get("receiver"))["listing_id"]) for link in links}
    return sum(link["quantity"] for link in links), sum(link["net_benefit_cny"] for link in links), pairs


def test_distributed_run_matches_the_single_process_run(runner, db, listings, cluster):
    local = runner.invoke(args=["match", "run", "--format", "json"])
    assert local.exit_code == 0, local.output
    spread = runner.invoke(args=["match", "run", "--format", "json", "--distributed",
                                 "--scheduler", cluster.scheduler_address, "--partitions", "2"])
    assert spread.exit_code == 0, spread.output
    one, many = json.loads(local.output), json.loads(spread.output)
    assert (one["run"]["executor"], many["run"]["executor"]) == ("local", "dask")
    assert many["run"]["partitions"] >= 2 and one["run"]["partitions"] == 1
    tonnes, net, pairs = _totals(one)
    assert tonnes > 0
    assert _totals(many)[0] == pytest.approx(tonnes, rel=0.01)
    assert _totals(many)[1] == pytest.approx(net, rel=0.01)
    assert _totals(many)[2] == pairs
    # The second run superseded the first one's unanswered proposals: what is stored is the distributed run's.
    stored = db.session.scalars(select(Link).where(Link.status == "proposed")).all()
    assert {link.run_id for link in stored} == {many["run"]["id"]}


def test_an_unreachable_scheduler_is_named_and_nothing_is_stored(runner, db, listings):
    runs = db.session.scalar(select(func.count()).select_from(MatchRun))
    result = runner.invoke(args=["match", "run", "--distributed", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "tcp://127.0.0.1:9" in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(MatchRun)) == runs


def test_scheduler_without_distributed_is_refused(runner, db):
    result = runner.invoke(args=["match", "run", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1 and "--distributed" in result.output


def test_a_background_run_can_partition_on_the_jobs_cluster(app, db, listings):
    """With MATCH_EXECUTOR=dask a queued run matches on the job executor's own cluster (the in-process one here,
    one thread: the job leaves it while its partitions run) and ends done, saying so."""
    from marketplace.services import jobs
    from marketplace.services.match_runs import run_now, start_run

    expected = run_now().run.counts
    app.config["MATCH_EXECUTOR"] = "dask"
    try:
        run = start_run(execute="background")
        jobs.wait_pending(timeout=300)
    finally:
        app.config["MATCH_EXECUTOR"] = "engine"
    db.session.expire_all()
    run = db.session.get(MatchRun, run.id)
    assert run.status == "done", run.error
    assert run.counts["executor"] == "dask"
    assert run.counts["net_benefit_cny"] == pytest.approx(expected["net_benefit_cny"], rel=0.01)
