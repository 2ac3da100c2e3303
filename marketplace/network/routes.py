"""Network map, indicators, exports and report pages, per park and for the province."""
from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from ..labels import division_labels, sector_label
from ..models import Material, Park
from ..permissions import can, require
from ..services.indicators import park_indicators
from ..services.network_view import network_geojson
from ..sitemap import park_features
from . import bp
from .exports import link_rows, to_csv, to_xlsx

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
            "unit_symbol": unit_symbol, "unit_family_label": unit_family_label}


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
                           full=can(current_user, "network.full", park), divisions=division_labels())


@bp.route("/parks/<int:park_id>/map")
@login_required
def park_map(park_id: int):
    return _map(_park(park_id))


@bp.route("/network/map")
@login_required
def province_map():
    return _map(None)


def _indicators(park: Park | None, template: str):
    require(current_user, "network.full", park)
    indicators = park_indicators(current_user, park=park)
    rows = link_rows(network_geojson(current_user, park=park)) if template == "network/report.html" else []
    return render_template(template, park=park, ind=indicators, rows=rows, sankey=_sankey_json(indicators))


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
    return _indicators(_park(park_id), "network/indicators.html")


@bp.route("/network/indicators")
@login_required
def province_indicators():
    return _indicators(None, "network/indicators.html")


@bp.route("/parks/<int:park_id>/report")
@login_required
def park_report(park_id: int):
    return _indicators(_park(park_id), "network/report.html")


@bp.route("/network/report")
@login_required
def province_report():
    return _indicators(None, "network/report.html")


def _export(park: Park | None, fmt: str):
    require(current_user, "network.view", park)
    rows = link_rows(network_geojson(current_user, park=park))
    stem = f"links-{park.code}" if park else "links-anhui"
    if fmt == "csv":
        body, mimetype = to_csv(rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = to_xlsx(rows), XLSX
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
