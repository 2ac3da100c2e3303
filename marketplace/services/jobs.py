"""The job executor: Dask distributed, which the national-scale matcher uses too, so one executor serves both.

With ``DASK_SCHEDULER_ADDRESS`` set (the app's setting or the environment) jobs go to that scheduler's
workers, which build the app themselves from the database address they are given. Without it the app
starts, at its first job, an in-process cluster (``LocalCluster(processes=False)``: a thread of the web
process runs the jobs), so the embedded default needs nothing installed or started by hand. A job that
such a process held dies with it; :func:`.match_runs.fail_interrupted` marks its run failed.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref

from flask import Flask, current_app

log = logging.getLogger(__name__)

_lock = threading.Lock()
_client = None
# The apps of this process by id, for jobs run in-process (a worker elsewhere creates its own from the URI).
_apps: weakref.WeakValueDictionary[str, Flask] = weakref.WeakValueDictionary()
_remote_apps: dict[str, Flask] = {}
# Jobs this process submitted that have not finished (see wait_pending).
_pending: set = set()


def scheduler_address(app: Flask | None = None) -> str | None:
    app = app or current_app
    return app.config.get("DASK_SCHEDULER_ADDRESS") or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def client(app: Flask | None = None):
    """The process's Dask client, connected (or its local cluster started) at first use."""
    global _client
    with _lock:
        if _client is None or _client.status in ("closing", "closed"):
            from distributed import Client, LocalCluster

            address = scheduler_address(app)
            if address:
                _client = Client(address, set_as_default=False, timeout="10s")
            else:
                # No dashboard; the scheduler's small HTTP server (health, metrics) on a free local port, so
                # that several app processes on one machine never compete for Dask's default 8787.
                from matching.distributed import cluster_config

                # Its worker shares the GIL with the scheduler, which OR-tools holds through a long solve: the
                # worker-ttl of a cluster started here (matching.distributed) keeps it from being dropped.
                with cluster_config():
                    cluster = LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                           dashboard_address=None, silence_logs=logging.WARNING,
                                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
                _client = Client(cluster, set_as_default=False)
        return _client


def shutdown() -> None:
    """Close the client and its local cluster, if any (tests; the process's exit does it too)."""
    global _client
    with _lock:
        if _client is not None:
            cluster = _client.cluster
            _client.close()
            if cluster is not None:
                cluster.close()
            _client = None


def submit_run(run_id: int) -> None:
    """Hand a queued match run to a worker; it runs even though nobody waits for its result."""
    from distributed import fire_and_forget

    app = current_app._get_current_object()
    key = f"{os.getpid()}:{id(app)}"  # another process never finds it, and builds its own app
    _apps[key] = app
    future = client(app).submit(run_match_job, key, str(app.config["SQLALCHEMY_DATABASE_URI"]), run_id,
                                pure=False, key=f"match-run-{run_id}-{os.getpid()}")
    fire_and_forget(future)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def wait_pending(timeout: float | None = None) -> None:
    """Wait until the jobs this process submitted have finished (tests, before they empty the database)."""
    for future in list(_pending):
        future.exception(timeout=timeout)  # waits; a failed job's run is marked failed already


def run_match_job(app_key: str, database_uri: str, run_id: int) -> None:
    """A worker's task: execute the queued run in an app context of its own."""
    from ..extensions import db
    from .match_runs import execute_queued

    app = _apps.get(app_key) or _app_for(database_uri)
    with app.app_context():
        try:
            execute_queued(run_id)
        except Exception:  # the run is marked failed already; the trace goes to the log
            log.exception("match run %s failed", run_id)
        finally:
            db.session.remove()


def _app_for(database_uri: str) -> Flask:
    """The app a worker on its own (another process or host) runs jobs in, one per database."""
    with _lock:
        if database_uri not in _remote_apps:
            from .. import create_app

            _remote_apps[database_uri] = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
        return _remote_apps[database_uri]
