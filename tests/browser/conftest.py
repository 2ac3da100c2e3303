"""A real app on a free localhost port (demo data + one match run) and Debian's Chromium driven by Playwright."""
from __future__ import annotations

from urllib.parse import urlsplit

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class LiveApp:
    url: str
    app: object
    park_id: int
    link_count: int


def _best_managed_park(email: str) -> tuple[int, int]:
    """The park ``email`` manages with the most links shown on its map, and that number."""
    from sqlalchemy import or_, select

    from marketplace.extensions import db
    from marketplace.models import Link, Site, User
    from marketplace.services.network_view import SHOWN_STATUSES

    user = db.session.scalar(select(User).where(User.email == email))
    counts = []
    for park in user.managed_parks:
        site_ids = select(Site.id).where(Site.park_id == park.id)
        n = len(db.session.scalars(select(Link.id).where(
            Link.status.in_(SHOWN_STATUSES),
            or_(Link.supplier_site_id.in_(site_ids), Link.receiver_site_id.in_(site_ids)))).all())
        counts.append((n, park.id))
    if not counts or max(counts)[0] == 0:
        pytest.fail(f"the demo gives {email} no managed park with links after a match run; the map tests need one")
    n, park_id = max(counts)
    return park_id, n


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from marketplace import create_app
    from marketplace.services.demo import load_demo
    from marketplace.services.matching import start_run

    database = tmp_path_factory.mktemp("browser") / "browser.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "browser-tests",
                      "BASEMAP_URL": "", "DEFAULT_LOCALE": "zh", "BABEL_DEFAULT_LOCALE": "zh"})
    with app.app_context():
        upgrade()
        load_demo()
        start_run()
        park_id, link_count = _best_managed_park("park@demo.local")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", app, park_id, link_count)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            from marketplace.extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as .ci/run does) "
                    "to run the browser tests", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def signed_in(browser, live_app):
    """``signed_in(email)``: one browser context per demo user, signed in once and shared by the tests that walk
    that user's pages (each test chooses its language first). Close the tabs you open."""
    contexts = {}

    def context_for(email: str):
        if email not in contexts:
            context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            page = context.new_page()
            sign_in(page, email)
            page.close()
            contexts[email] = context
        return contexts[email]

    try:
        yield context_for
    finally:
        for context in contexts.values():
            context.close()


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, f"sign-in as {email} failed"


def offline(page, own: str) -> list[str]:
    """Refuse every request to another host, as with no internet; return the list of those refused."""
    refused: list[str] = []

    def handle(route):
        refused.append(route.request.url)
        route.abort()

    page.route(lambda url: urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own, handle)
    return refused
