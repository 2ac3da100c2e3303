"""The language of API answers: what the client asks for with Accept-Language.

Pages speak the language chosen on the site (or the default); a browser's Accept-Language is not
asked there, since the product is Chinese first whatever the browser says. API clients have no such
choice to make but the header, so under /api/ it counts (after a session's explicit choice).
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request


def requested_language(locales: Iterable[str]) -> str | None:
    """The first of ``locales`` among the request's Accept-Language, by quality, for an API request.

    Only the primary tag counts (``zh-CN``, ``zh-Hans`` and ``zh-TW`` are all ``zh``); ``*`` names none.
    None outside the API (and on its documentation page, a page like the others) or when no language fits.
    """
    if not has_request_context() or not request.path.startswith("/api/") or request.blueprint == "api_docs":
        return None
    wanted = set(locales)
    # LanguageAccept iterates best quality first; a q=0 entry means "not this one".
    for tag, quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in wanted:
            return primary
    return None
