"""Front-end libraries served from their installed packages: ECharts and Swagger UI from npm, allow-listed, cached."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from marketplace.config import DEFAULT_NODE_MODULES_DIR

REPO = Path(__file__).resolve().parents[2]
ECHARTS_URL = "/vendor/npm/echarts/dist/echarts.min.js"


def _installed(package: str) -> Path:
    package_dir = DEFAULT_NODE_MODULES_DIR / package
    if not (package_dir / "package.json").is_file():
        pytest.fail(f"{package_dir} is missing: `make setup` installs the npm packages (npm ci)", pytrace=False)
    return package_dir


def test_the_installed_echarts_is_the_one_the_lock_pins():
    pinned = json.loads((REPO / "package.json").read_text())["dependencies"]["echarts"]
    locked = json.loads((REPO / "package-lock.json").read_text())["packages"]["node_modules/echarts"]["version"]
    installed = json.loads((_installed("echarts") / "package.json").read_text())["version"]
    assert pinned == locked == installed == "6.1.0"


def test_echarts_is_served_from_its_npm_package_as_javascript(client):
    response = client.get(ECHARTS_URL)
    body = response.get_data()
    response.close()  # a file response: close it, or its handle leaks
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert body == (_installed("echarts") / "dist/echarts.min.js").read_bytes()
    # Cached a day, then revalidated by ETag or date.
    assert response.cache_control.public and response.cache_control.max_age == 86400
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    revalidated = client.get(ECHARTS_URL, headers={"If-None-Match": response.headers["ETag"]})
    revalidated.close()
    assert revalidated.status_code == 304


@pytest.mark.parametrize("url", [
    "/vendor/npm/echarts/../tslib/package.json",        # another package in node_modules
    "/vendor/npm/echarts/%2e%2e/tslib/package.json",
    "/vendor/npm/echarts/..%2f..%2fpackage.json",       # the repository's own files
    "/vendor/npm/echarts/dist/../../../package-lock.json",
    "/vendor/npm/echarts//etc/passwd",
])
def test_paths_out_of_the_package_are_refused(client, url):
    _installed("tslib")  # the traversal target exists: a 404 here means refused, not merely absent
    response = client.get(url)
    assert response.status_code == 404
    assert b"tslib" not in response.get_data() and b"root:" not in response.get_data()


@pytest.mark.parametrize("url", [
    "/vendor/npm/tslib/tslib.js",      # installed as a dependency of ECharts, but not served
    "/vendor/npm/zrender/package.json",
    "/vendor/npm/left-pad/index.js",   # not installed at all
    "/vendor/npm/echarts/dist/no-such-file.js",
])
def test_packages_not_on_the_allow_list_and_missing_files_are_404(client, url):
    _installed("zrender")
    assert client.get(url).status_code == 404


def test_without_npm_packages_the_app_starts_says_why_and_answers_404(tmp_path, caplog):
    from marketplace import create_app

    with caplog.at_level(logging.WARNING):
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "TESTING": True,
                          "NODE_MODULES_DIR": str(tmp_path / "node_modules")})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("echarts/dist/echarts.min.js" in w and "make setup" in w for w in warnings), warnings
    assert app.test_client().get(ECHARTS_URL).status_code == 404


def test_an_installed_package_starts_without_a_warning(tmp_path, caplog):
    from marketplace import create_app

    from marketplace.vendor import NPM_PACKAGES

    for package, entries in NPM_PACKAGES.items():
        for name in entries:
            (tmp_path / package / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / package / name).write_text(f"/* {package} */")
    with caplog.at_level(logging.WARNING):
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "TESTING": True,
                          "NODE_MODULES_DIR": str(tmp_path)})
    assert not [r for r in caplog.records if "npm" in r.getMessage()]
    response = app.test_client().get(ECHARTS_URL)
    body = response.get_data()
    response.close()
    assert body == b"/* echarts */"
