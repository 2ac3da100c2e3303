"""Response headers that keep pages to the app's own assets."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def basemap_source(url_template: str) -> str:
    """The CSP source for a tile URL template: 'https://{s}.tile.example/{z}/…' -> 'https://*.tile.example'."""
    if not url_template:
        return ""
    parts = urlsplit(url_template.replace("{s}.", "*.").replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def register_security_headers(app: Flask) -> None:
    tiles = basemap_source(app.config.get("BASEMAP_URL", ""))
    policy = "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {tiles}".strip(),
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])

    https = app.config.get("HTTPS", False)
    _hide_server_version()

    @app.after_request
    def set_headers(response):
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def _hide_server_version() -> None:
    """The development server names itself and its Python version in every answer; name nothing."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.server_version = "marketplace"
    WSGIRequestHandler.sys_version = ""
