"""Every page the four demo users reach speaks their language: no knowledge-base codes, no English in the Chinese
interface, no Chinese-only labels in the English one, no scientific numbers.

Each user's pages are found the way a user finds them: from the home page, following the links the pages show
(one page per address pattern, so a list of 180 organisations costs one visit). What users typed themselves
(names, notes, emails, their own references) is theirs and is not held against the interface.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from .conftest import DEMO_PASSWORD

USERS = ["plant@demo.local", "recycler@demo.local", "park@demo.local", "admin@demo.local"]
MAX_PAGES = 70
TABS = 4  # pages loading side by side

# Addresses that are not pages a person reads: files, the API, switching language or signing out.
NOT_PAGES = re.compile(r"^/(api/|vendor/|static/|lang/|auth/logout)|/export|/template|\.(csv|xlsx|json|geojson|pdf|zip|png|svg)$"
                       r"|[?&](fmt|format)=")
SCIENTIFIC = re.compile(r"\d\.?\d*e[+-]?\d", re.I)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Latin words in a Chinese page that a Chinese reader reads as they are: units, standards, formats, brands.
ZH_ALLOWED_WORDS = {
    "nm", "nm³", "gj", "mwh", "kwh", "km", "kg", "mg", "ppm", "co₂", "co2", "gb", "gb/t", "hj", "t", "m³", "mj",
    "csv", "xlsx", "pdf", "geojson", "json", "api", "openapi", "url", "id", "email", "e-mail", "cny", "ph",
    "k", "m", "h", "d", "wgs", "gcj", "osm", "openstreetmap", "leaflet", "echarts", "swagger", "amap",
    "bearer", "token", "authorization", "http", "https", "sio", "cao", "mgo", "tfe", "fe", "al", "so", "cl", "fe₂o₃",
    "sio₂", "al₂o₃", "loi", "mw", "iii", "ii", "i", "iv", "v", "cas", "hw", "pm", "utc", "mpa", "cod", "bod", "ss",
    "tds", "pet", "pp", "pe", "pvc", "nox", "so₂", "uscc", "rdf", "srf", "dri", "lng", "lpg", "bfg", "ldg",
    "ccs", "ccus", "ddgs", "tgf", "g", "g/l", "mg/l", "mg/kg", "kv", "bx", "gps", "tianditu", "tencent", "wgs-84", "gcj-02",
    "yaml", "geopackage", "shapefile", "kwh/t", "pfa", "aod", "psa", "uasb/ic",
    "lfp", "ncm", "nca", "lmo", "lto",  # battery chemistries, written so in Chinese (磷酸铁锂 LFP)
}
# A Latin word; letters joined to digits (S01, HW49, CGCS2000, C3011) are codes and standards, not English.
WORD = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z₀-₉²³'’-]*(?:/[A-Za-z]+)?(?![\w])")


def _knowledge_codes() -> set[str]:
    from matching.knowledge import load_knowledge

    knowledge = load_knowledge()
    codes = {code for code in knowledge.materials}
    codes |= {route.id for route in knowledge.routes}
    # Codes that are also everyday words ("water", "steam") are names too; the test looks for coded forms, and
    # not for those the knowledge base's own English writes as a compound ("steel-slag powder", "waste-heat power").
    english = " ".join(
        [text for m in knowledge.materials.values() for text in (m.name_en, *m.synonyms_en, m.notes)]
        + [text for r in knowledge.routes for text in (r.process_en, r.notes)]).lower()
    return {code for code in codes if ("-" in code or "_" in code)
            and not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", english)}


def _user_texts(app) -> list[str]:
    """What users typed: names (Chinese ones only where no English name was given), references, notes, emails."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import EnquiryMessage, Listing, Organisation, Park, SavedSearch, Site, User

    with app.app_context():
        texts: list[str] = []
        for model in (Organisation, Site, Park):
            for row in db.session.scalars(select(model)):
                texts += [row.name_zh, row.name_en or ""]
        texts += [text for site in db.session.scalars(select(Site)) for text in (site.external_ref, site.sector_written)]
        texts += [text for park in db.session.scalars(select(Park)) for text in (park.code, park.kind)]
        for listing in db.session.scalars(select(Listing)):
            texts += [listing.material or "", listing.note or ""]
            texts += (listing.material or "").split("|")
        texts += list(db.session.scalars(select(EnquiryMessage.body)))
        texts += list(db.session.scalars(select(SavedSearch.name)))
        texts += list(db.session.scalars(select(User.email)))
    return sorted({text for text in texts if text}, key=len, reverse=True)


def _english_names(app) -> set[str]:
    """Chinese names that have an English one: an English page shows the English."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Organisation, Park, Site

    with app.app_context():
        return {row.name_zh for model in (Organisation, Site, Park) for row in db.session.scalars(select(model))
                if row.name_en}


def _pattern(path: str) -> str:
    """One visit per kind of page: /listings/12 and /listings/13 alike, /materials/coal-fly-ash and /materials/slag."""
    return "/".join("*" if re.search(r"[\d_-]", part) else part for part in path.split("/"))


def _visible_text(page) -> str:
    # Text marked as being in another language (lang="zh" on an English page: the Chinese names of a material,
    # the language switch's 中文) is read as that language, not as the page's; text marked translate="no" (a
    # source's title as published, the words plants write for a material) is cited, not interface text.
    return page.evaluate("""() => {
        const page = document.documentElement.lang || '';
        for (const el of document.querySelectorAll('body [lang]')) {
          if (!el.lang.startsWith(page.slice(0, 2))) el.remove();
        }
        for (const el of document.querySelectorAll('body [translate="no"]')) el.remove();
        const parts = [document.title, document.body.innerText];
        for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
          for (const name of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(name)) parts.push(el.getAttribute(name));
        }
        for (const option of document.querySelectorAll('option')) parts.push(option.textContent);
        return parts.join('\\n');
    }""")


def _walk(context, start: str, tabs: int = TABS):
    """(path, text) of every page reachable from ``start`` by links, one per address pattern.

    Breadth first, as a reader clicking through would find them; the next few addresses in the queue load side by
    side in their own tabs (the same pages in the same order as one tab would visit)."""
    queue, seen, visited = deque([start]), {_pattern(start)}, 0
    pages = [context.new_page() for _ in range(tabs)]
    try:
        while queue and visited < MAX_PAGES:
            batch = []
            while queue and len(batch) < tabs and visited + len(batch) < MAX_PAGES:
                batch.append(queue.popleft())
            visited += len(batch)
            loading = []
            for page, path in zip(pages, batch):
                try:
                    loading.append((page, path, page.goto(path, wait_until="commit")))
                except PlaywrightError as exc:  # a file download, not a page
                    if "Download is starting" in str(exc):
                        continue
                    raise
            for page, path, response in loading:
                page.wait_for_load_state("networkidle")
                if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                    continue
                hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
                yield path, _visible_text(page)
                for href in hrefs:
                    parts = urlsplit(href)
                    if parts.netloc and parts.netloc != urlsplit(page.url).netloc:
                        continue
                    target = parts.path + (f"?{parts.query}" if parts.query else "")
                    if not parts.path or NOT_PAGES.search(target) or _pattern(parts.path) in seen:
                        continue
                    seen.add(_pattern(parts.path))
                    queue.append(target)
    finally:
        for page in pages:
            page.close()


def _without(text: str, pieces: list[str]) -> str:
    for piece in pieces:
        text = text.replace(piece, " ")
    return text


@pytest.fixture(scope="module")
def vocabulary(live_app):
    # The demo accounts' password, shown on the home page of a demo installation, is typed as it is.
    typed = _user_texts(live_app.app) + [DEMO_PASSWORD]
    return {"codes": _knowledge_codes(), "typed": typed, "named": _english_names(live_app.app)}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("email", USERS)
def test_every_page_speaks_the_readers_language(signed_in, vocabulary, email, language):
    context = signed_in(email)
    switch = context.new_page()
    switch.goto(f"/lang/{language}")
    switch.close()
    code_pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(vocabulary["codes"], key=len,
                                                                                 reverse=True))) + r")(?![\w-])")
    # Typed names are removed first, except Chinese names with an English one on an English page.
    typed = [t for t in vocabulary["typed"] if not (language == "en" and t in vocabulary["named"])]
    problems: dict[str, set[str]] = {}
    pages = 0
    for path, text in _walk(context, "/"):
        pages += 1
        found: set[str] = set()
        found |= {f"scientific number {m.group(0)!r}" for m in SCIENTIFIC.finditer(_without(text, vocabulary["typed"]))}
        own = _without(text, typed)
        found |= {f"code {m.group(1)!r}" for m in code_pattern.finditer(own)}
        if language == "zh":
            own = re.sub(r"\S+@\S+|https?://\S+", " ", own)
            # Single capitals are grades and classes (GB/T 1596 class F, grade II), read as they are.
            found |= {f"English {w!r}" for w in WORD.findall(own)
                      if w.lower().strip("'’-") not in ZH_ALLOWED_WORDS and not re.fullmatch(r"[A-Z]|[IVX]+", w)}
        else:
            found |= {f"Chinese {w!r}" for w in HAN.findall(own)}
        if found:
            problems[path] = found
    assert pages > 3, f"{email} reached only {pages} pages"
    report = "\n".join(f"{path}: {', '.join(sorted(found)[:25])}" for path, found in problems.items())
    assert not problems, f"{email} in {language}, {len(problems)} of {pages} pages:\n{report}"
