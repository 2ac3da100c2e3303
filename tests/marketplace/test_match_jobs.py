"""Match runs as jobs: a queued run's page shows its progress, a run a restart interrupted is marked failed,
and the run JSON built from the engine's result is the one read back from the stored rows."""
from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Link, MatchRun
from marketplace.services.match_runs import INTERRUPTED, fail_interrupted, queue_run, run_now, this_process
from marketplace.services.matching import run_json


@pytest.fixture
def world(make_park, make_site, make_listing, make_user):
    park = make_park(code="FIRST", centre=(117.2, 31.8))
    power = make_site(sector_code="4411", park=park, lonlat=(117.2, 31.8), name_zh="甲电厂", external_ref="PWR-1")
    cement = make_site(sector_code="3011", lonlat=(117.5, 31.8), name_zh="乙水泥厂", external_ref="CEM-1")
    other = make_site(sector_code="4411", lonlat=(117.45, 31.75), name_zh="丙电厂")
    make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000)
    make_listing(site=other, kind="offer", material="coal-fly-ash", quantity=5_000)
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    blocks = make_site(sector_code="3031", lonlat=(117.3, 31.7), name_zh="丁砖厂", external_ref="BRK-1")
    make_listing(site=blocks, kind="want", material="coal-fly-ash", quantity=2_000)
    return SimpleNamespace(park=park, admin=make_user("admin"))


def dead_process() -> str:
    """A holder naming a process of this machine that has ended (as after a restart)."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    host, _, _ = this_process().split(":")
    return f"{host}:{ended.stdout.strip()}:1700000000.00"


def test_a_queued_run_page_shows_its_progress(client, auth, db, world):
    run = queue_run(park=world.park)  # nobody executes it: it stays queued
    auth.login(world.admin)
    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-progress"' in html and f'/links/runs/{run.id}/progress' in html and 'id="run-links"' not in html
    progress = client.get(f"/links/runs/{run.id}/progress").json
    assert progress["status"] == "queued" and progress["step"] == "queued" and progress["error"] is None
    listing = client.get("/links/runs").get_data(as_text=True)
    assert f'data-run="{run.id}"' in listing and 'data-status="queued"' in listing


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_run_a_restart_interrupted_is_marked_failed(client, auth, db, world, status):
    run = queue_run(park=world.park)
    run.status, run.holder = status, dead_process()
    alive = queue_run(park=world.park)  # held by this process, which is still running
    db.session.commit()
    auth.login(world.admin)
    progress = client.get(f"/links/runs/{run.id}/progress").json
    # Why, in the page's language: Chinese by default, English when the reader chose it.
    assert progress["status"] == "failed" and "重启" in progress["error"] and "interrupted" not in progress["error"]
    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-failed"' in html and 'id="run-progress"' not in html and progress["error"] in html
    client.get("/lang/en")
    assert client.get(f"/links/runs/{run.id}/progress").json["error"] == INTERRUPTED
    db.session.expire_all()
    assert db.session.get(MatchRun, alive.id).status == "queued" and fail_interrupted() == 0
    assert db.session.scalar(select(func.count(Link.id))) == 0


def test_a_run_interrupted_before_a_page_looked_is_failed_by_the_next_check(db, world):
    run = queue_run()
    run.status, run.holder = "running", dead_process()
    db.session.commit()
    assert fail_interrupted() == 1
    db.session.expire_all()
    stored = db.session.get(MatchRun, run.id)
    assert stored.status == "failed" and stored.error == INTERRUPTED and stored.finished_at is not None


def test_the_run_json_from_the_result_is_the_stored_runs(db, world):
    outcome = run_now(latent=True)
    assert outcome.run.status == "done" and outcome.links and outcome.alternatives
    built = outcome.as_json()
    assert built == run_json(outcome.run)
    for batch in (500, 2, 1):  # documents written out a batch at a time
        assert json.loads(b"".join(outcome.json_chunks(batch=batch))) == built
    written_before = list(outcome.json_body(batch=3))  # as the command's child writes it while the rows are stored
    assert json.loads(b"".join(outcome.json_chunks(body=written_before))) == built


@pytest.fixture
def forks(monkeypatch):
    """The pids of the children ``flask match run`` forks (the real fork, recorded)."""
    import os

    pids, fork = [], os.fork

    def recorded():
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    return pids


def test_the_command_prints_the_stored_run_its_child_wrote_while_storing(runner, db, world, forks, monkeypatch):
    from marketplace.commands import match

    monkeypatch.setattr(match, "_can_fork", lambda: True)  # whatever threads the test session left running
    result = runner.invoke(args=["match", "run", "--latent", "--format", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout_bytes)
    run = db.session.scalar(select(MatchRun))
    assert len(forks) == 1 and printed["links"] and printed["alternatives"] and printed == run_json(run)


def test_a_run_failing_while_its_rows_are_written_prints_and_stores_nothing(runner, db, world, forks, monkeypatch):
    import os

    from marketplace.commands import match
    from marketplace.services import match_runs

    def full(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(match, "_can_fork", lambda: True)
    monkeypatch.setattr(match_runs, "_insert_alternatives", full)  # after the links, with the child started
    result = runner.invoke(args=["match", "run", "--format", "json"])
    assert result.exit_code == 1 and isinstance(result.exception, OSError)
    assert not result.stdout_bytes.strip()
    assert db.session.scalar(select(func.count(MatchRun.id))) == 0
    assert db.session.scalar(select(func.count(Link.id))) == 0
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # stopped and reaped, not left behind
        os.waitpid(forks[0], os.WNOHANG)


def test_the_body_is_written_by_the_command_itself_when_its_child_fails(runner, db, world, forks, monkeypatch):
    import os

    from marketplace.commands import match
    from marketplace.services.match_runs import RunOutcome

    parent, body = os.getpid(), RunOutcome.json_body

    def failing_in_the_child(self, **kwargs):
        if os.getpid() != parent:
            raise OSError("no space left on device")
        return body(self, **kwargs)

    monkeypatch.setattr(match, "_can_fork", lambda: True)
    monkeypatch.setattr(RunOutcome, "json_body", failing_in_the_child)
    result = runner.invoke(args=["match", "run", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(forks) == 1 and json.loads(result.stdout_bytes) == run_json(db.session.scalar(select(MatchRun)))


def test_no_child_is_forked_beside_another_thread(runner, db, world, forks):
    import threading

    from marketplace.commands import match

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not match._can_fork()
        result = runner.invoke(args=["match", "run", "--format", "json"])
    finally:
        release.set()
        other.join()
    assert result.exit_code == 0, result.output
    assert forks == [] and json.loads(result.stdout_bytes) == run_json(db.session.scalar(select(MatchRun)))



def test_a_run_the_executor_cannot_take_ends_failed(client, db, world, monkeypatch):
    from marketplace.services import jobs
    from marketplace.services.match_runs import start_run

    def unreachable(run_id):
        raise OSError("Timed out trying to connect to tcp://10.0.0.9:8786")

    monkeypatch.setattr(jobs, "submit_run", unreachable)
    run = start_run(park=world.park, execute="background")
    db.session.expire_all()
    stored = db.session.get(MatchRun, run.id)
    assert stored.status == "failed" and "tcp://10.0.0.9:8786" in stored.error
    assert db.session.scalar(select(func.count(Link.id))) == 0
