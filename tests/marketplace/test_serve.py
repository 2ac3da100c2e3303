"""`make serve`: the app under gunicorn with several workers, a Dask scheduler and worker, the limiter in Redis.

The production command is started as the README gives it (its set-up steps left out: the test database is
migrated already), on free ports, against this run's database, and stopped with TERM as an operator would.
"""
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379"
LOGIN_LIMIT = 4
WORKERS = 2
# An access line per request: the serving process's id, the request line, the status.
ACCESS_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} for the limiter's shared counters ({exc}); "
                    "`make test` starts it (redis-server --daemonize yes)")


@pytest.fixture
def served(app, backend_url, tmp_path):  # app: the database is migrated and emptied after the test
    """`make serve` on free ports; yields (base URL, access log path, Dask scheduler address)."""
    _require_redis()
    port, dask_port = _free_port(), _free_port()
    access_log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": backend_url, "SECRET_KEY": "serve-test-secret",
           "REDIS_URL": REDIS_URL, "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
           "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'"}
    env.pop("RATELIMIT_STORAGE_URI", None)
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    # -o: the set-up (packages, migrations) and Redis are taken as done; the fixtures did both.
    server = subprocess.Popen(["make", "--no-print-directory", "-o", "db", "-o", "redis", "serve",
                               f"PORT={port}", f"DASK_PORT={dask_port}", f"WORKERS={WORKERS}",
                               f"ACCESS_LOG={access_log}"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True, text=True)
    base = f"http://127.0.0.1:{port}"

    def ping(_):
        try:
            return requests.get(base + "/auth/login", timeout=10).status_code
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its workers still booting
            return None

    try:
        # Ready when every gunicorn worker has answered (a worker still booting takes no requests).
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(WORKERS * 2) as pool:
            while not (access_log.exists() and len(_served_by(access_log, "GET", "/auth/login", 200)) == WORKERS):
                if server.poll() is not None:
                    pytest.fail(f"make serve stopped with status {server.returncode}:\n{server.stdout.read()}")
                if time.monotonic() > deadline:
                    pytest.fail("make serve's gunicorn workers did not all answer within 120 s")
                list(pool.map(ping, range(WORKERS * 2)))
                time.sleep(0.2)
        yield base, access_log, f"tcp://127.0.0.1:{dask_port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output, _ = server.communicate()
        print(output)


def _login_form(session: requests.Session, base: str) -> str:
    page = session.get(base + "/auth/login", timeout=10)
    assert page.status_code == 200
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def _served_by(access_log: Path, method: str, path: str, status: int, *, after: int = 0) -> set[str]:
    """The processes that served these requests, from line ``after`` of the access log on."""
    return {line.split()[0] for line in access_log.read_text().splitlines()[after:]
            if line.split()[1:] == [method, path, str(status)]}


def _lines(access_log: Path) -> int:
    return len(access_log.read_text().splitlines()) if access_log.exists() else 0


def test_make_serve_serves_pages_with_a_job_worker(served):
    base, access_log, scheduler = served
    response = requests.get(base + "/", timeout=10)
    assert response.status_code == 200 and "<html" in response.text

    from distributed import Client

    with Client(scheduler, timeout="10s", set_as_default=False) as dask:
        dask.wait_for_workers(1, timeout=30)
        assert len(dask.scheduler_info()["workers"]) == 1


def test_the_sign_in_limit_and_the_session_hold_across_gunicorn_workers(served, make_user):
    base, access_log, _ = served
    browser = requests.Session()
    token = _login_form(browser, base)

    def wrong_password(email):
        return requests.post(base + "/auth/login", timeout=10, cookies=browser.cookies,
                             data={"csrf_token": token, "email": email, "password": "wrong"}).status_code

    # The attempts on one account are sent together so that both workers take some, each counting against
    # the one limit in Redis; an account whose attempts all went to one worker proves nothing, so another
    # is tried. New accounts each run: the counters outlive the test in Redis.
    for _ in range(5):
        guessed = make_user("plant", email=f"guessed-{uuid.uuid4().hex[:12]}@example.com")
        before = _lines(access_log)
        with ThreadPoolExecutor(LOGIN_LIMIT) as pool:
            assert list(pool.map(wrong_password, [guessed.email] * LOGIN_LIMIT)) == [400] * LOGIN_LIMIT
        if len(_served_by(access_log, "POST", "/auth/login", 400, after=before)) == WORKERS:
            break
    else:
        pytest.fail("five times running, every failed attempt on an account went to one gunicorn worker:\n"
                    + access_log.read_text())
    blocked = browser.post(base + "/auth/login", timeout=10,
                           data={"csrf_token": token, "email": guessed.email, "password": PASSWORD})
    assert blocked.status_code == 429

    # Signed in through one worker, still signed in at the others: the session cookie is signed with the
    # one SECRET_KEY, nothing is kept per process.
    colleague = make_user("plant")
    signed_in = browser.post(base + "/auth/login", timeout=10, allow_redirects=False,
                             data={"csrf_token": token, "email": colleague.email, "password": PASSWORD})
    assert signed_in.status_code == 302

    def my_organisation(_):
        return requests.get(base + "/org", timeout=10, cookies=browser.cookies, allow_redirects=False).status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(my_organisation, range(8))) == [200] * 8
    assert len(_served_by(access_log, "GET", "/org", 200)) == WORKERS
