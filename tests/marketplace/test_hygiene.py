"""Sign-in limits, cookies and headers for HTTPS, and a database that cannot be reached."""
import datetime as dt
import email.utils
import os
import subprocess
import sys
from pathlib import Path

import pytest

from marketplace import create_app

from tests.conftest import PASSWORD
ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


def _fail_login(client, email: str, times: int) -> None:
    for _ in range(times):
        assert client.post("/auth/login", data={"email": email, "password": "wrong"}).status_code == 400


def test_a_colleague_at_the_same_address_still_signs_in(client, app, make_user):
    guessed, colleague = make_user("plant"), make_user("plant")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    _fail_login(client, guessed.email, limit)
    blocked = client.post("/auth/login", data={"email": guessed.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert client.post("/auth/login", data={"email": colleague.email, "password": PASSWORD}).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_limit(client, app, make_user):
    user = make_user("plant")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit + 2):
        assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        client.post("/auth/logout")


def test_remember_me_lasts_at_most_thirty_days(client, make_user):
    user = make_user("plant")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = email.utils.parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=30, minutes=5)


def test_no_hsts_on_plain_http_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_https_setting_turns_on_hsts_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("HTTPS", "1")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_development_server_does_not_name_its_version():
    from werkzeug.serving import WSGIRequestHandler

    create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert "Python" not in WSGIRequestHandler.server_version + WSGIRequestHandler.sys_version
    assert "/" not in WSGIRequestHandler.server_version


def test_an_unreachable_database_is_a_503_page_and_api_answer():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "SECRET_KEY": "x",
                      "SERVER_NAME": "localhost"})
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert b"Traceback" not in page.data
    api = client.get("/api/v1/sites/1", headers={"Authorization": "Bearer some-token"})
    assert api.status_code == 503
    assert api.json["code"] == 503


def test_an_unreachable_database_is_one_line_on_the_command_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": UNREACHABLE_DB, "SECRET_KEY": "x"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "listings", "expire"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("Error: the database cannot be reached")
    assert len(done.stderr.strip().splitlines()) == 1


def test_ids_beyond_the_id_column_are_not_found(client, app, make_user, auth):
    auth.login(make_user("admin"))
    for path in ("/api/v1/sites/99999999999999999999", f"/api/v1/sites/{2**31}", "/listings/99999999999999999999"):
        assert client.get(path).status_code == 404, path


@pytest.mark.backend("postgis")  # SQLite's CURRENT_TIMESTAMP is always UTC
def test_database_times_are_utc_whatever_the_server_zone(db):
    import sqlalchemy as sa

    assert db.session.execute(sa.text("SHOW timezone")).scalar() == "UTC"
