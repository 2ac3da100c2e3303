"""The formal symbiosis report of a park (or of the province view): who issues it, for which period, the
indicators and their trend, a map, and the links with their net benefit — one set of contents for the
print-ready page and the PDF (:func:`report_pdf`, WeasyPrint with the CJK font).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..extensions import db
from ..models import Link, Park, User
from .indicators import (REPORTING_ZONE, Indicators, TrendPoint, indicator_trend, links_in_year, park_comparison,
                         park_indicators, reporting_years, scope_parks)
from .network_view import network_geojson
from .report_map import legend_families, network_svg

# Fonts for the PDF: WenQuanYi Micro Hei (Debian fonts-wqy-microhei, installed by `make test`) carries the
# Chinese glyphs; the others are fallbacks where it is missing.
PDF_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif'


@dataclass(frozen=True)
class Report:
    """What a report shows; ``park`` None for the province view (``parks`` then names whose parks)."""

    park: Park | None
    parks: list[Park] | None
    issuer: str
    issued_on: dt.date
    year: int | None
    indicators: Indicators
    trend: list[TrendPoint]
    network: dict
    map_svg: str
    legend: list[tuple[str, str]]
    comparison: list[tuple[Park, Indicators]] = field(default_factory=list)


def issuer_of(user: User, park: Park | None, *, english: bool) -> str:
    """Who issues the report: the signed-in user's organisation (the park authority for its managers)."""
    organisation = user.organisation
    if organisation is not None:
        return (organisation.name_en or organisation.name_zh) if english else organisation.name_zh
    if park is not None:
        return _("%(park)s management committee", park=(park.name_en or park.name_zh) if english else park.name_zh)
    return _("Provincial industry authority")


def build_report(user: User, *, park: Park | None, year: int | None, english: bool,
                 years: list[int] | None = None) -> Report:
    """Every part of the report of ``park`` (the province view when None) as ``user`` may see it."""
    indicators = park_indicators(user, park=park, year=year)
    network = network_geojson(user, park=park)
    if year is not None:  # the map and the links table show the links that counted that year (one rule)
        ids = [f["properties"]["pk"] for f in network["features"] if f["properties"]["kind"] == "link"]
        kept = {link.id for link in links_in_year(list(db.session.scalars(db.select(Link).where(Link.id.in_(ids)))),
                                                  year)}
        network = {**network, "features": [f for f in network["features"]
                                           if f["properties"]["kind"] != "link" or f["properties"]["pk"] in kept]}
    parks = scope_parks(user) if park is None else None
    outlines = [park.boundary] if park is not None else [p.boundary for p in (parks or [])]
    # The map's title in the reader's language, as the page's heading names the park.
    title = (((park.name_en or park.name_zh) if english else park.name_zh) if park is not None
             else _("Symbiosis map of the province"))
    return Report(
        park=park, parks=parks, issuer=issuer_of(user, park, english=english),
        issued_on=dt.datetime.now(REPORTING_ZONE).date(), year=year, indicators=indicators,
        trend=indicator_trend(user, park=park, years=years if years is not None else reporting_years(user, park=park)),
        network=network, map_svg=network_svg(network, outlines, english=english, title=title,
                                                             north_label=_("north")),
        legend=legend_families(network), comparison=park_comparison(user, year=year) if park is None else [])


def report_pdf(html: str, *, stylesheet: str, base_url: str) -> bytes:
    """The report page's HTML as an A4 PDF.

    WeasyPrint lays it out with Pango, so Chinese text needs a CJK font on the machine (``PDF_FONTS``).
    """
    from weasyprint import CSS, HTML  # noqa: PLC0415  (a heavy import, needed only for a PDF)

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=stylesheet)])
