"""A match run started on the web in a real Chromium: the page answers at once, shows the run's progress
while it runs (polling its progress), and the result once a worker has finished it."""
from __future__ import annotations

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _job_executor_closed_after():
    """The run started from the web runs on the app's in-process Dask cluster: closed once the module is done."""
    yield
    from marketplace.services import jobs

    jobs.wait_pending(timeout=300)
    jobs.shutdown()


def test_a_run_page_shows_progress_then_the_result(page, live_app):
    from marketplace.extensions import db
    from marketplace.services.match_runs import execute_queued, queue_run

    with live_app.app.app_context():
        run_id = queue_run().id  # nobody has taken it yet
        db.session.remove()
    sign_in(page, "admin@demo.local")
    page.goto(f"/links/runs/{run_id}")
    assert page.locator("#run-progress").is_visible() and page.locator("#run-links").count() == 0
    assert page.get_attribute("#run-progress", "data-status") == "queued"
    with live_app.app.app_context():  # a worker takes it now; the page, polling, shows the result when done
        execute_queued(run_id)
        db.session.remove()
    page.wait_for_selector("#run-links", timeout=60_000)
    assert page.locator("#run-progress").count() == 0 and page.locator("#run-links tbody tr").count() > 10


def test_a_run_started_from_the_web_returns_at_once_and_ends_done(page, live_app):
    sign_in(page, "admin@demo.local")
    page.goto("/links/runs")
    page.select_option("#run-form select[name=park]", "")
    page.click("#run-form [type=submit]")
    page.wait_for_url("**/links/runs/*")
    assert page.locator("#run-progress").count() + page.locator("#run-links").count() == 1  # queued, or done
    page.wait_for_selector("#run-links", timeout=120_000)  # the page reloads itself once the worker is done
    page.goto("/links/runs")
    assert page.locator("#run-table tbody tr").first.locator(".run-status").get_attribute("data-status") == "done"
