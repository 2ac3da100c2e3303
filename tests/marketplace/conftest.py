"""The job executor's in-process cluster (started by the first background match run) is closed when the
session ends, while pytest still owns the output streams its shutdown logs to."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _job_executor_closed_at_the_end():
    yield
    from marketplace.services import jobs

    jobs.shutdown()
