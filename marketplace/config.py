"""Settings from the environment, with the embedded defaults (PRODUCT.md section 3)."""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from geo import area
from geo.area import ServiceArea, parse_service_area

LOCALES = ("zh", "en")
# `make setup` runs `npm ci` at the top of the checkout, next to this package.
DEFAULT_NODE_MODULES_DIR = Path(__file__).resolve().parent.parent / "node_modules"


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    Keeping it on disk means sessions survive a restart of the embedded default without anyone
    having to invent a key.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def service_area(config) -> ServiceArea:
    """Where sites may be: the ``SERVICE_AREA`` setting, else Anhui's real outline plus its margin."""
    return config.get("SERVICE_AREA") or area.ANHUI_SERVICE_AREA


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_environment(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    instance_path.mkdir(parents=True, exist_ok=True)
    service_area_text = os.environ.get("SERVICE_AREA")
    default_locale = os.environ.get("DEFAULT_LOCALE", "zh")
    https = _flag("HTTPS", False) or _flag("SESSION_COOKIE_SECURE", False)
    if default_locale not in LOCALES:
        raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, not {default_locale!r}")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'marketplace.db'}"
        ),
        # None: Anhui's outline, built when a point is first checked (a second's work no start-up should pay).
        "SERVICE_AREA": parse_service_area(service_area_text) if service_area_text else None,
        "BASEMAP_URL": os.environ.get("BASEMAP_URL", ""),
        "BASEMAP_ATTRIBUTION": os.environ.get("BASEMAP_ATTRIBUTION", ""),
        # Tianditu and most Western tile servers are WGS-84/CGCS2000; AMap and Tencent tiles are GCJ-02.
        "BASEMAP_CRS": os.environ.get("BASEMAP_CRS", "WGS84").upper(),
        "NODE_MODULES_DIR": os.environ.get("NODE_MODULES_DIR", str(DEFAULT_NODE_MODULES_DIR)),
        "DEFAULT_LOCALE": default_locale,
        "BABEL_DEFAULT_LOCALE": default_locale,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # Production behind HTTPS sets HTTPS=1: Secure cookies and HSTS. The embedded default serves plain http
        # on localhost, where a Secure cookie would never come back.
        "HTTPS": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # memory:// is per process; production points this at the shared store (e.g. redis://) so that every
        # worker counts the same attempts.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Who matches in a background run: "engine" (one process) or "dask" (partitioned over the job's cluster,
        # for national scale; see services.match_runs._match). DASK_SCHEDULER_ADDRESS says where the cluster is.
        "MATCH_EXECUTOR": os.environ.get("MATCH_EXECUTOR", "engine"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "API_TITLE": "Industrial symbiosis marketplace API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        },
    }
