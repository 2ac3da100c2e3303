"""Fixtures: the app on each database backend, clients, and factories with sensible defaults.

Every test that uses ``app`` (or ``client``, ``make_site`` …) runs once on SQLite and, when
TEST_DATABASE_URL is set, once more on PostgreSQL + PostGIS. Tests of geo/ and matching/ need no app.

Cost that is not a test's point is kept out: the SQLite test database lives on tmpfs when there is
one, and commits on either backend do not wait for the disk (a crash loses nothing a test needs);
tables are emptied after each test by DELETE, not TRUNCATE; and a module whose cases all read one
expensive world builds it once and runs each case in a transaction rolled back after it
(:func:`module_world`), so every case still starts from exactly that world.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import shapely
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

T = TypeVar("T")
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


SHM_PREFIX = "marketplace-tests-"


def _sqlite_directory(request, tmp_path_factory) -> Path:
    """A fresh directory on tmpfs (/dev/shm) when the machine has one, else pytest's temporary one.

    Named for this process, so a run that was killed before its clean-up is recognised and its
    directory removed by the next run (tmpfs is memory), while concurrent runs are left alone.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return tmp_path_factory.mktemp("sqlite")
    for stale in shm.glob(f"{SHM_PREFIX}*-*"):
        pid = stale.name[len(SHM_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    directory = Path(tempfile.mkdtemp(prefix=f"{SHM_PREFIX}{os.getpid()}-", dir=shm))
    request.addfinalizer(lambda: shutil.rmtree(directory, ignore_errors=True))
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _unsynced(dbapi_connection, connection_record) -> None:
    """Commits that do not wait for the disk: the same locking, transactions and visibility, minus fsync.

    SQLite: ``journal_mode=MEMORY`` keeps the rollback journal's locking (unlike WAL), so tests of
    what one connection sees of another's writes mean what they meant on the default journal.
    PostgreSQL: ``synchronous_commit=off`` only lets a commit return before its WAL reaches the disk.
    """
    cursor = dbapi_connection.cursor()
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA journal_mode=MEMORY")
    else:
        cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()  # a SET kept past the transaction it opened
    cursor.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{_sqlite_directory(request, tmp_path_factory) / 'test.db'}"
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
        from marketplace.extensions import db

        sa.event.listen(db.engine, "connect", _unsynced)
        db.engine.dispose()  # connections opened while the app was created get the setting too
        upgrade()
    yield app
    with app.app_context():
        from marketplace.extensions import db

        db.engine.dispose()


# Reference data loaded by the migrations (kb sync); tests read it and never change it.
REFERENCE_TABLES = {"material", "route"}


def empty_tables(db) -> None:
    """Delete every row but the reference data, children first, and restart the ids at 1.

    DELETE rather than TRUNCATE on PostgreSQL too: a test leaves a handful of rows, and TRUNCATE's
    fixed cost (new files for every table and index) made this the slowest step of the PostgreSQL run.
    """
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # Ids restart as TRUNCATE ... RESTART IDENTITY would restart them (SQLite reuses ids of an
        # empty table by itself): the sequences those tables own, back to their start, in one query.
        db.session.execute(_RESTART_SEQUENCES, {"tables": [t.name for t in tables]})
    db.session.commit()


_RESTART_SEQUENCES = sa.text("""
SELECT setval(q.seqrelid, q.seqstart, false)
FROM pg_sequence q
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = q.seqrelid AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
WHERE t.relname = ANY(:tables) AND t.relnamespace = current_schema()::regnamespace
""")


@pytest.fixture
def app(session_app):
    from marketplace.extensions import db, limiter

    with session_app.app_context():
        yield session_app
        db.session.rollback()
        empty_tables(db)
        db.session.remove()
    limiter.reset()


class _OneConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session, but every statement goes through the connection it was bound to."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@contextlib.contextmanager
def rolled_back(db) -> Iterator[sa.Connection]:
    """Run the block in one transaction on one connection, and roll everything in it back at the end.

    Every session opened meanwhile, in any app context (each test-client request has its own), is
    bound to that connection and joins its transaction through a savepoint: a commit in the app
    releases its savepoint, a rollback returns to it, so the app behaves as usual while nothing it
    writes outlives the block. Rows committed before the block stay; other connections (SQLite's
    offer index reads through one) see them, and not the block's writes, as they would see a
    request's writes before its commit.

    Two limits, both loud rather than silent: code that opens its own connection (``engine.begin()``
    in the CLI) is outside the transaction, and on SQLite waits for its lock and fails; and since the
    sessions share one connection, a session kept open across requests would undo their commits when
    it rolls back, so a test should not hold ``db.session`` open while the client writes.
    """
    factory = db.session.session_factory
    db.session.remove()
    connection = db.engine.connect()
    transaction = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite opens a transaction only before a write, so the app's first SAVEPOINT would
        # become the outermost transaction and its RELEASE a real commit; open it ourselves.
        connection.exec_driver_sql("BEGIN")
    saved_class, saved_kw = factory.class_, dict(factory.kw)
    factory.class_ = _OneConnectionSession
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        db.session.remove()
        factory.class_, factory.kw = saved_class, saved_kw
        transaction.rollback()
        connection.close()


def table_contents(db) -> dict[str, list[str]]:
    """Every row of every table but the reference data, exact and comparable across connections.

    Read through a connection of its own, and cheap enough to compare after each of hundreds of
    tests: rows as the driver returns them on SQLite, every table in one query on PostgreSQL.
    """
    names = [table.name for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES]
    quote = db.engine.dialect.identifier_preparer.quote
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            tables = ", ".join(f"(SELECT array_agg(t::text ORDER BY t::text) FROM {quote(name)} t)" for name in names)
            return {name: rows or [] for name, rows in zip(names, connection.exec_driver_sql(f"SELECT {tables}").one())}
        return {name: sorted(repr(tuple(row)) for row in connection.exec_driver_sql(f"SELECT * FROM {quote(name)}"))
                for name in names}


def module_world(build: Callable[[Any], T]) -> tuple:
    """Fixtures ``world`` and ``app`` for a module whose tests all start from one expensive world.

    ``world`` (module scope) calls ``build(db)`` once per backend in an app context and commits what
    it made; pass it only plain values (ids, emails), as its rows are detached afterwards. ``app``
    (each test) runs the test inside :func:`rolled_back`, so whatever a test writes is undone, and
    then checks that every table holds exactly the rows the world was built with: a write that
    escaped the transaction fails the test that made it instead of skewing the ones after it. The
    tables are emptied after the module's last test. In a module::

        world, app = module_world(build_world)
    """
    built: dict = {}

    @pytest.fixture(scope="module", name="world")
    def world_fixture(session_app):
        from marketplace.extensions import db

        try:
            with session_app.app_context():
                built["world"] = build(db)
                built["contents"] = table_contents(db)
                db.session.remove()
            yield built["world"]
        finally:
            with session_app.app_context():
                db.session.rollback()
                empty_tables(db)
                db.session.remove()

    @pytest.fixture(name="app")
    def app_fixture(session_app, world):  # noqa: ARG001 - the world must exist before the transaction
        from marketplace.extensions import db, limiter

        with session_app.app_context(), rolled_back(db):
            yield session_app
        limiter.reset()
        with session_app.app_context():
            assert table_contents(db) == built["contents"], "a write outlived its test's transaction"
            db.session.remove()

    return world_fixture, app_fixture


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


PASSWORD = "correct horse"


class Factories:
    """Rows with sensible defaults, each committed; the ``make_*`` fixtures hand out these methods.

    Usable without the fixtures (in an app context) by a module that builds its world once.
    """

    def __init__(self, db) -> None:
        self.db = db

    def _commit(self, row):
        self.db.session.add(row)
        self.db.session.commit()
        return row

    def org(self, **overrides):
        from marketplace.models import Organisation

        n = next(_counter)
        values = {"name_zh": f"测试公司{n}", "name_en": f"Test company {n}", "credit_code": valid_credit_code(n)}
        values.update(overrides)
        return self._commit(Organisation(**values))

    def park(self, **overrides):
        from marketplace.models import Park

        n = next(_counter)
        lon, lat = overrides.pop("centre", (117.2 + 0.05 * (n % 10), 31.8))
        values = {"code": f"P{n}", "name_zh": f"测试园区{n}", "level": "provincial", "city_code": "340100",
                  "boundary": shapely.MultiPolygon([shapely.box(lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02)])}
        values.update(overrides)
        return self._commit(Park(**values))

    def site(self, **overrides):
        from marketplace.models import Site

        n = next(_counter)
        lon, lat = overrides.pop("lonlat", (117.25, 31.85))
        if "organisation" not in overrides:
            overrides["organisation"] = self.org()
        values = {"external_ref": f"S-{n}", "name_zh": f"测试厂区{n}", "sector_code": "3011", "city_code": "340100",
                  "location": shapely.Point(lon, lat)}
        values.update(overrides)
        return self._commit(Site(**values))

    def listing(self, *, site=None, kind="offer", material="coal-fly-ash", quantity=10_000, unit="t/yr",
                status="published", **fields):
        """A listing made through the real validation; published unless status= says otherwise."""
        from marketplace.models import Listing
        from marketplace.services.listing_check import ListingInput, check_listing
        from marketplace.services.listings import apply_checked

        site = site or self.site()
        checked = check_listing(ListingInput(kind=kind, material=material, quantity=quantity, unit=unit, **fields))
        return self._commit(apply_checked(Listing(committed_quantity=0.0, status=status), checked, site))

    def user(self, *roles, email=None, organisation=None, parks=(), password=PASSWORD):
        from marketplace.models import User

        n = next(_counter)
        roles = roles or ("plant",)
        if organisation is None and set(roles) & {"plant", "recycler"}:
            organisation = self.org()
        user = User(email=email or f"user{n}@example.com", organisation=organisation)
        user.set_password(password)
        user.set_roles(set(roles))
        user.managed_parks = list(parks)
        return self._commit(user)


@pytest.fixture
def factories(db) -> Factories:
    return Factories(db)


@pytest.fixture
def make_org(factories):
    return factories.org


@pytest.fixture
def make_park(factories):
    return factories.park


@pytest.fixture
def make_site(factories):
    return factories.site


@pytest.fixture
def make_listing(factories):
    """A listing made through the real validation; published unless status= says otherwise."""
    return factories.listing


@pytest.fixture
def make_user(factories):
    return factories.user


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
