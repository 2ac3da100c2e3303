"""Background match runs in tests: each test's jobs finish before its database is emptied, and the job
executor's in-process cluster (started by the first background run) is closed when the session ends, while
pytest still owns the output streams its shutdown logs to."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _jobs_finish_within_their_test(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app")  # set up first, so torn down after the jobs are waited for
    yield
    from marketplace.services import jobs

    jobs.wait_pending(timeout=300)


@pytest.fixture(scope="session", autouse=True)
def _job_executor_closed_at_the_end():
    yield
    from marketplace.services import jobs

    jobs.shutdown()
