"""Waiting for a match run that the job executor (Dask, in-process in tests) runs in the background."""
from __future__ import annotations

import time

from sqlalchemy import select

from marketplace.models import MatchRun


def wait_for_run(db, run_id: int, *, within: float = 120.0) -> MatchRun:
    """The run once it is done or failed. ``within`` only stops a hung run from hanging the suite."""
    deadline = time.monotonic() + within
    while True:
        db.session.rollback()  # end any read transaction, to see what the worker committed
        status = db.session.scalar(select(MatchRun.status).where(MatchRun.id == run_id))
        if status in ("done", "failed"):
            db.session.expire_all()
            return db.session.get(MatchRun, run_id)
        assert time.monotonic() < deadline, f"run {run_id} is still {status}"
        time.sleep(0.05)
