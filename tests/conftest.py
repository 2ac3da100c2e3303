"""Fixtures: the app on each database backend, clients, and factories with sensible defaults.

Every test that uses ``app`` (or ``client``, ``make_site`` …) runs once on SQLite and, when
TEST_DATABASE_URL is set, once more on PostgreSQL + PostGIS. Tests of geo/ and matching/ need no app.
"""
from __future__ import annotations

import itertools
import os

import pytest
import shapely
import sqlalchemy as sa
from flask.testing import FlaskClient

BACKENDS = ["sqlite"] + (["postgis"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgis_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        message = f"PostGIS at TEST_DATABASE_URL is unreachable: {exc}"
        if os.environ.get("REQUIRE_POSTGIS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


def reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Drop a ``@pytest.mark.backend(name)`` test's runs on the other backend: it is about that one only
    (PostgreSQL's row locks, SQLite's in-memory index), so there it has nothing to test, not something to skip."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        if marker and marker.args[0] not in ("sqlite", "postgis"):
            raise pytest.UsageError(f"{item.nodeid}: backend must be 'sqlite' or 'postgis', not {marker.args[0]!r}")
        params = getattr(item, "callspec", None) and item.callspec.params
        runs_on = params.get("backend_url") if params else None
        (dropped if marker and runs_on != marker.args[0] else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=BACKENDS)
def backend_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    url = _postgis_url()
    reset_postgres_schema(url)
    return url


@pytest.fixture(scope="session")
def session_app(backend_url):
    from flask_migrate import upgrade

    from marketplace import create_app

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": backend_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from marketplace.extensions import db

        db.engine.dispose()


# Reference data loaded by the migrations (kb sync); tests read it and never change it.
REFERENCE_TABLES = {"material", "route"}


def _empty_tables(db) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(session_app):
    from marketplace.extensions import db, limiter

    with session_app.app_context():
        yield session_app
        db.session.rollback()
        _empty_tables(db)
        db.session.remove()
    limiter.reset()


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a server does.

    Otherwise requests would reuse the test's app context and share ``g`` (where Flask-Login
    caches the user) and the database session, hiding bugs that only show across requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    from marketplace.extensions import db as database

    return database


_counter = itertools.count(1)


def valid_credit_code(seed: int) -> str:
    from marketplace.identifiers import make_credit_code

    return make_credit_code(f"91340100{seed:09d}")


@pytest.fixture
def make_org(db):
    from marketplace.models import Organisation

    def make(**overrides):
        n = next(_counter)
        values = {"name_zh": f"测试公司{n}", "name_en": f"Test company {n}", "credit_code": valid_credit_code(n)}
        values.update(overrides)
        organisation = Organisation(**values)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_park(db):
    from marketplace.models import Park

    def make(**overrides):
        n = next(_counter)
        lon, lat = overrides.pop("centre", (117.2 + 0.05 * (n % 10), 31.8))
        values = {"code": f"P{n}", "name_zh": f"测试园区{n}", "level": "provincial", "city_code": "340100",
                  "boundary": shapely.MultiPolygon([shapely.box(lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02)])}
        values.update(overrides)
        park = Park(**values)
        db.session.add(park)
        db.session.commit()
        return park

    return make


@pytest.fixture
def make_site(db, make_org):
    from marketplace.models import Site

    def make(**overrides):
        n = next(_counter)
        lon, lat = overrides.pop("lonlat", (117.25, 31.85))
        if "organisation" not in overrides:
            overrides["organisation"] = make_org()
        values = {"external_ref": f"S-{n}", "name_zh": f"测试厂区{n}", "sector_code": "3011", "city_code": "340100",
                  "location": shapely.Point(lon, lat)}
        values.update(overrides)
        site = Site(**values)
        db.session.add(site)
        db.session.commit()
        return site

    return make


@pytest.fixture
def make_listing(db, make_site):
    """A listing made through the real validation; published unless status= says otherwise."""
    from marketplace.models import Listing
    from marketplace.services.listings import ListingInput, apply_checked, check_listing

    def make(*, site=None, kind="offer", material="coal-fly-ash", quantity=10_000, unit="t/yr",
             status="published", **fields):
        site = site or make_site()
        checked = check_listing(ListingInput(kind=kind, material=material, quantity=quantity, unit=unit, **fields))
        listing = apply_checked(Listing(committed_quantity=0.0, status=status), checked, site)
        db.session.add(listing)
        db.session.commit()
        return listing

    return make


PASSWORD = "correct horse"


@pytest.fixture
def make_user(db, make_org):
    from marketplace.models import User

    def make(*roles, email=None, organisation=None, parks=(), password=PASSWORD):
        n = next(_counter)
        roles = roles or ("plant",)
        if organisation is None and set(roles) & {"plant", "recycler"}:
            organisation = make_org()
        user = User(email=email or f"user{n}@example.com", organisation=organisation)
        user.set_password(password)
        user.set_roles(set(roles))
        user.managed_parks = list(parks)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)
