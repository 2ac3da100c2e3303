"""Network map, indicators, exports and report pages, per park and for the province."""
from __future__ import annotations

from pathlib import Path

from flask import Response, abort, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from ..labels import division_labels, sector_label
from ..links.present import LINK_STATUS_LABELS, coupling_label, material_name
from ..materials.labels import FAMILY_LABELS
from ..models import Material, Park
from ..permissions import can, require
from .. import formatting
from ..services.indicators import indicator_trend, park_comparison, park_indicators, reporting_years, scope_parks
from ..services.network_view import network_geojson
from ..services.report import PDF_FONTS, build_report, report_pdf
from ..services.run_summary import summarise_run
from ..sitemap import park_features
from . import bp
from .exports import geojson_zip, link_rows, to_csv, to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Unit families (a material's unit in the knowledge base) as pages name them; quantities of two never add up.
UNIT_FAMILY_LABELS = {"t": _l("Materials by mass"), "GJ": _l("Heat"), "MWh": _l("Electricity"), "Nm3": _l("Gases"),
                      "m3": _l("Water")}
UNIT_SYMBOLS = {"Nm3": "Nm³", "m3": "m³"}


def unit_symbol(unit: str) -> str:
    return UNIT_SYMBOLS.get(unit, unit)


def unit_family_label(unit: str) -> str:
    """``Gases (Nm³)``: the family's name and its unit."""
    name = UNIT_FAMILY_LABELS.get(unit)
    return f"{name} ({unit_symbol(unit)})" if name else unit_symbol(unit)


@bp.app_context_processor
def network_navigation() -> dict:
    """Whether the navigation offers the province's network map and indicators to the signed-in user."""
    return {"nav_network_map": can(current_user, "network.view"),
            "nav_network_indicators": can(current_user, "network.full"),
            "unit_symbol": unit_symbol, "unit_family_label": unit_family_label,
            # Figures a year in the reader's language (marketplace.formatting: 140万吨/年, 1.4M t/yr).
            "report_number": lambda value, digits=1: formatting.number(value, _locale(), digits=digits),
            "report_quantity": lambda value, unit, per_year=True: formatting.quantity(
                value, f"{unit}/yr" if per_year else unit, _locale()),
            "report_money": lambda value, per_year=True: formatting.quantity(
                value, "CNY/yr" if per_year else "CNY", _locale(), digits=0),
            "report_percent": lambda value: formatting.percent(value, _locale()),
            "material_label": material_name, "coupling_name": coupling_label,
            "status_name": lambda status: LINK_STATUS_LABELS.get(status, status),
            "family_name": lambda family: FAMILY_LABELS.get(family, family or "—")}


@bp.app_context_processor
def run_summary_helpers() -> dict:
    """The run page (links blueprint) includes ``links/_run_summary.html``, which reports a run as these pages
    report a park; its helper is offered from here so that the run page's view needs no change."""
    return {"summarise_run": summarise_run}


@bp.app_template_filter("report_date")
def report_date(value) -> str:
    """A date as an official writes it: 2026年12月5日, or 5 December 2026."""
    return format_date(value, format="long")


def _locale() -> str:
    return str(get_locale() or "zh")


def _english() -> bool:
    return _locale() == "en"


def _park(park_id: int | None) -> Park | None:
    return None if park_id is None else db.get_or_404(Park, park_id)


def _boundaries(park: Park | None) -> dict:
    managed_ids = {p.id for p in current_user.managed_parks}
    if park is not None:
        return park_features([park], managed_ids=managed_ids)
    parks = db.session.scalars(db.select(Park).order_by(Park.code)).all()
    return park_features(list(parks), managed_ids=managed_ids)


def _map(park: Park | None):
    require(current_user, "network.view", park)
    data_url = (url_for("api_network.ParkNetwork", park_id=park.id) if park
                else url_for("api_network.ProvinceNetwork"))
    return render_template("network/map.html", park=park, data_url=data_url, boundaries=_boundaries(park),
                           full=can(current_user, "network.full", park), divisions=division_labels(),
                           scope_parks=scope_parks(current_user) if park is None else None)


@bp.route("/parks/<int:park_id>/map")
@login_required
def park_map(park_id: int):
    return _map(_park(park_id))


@bp.route("/network/map")
@login_required
def province_map():
    return _map(None)


def _year(park: Park | None) -> tuple[int | None, list[int]]:
    """The reporting year asked for (``?year=``), checked against the years there are figures for; None: today."""
    years = reporting_years(current_user, park=park)
    raw = request.args.get("year", "").strip()
    if not raw:
        return None, years
    if not raw.isdigit() or int(raw) not in years:
        abort(400, description=_("year: choose a year from %(first)s to %(last)s.", first=years[-1], last=years[0]))
    return int(raw), years


def _indicators(park: Park | None):
    require(current_user, "network.full", park)
    year, years = _year(park)
    indicators = park_indicators(current_user, park=park, year=year)
    return render_template("network/indicators.html", park=park, ind=indicators, sankey=_sankey_json(indicators),
                           year=year, years=years, trend=indicator_trend(current_user, park=park, years=years),
                           comparison=park_comparison(current_user, year=year) if park is None else [],
                           scope_parks=scope_parks(current_user) if park is None else None)


def _report(park: Park | None, *, pdf: bool = False):
    require(current_user, "network.full", park)
    year, years = _year(park)
    report = build_report(current_user, park=park, year=year, english=_english(), years=years)
    rows = link_rows(report.network)
    if not pdf:
        return render_template("network/report.html", report=report, park=park, ind=report.indicators, rows=rows,
                               year=year, years=years, scope_parks=report.parks)
    html = render_template("network/report_document.html", report=report, park=park, ind=report.indicators,
                           rows=rows, year=year, pdf=True)
    stylesheet = REPORT_CSS.read_text(encoding="utf-8").replace("var(--report-fonts)", PDF_FONTS)
    body = report_pdf(html, stylesheet=stylesheet, base_url=request.host_url)
    stem = f"report-{park.code}" if park else "report-province"
    stem += f"-{year}" if year else ""
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'})


REPORT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "report.css"


def _sankey_json(indicators) -> list[dict]:
    """Every family's flows for the charts, with sector and material names in the page's language."""
    codes = {code for family in indicators.families for flow in family.sankey for code in flow.materials}
    english = str(get_locale()) == "en"
    names = {m.code: (m.name_en if english else m.name_zh)
             for m in db.session.scalars(db.select(Material).where(Material.code.in_(codes)))}
    return [{"source": f.source, "target": f.target, "unit": f.unit, "unit_symbol": unit_symbol(f.unit),
             "quantity": f.quantity, "source_label": sector_label(f.source), "target_label": sector_label(f.target),
             "materials": [names.get(code, code) for code in f.materials]}
            for family in indicators.families for f in family.sankey]


@bp.route("/parks/<int:park_id>/indicators")
@login_required
def park_indicators_page(park_id: int):
    return _indicators(_park(park_id))


@bp.route("/network/indicators")
@login_required
def province_indicators():
    return _indicators(None)


@bp.route("/parks/<int:park_id>/report")
@login_required
def park_report(park_id: int):
    return _report(_park(park_id))


@bp.route("/parks/<int:park_id>/report.pdf")
@login_required
def park_report_pdf(park_id: int):
    return _report(_park(park_id), pdf=True)


@bp.route("/network/report")
@login_required
def province_report():
    return _report(None)


@bp.route("/network/report.pdf")
@login_required
def province_report_pdf():
    return _report(None, pdf=True)


def _export(park: Park | None, fmt: str):
    require(current_user, "network.view", park)
    collection = network_geojson(current_user, park=park)
    stem = f"links-{park.code}" if park else "links-anhui"
    if fmt == "csv":
        # Werkzeug adds the charset to a text/* type itself; naming it here too would repeat it.
        body, mimetype = to_csv(link_rows(collection)), "text/csv"
    elif fmt == "xlsx":
        indicators = park_indicators(current_user, park=park) if can(current_user, "network.full", park) else None
        body, mimetype = to_xlsx(collection, indicators, english=_english()), XLSX
        stem = f"network-{park.code}" if park else "network-anhui"
    elif fmt == "zip":  # GeoJSON layers
        parks = [park] if park else (scope_parks(current_user) or
                                     list(db.session.scalars(db.select(Park).order_by(Park.code))))
        stem = f"network-{park.code}" if park else "network-anhui"
        body, mimetype = geojson_zip(collection, parks, stem=stem), "application/zip"
    else:
        abort(404)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


@bp.route("/parks/<int:park_id>/links.<fmt>")
@login_required
def park_export(park_id: int, fmt: str):
    return _export(_park(park_id), fmt)


@bp.route("/network/links.<fmt>")
@login_required
def province_export(fmt: str):
    return _export(None, fmt)


@bp.route("/parks/<int:park_id>/network.zip")
@login_required
def park_layers(park_id: int):
    return _export(_park(park_id), "zip")


@bp.route("/network/network.zip")
@login_required
def province_layers():
    return _export(None, "zip")
