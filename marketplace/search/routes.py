"""Search views: nearby supply, saved searches, notifications."""
from __future__ import annotations

import dataclasses
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..forms_util import apply_field_errors, options
from ..errors import translated
from ..labels import local_name, material_label
from ..models import Notification, SavedSearch
from ..permissions import require
from ..services.errors import FieldError
from ..services.listings import listings_of
from ..services.saved_searches import (
    delete_search, mark_all_read, mark_read, notifications_of, save_search, searches_of,
)
from ..services.search import (
    FREIGHT_RATE_CNY_PER_T_KM, ROAD_DETOUR_FACTOR, TRANSPORT_CO2_T_PER_T_KM, TRANSPORT_MODE, SearchInput,
    SearchInvalid, SearchQuery, build_query, search_offers,
)
from ..services.sites import sites_of
from ..services.unread import unread_of
from . import bp
from .forms import SaveSearchForm, SearchFields, SearchForm
from .present import listing_url, material_name, notification_target, shown_hit, shown_point

SEARCH_FIELDS = tuple(name for name in dir(SearchFields) if not name.startswith("_"))


def _fill_choices(form) -> list:
    organisation = current_user.organisation
    sites = sites_of(organisation) if organisation else []
    wants = [w for w in listings_of(organisation, kind="want") if w.status not in ("closed", "expired")] \
        if organisation else []
    form.site.choices = options([("", _("— use the coordinates —"))] + [(str(s.id), local_name(s)) for s in sites])
    form.want.choices = options([("", "—")] + [
        (str(w.id), f"#{w.id} " + ", ".join(material_name(c) for c in w.material_codes)) for w in wants])
    return sites


def _search_input(form, *, offset: str | None = None) -> SearchInput:
    return SearchInput(material=form.material.data, want_id=form.want.data or None, site_id=form.site.data or None,
                       lon=form.lon.data, lat=form.lat.data, radius_km=form.radius_km.data,
                       min_quantity=form.min_quantity.data, quality=form.quality.data,
                       max_price=form.max_price.data, sort=form.sort.data, offset=offset,
                       exclude_own=not form.own.data)


def _result_rows(hits, query=None) -> list[dict]:
    rows = []
    for hit in hits:
        hit, revealed = shown_hit(current_user, hit, query)
        site = hit.listing.site
        lon, lat = shown_point(hit.listing, revealed=revealed)
        rows.append({"hit": hit, "listing": hit.listing, "material": material_name(hit.material_code),
                     "own": current_user.organisation_id is not None
                     and hit.listing.site.organisation_id == current_user.organisation_id,
                     "supplier": hit.listing.organisation.name_zh if revealed else None, "site": site,
                     "lon": lon, "lat": lat, "url": listing_url(hit.listing.id)})
    return rows


def _map_features(rows: list[dict], query: SearchQuery | None) -> dict:
    features = []
    if query is not None:
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [query.lon, query.lat]},
                         "properties": {"name": _("Search centre"), "sector": "", "centre": True}})
    for row in rows:
        hit = row["hit"]
        detail = _("%(km).1f km", km=hit.distance_km)
        if hit.delivered_cost_cny is not None:
            detail += " · " + _("%(cny).0f CNY delivered", cny=hit.delivered_cost_cny)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                         "properties": {"name": row["material"], "sector": row["site"].sector_code,
                                        "organisation": row["supplier"] or _("Anonymous supplier"),
                                        "url": row["url"], "detail": detail}})
    return {"type": "FeatureCollection", "features": features}


def _render_search(form: SearchForm, *, query=None, hits=(), more: bool = False, save_form=None,
                   status: int = 200):
    rows = _result_rows(hits, query)
    search_args = {name: request.values.get(name, "") for name in SEARCH_FIELDS if request.values.get(name)}

    def page_url(offset: int) -> str:
        return url_for("search.offers", **search_args, offset=max(offset, 0) or None)
    return render_template("search/offers.html", form=form, query=query, rows=rows,
                           result_geojson=_map_features(rows, query), searched=query is not None, more=more,
                           page_url=page_url,
                           save_form=save_form or SaveSearchForm(formdata=None), search_args=search_args,
                           material_name=material_name, detour=ROAD_DETOUR_FACTOR,
                           freight_rate=FREIGHT_RATE_CNY_PER_T_KM[TRANSPORT_MODE],
                           co2_kg=TRANSPORT_CO2_T_PER_T_KM[TRANSPORT_MODE] * 1000), status


@bp.route("/offers")
@login_required
def offers():
    require(current_user, "search.use")
    form = SearchForm(formdata=request.args if request.args else None)
    sites = _fill_choices(form)
    if not any(name in request.args for name in SEARCH_FIELDS):
        if sites:  # a first visit: propose the first of our sites
            form.site.data = str(sites[0].id)
        return _render_search(form)
    query, hits, more = None, [], False
    if form.validate():
        try:
            query = build_query(_search_input(form, offset=request.args.get("offset")), user=current_user)
            # One hit more than the page holds says whether there is a next page.
            hits = search_offers(dataclasses.replace(query, limit=query.limit + 1))
            more, hits = len(hits) > query.limit, hits[:query.limit]
        except SearchInvalid as exc:
            apply_field_errors(form, exc.errors)
    return _render_search(form, query=query, hits=hits, more=more, status=400 if form.errors else 200)


@bp.route("/saved", methods=["POST"])
@login_required
def save():
    require(current_user, "search.use")
    form = SaveSearchForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            query = build_query(_search_input(form), user=current_user)
            save_search(current_user, query, name=form.name.data, label={
                "material": form.material.data or "", "site_id": form.site.data or None,
                "want_id": form.want.data or None})
        except SearchInvalid as exc:
            apply_field_errors(form, exc.errors)
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Search saved: you will be told here when new matching supply is published."), "success")
            return redirect(url_for("search.saved"))
    # The save form carries every search field: show the search page again with its errors.
    return _render_search(form, save_form=form, status=400)


def _params_to_args(params: dict) -> dict:
    """A saved search as the query string of the search page."""
    args = {"material": " | ".join(params.get("material_codes") or []), "lon": params["lon"], "lat": params["lat"],
            "radius_km": params["radius_km"], "sort": params.get("sort") or "distance"}
    if params.get("min_quantity"):
        args["min_quantity"] = params["min_quantity"]
    if params.get("max_price_cny") is not None:
        args["max_price"] = params["max_price_cny"]
    if params.get("quality"):
        args["quality"] = "; ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                    for k, v in params["quality"].items())
    return args


@bp.route("/saved")
@login_required
def saved():
    require(current_user, "search.use")
    searches = searches_of(current_user)
    return render_template("search/saved.html", searches=searches, material_name=material_name,
                           run_args={s.id: _params_to_args(s.params) for s in searches})


@bp.route("/saved/<int:search_id>/delete", methods=["POST"])
@login_required
def delete_saved(search_id: int):
    row = db.get_or_404(SavedSearch, search_id)
    require(current_user, "saved_search.edit", row)
    delete_search(row)
    flash(_("Saved search deleted."), "success")
    return redirect(url_for("search.saved"))


@bp.route("/notifications")
@login_required
def notifications():
    require(current_user, "search.use")
    return render_template("search/notifications.html", notifications=notifications_of(current_user),
                           listing_url=listing_url, today=dt.date.today(), offer_notice=offer_notice)


def offer_notice(note) -> str:
    """A saved search's notice in the page's language: stored as a message, rendered for the reader; a notice
    stored as text before ("粉煤灰 / Coal fly ash, 12.3 km", the material in both languages) by the offer's
    material here and the distance it recorded."""
    if note.message_data:
        return translated(note.shown_message)
    listing = note.listing
    if listing is None or not listing.material_codes or ", " not in note.message:
        return note.message
    return f"{material_label(listing.material_codes[0])}, {note.message.rsplit(', ', 1)[1]}"


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_notification_read(notification_id: int):
    row = db.get_or_404(Notification, notification_id)
    require(current_user, "notification.edit", row)
    mark_read(row)
    return redirect(url_for("search.notifications"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_notifications_read():
    require(current_user, "search.use")
    mark_all_read(current_user)
    return redirect(url_for("search.notifications"))


@bp.app_context_processor
def unread_badges() -> dict:
    """The navigation's unread counts (notifications, enquiry threads) for the signed-in user."""
    return {"nav_unread": unread_of(current_user)}


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    """Follow a notification to what it is about; opening it is reading it (a POST: it changes the notice)."""
    row = db.get_or_404(Notification, notification_id)
    require(current_user, "notification.edit", row)
    mark_read(row)
    return redirect(notification_target(row) or url_for("search.notifications"))
