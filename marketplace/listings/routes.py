"""Offers and wants: my listings, forms, detail pages, enquiries, bulk import and export."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from ..forms_util import apply_field_errors, options
from ..models import Enquiry, Listing, Site
from ..permissions import can, require
from ..services.enquiries import (EnquiryRefused, awaits_reply_from, enquiries_of, may_start, reply_to_enquiry,
                                  side_of, start_enquiry, thread_of)
from ..errors import field_error_text
from ..labels import local_name
from ..services.errors import FieldError, ImportRejected
from ..services.imports import import_tables
from ..services.imports.export import export_listings, listing_export_row
from ..services.imports.files import read_import_file
from ..services.imports.template import EXAMPLE_SITE_REF, column_guide, import_template
from ..services.listing_duplicates import likely_duplicates
from ..services.listing_check import ListingInput, ListingInvalid, check_listing
from ..services.listings import (close_listing, context_reason, create_listing, listings_of, publish_listing,
                                 update_listing)
from ..services.material_choices import material_choices
from ..services.quality_fields import quality_form_for_name
from ..services.sites import sites_of
from ..services.unread import mark_thread_read, unread_thread_ids
from ..services.vocabulary import confirm_kind as confirm_kind_of, kinds_to_confirm
from . import bp
from .disclosure import is_revealed, shown_location, site_geojson
from .entry import choices_json, quality_json
from .forms import TRANSPORT_MODE_LABELS, EnquiryForm, ImportForm, ListingForm

KIND_LABELS = {"offer": _l("offer"), "want": _l("want")}
STATUS_LABELS = {"draft": _l("draft"), "published": _l("published"), "partly_matched": _l("partly matched"),
                 "matched": _l("matched"), "closed": _l("closed"), "expired": _l("expired")}
SHORT_VISIBILITY_LABELS = {"named": _l("named"), "anonymous": _l("anonymous")}
FILE_TYPES = {"csv": "text/csv; charset=utf-8",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def material_name(material) -> str:
    return material.name_en if str(get_locale()) == "en" else material.name_zh


@bp.context_processor
def listing_labels():
    return {"kind_label": lambda k: KIND_LABELS.get(k, k), "status_label": lambda s: STATUS_LABELS.get(s, s),
            "visibility_label": lambda v: SHORT_VISIBILITY_LABELS.get(v, v),
            "transport_label": lambda m: TRANSPORT_MODE_LABELS.get(m, m), "material_name": material_name,
            "kinds_to_confirm": kinds_to_confirm, "context_reason": context_reason,
            "may": lambda action, target=None: can(current_user, action, target)}


def _download(content: bytes, filename: str, fmt: str) -> Response:
    return Response(content, mimetype=FILE_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


# ------------------------------------------------------------------------------------- my listings

@bp.route("/mine")
@login_required
def mine():
    organisation = current_user.organisation
    listings = listings_of(organisation) if organisation is not None else []
    return render_template("listings/mine.html", organisation=organisation,
                           offers=[row for row in listings if row.kind == "offer"],
                           wants=[row for row in listings if row.kind == "want"],
                           can_create=can(current_user, "listing.create"))


@bp.route("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    organisation = current_user.organisation
    listings = listings_of(organisation) if organisation is not None else []
    return _download(export_listings(listings, fmt), f"listings-{dt.date.today():%Y%m%d}", fmt)


# ------------------------------------------------------------------------------------- forms

def _prepare(form: ListingForm, kind: str, sites: list[Site]) -> None:
    form.site.choices = options((str(s.id), f"{local_name(s)} ({s.external_ref})") for s in sites)
    # A listing imported in another unit (kWh/month, 万标方/年 read as Nm3/yr …) keeps it when edited.
    if form.unit.data and form.unit.data not in {choice.value for choice in form.unit.choices}:
        form.unit.choices = [*form.unit.choices, *options([(form.unit.data, form.unit.data)])]
    if kind == "want":
        form.material.label.text = _("Accepted materials (one per line, or separated by |)")
        form.price_cny.label.text = _("Maximum price (CNY per unit)")
        form.quality.label.text = _("Quality required (key=value; e.g. grade=II; loi_pct_max=8)")


def _listing_input(form: ListingForm, kind: str) -> ListingInput:
    lines = [line.strip() for line in (form.material.data or "").splitlines() if line.strip()]
    return ListingInput(
        kind=kind, material="|".join(lines), quantity=form.quantity.data or "", unit=form.unit.data,
        quality=form.quality.data, price_cny=form.price_cny.data, available_from=form.available_from.data,
        available_to=form.available_to.data, hazard_code=form.hazard_code.data, visibility=form.visibility.data,
        note=form.note.data, transport_modes=",".join(form.transport_modes.data or []))


def _chosen_site(form: ListingForm, sites: list[Site]) -> Site | None:
    return next((s for s in sites if str(s.id) == form.site.data), None)


def _form_errors(form: ListingForm, site: Site | None) -> list[FieldError]:
    """What the form knows before the service looks: a site of ours, and no publishing of an ended window."""
    errors = [] if site is not None else [FieldError("site", _("choose one of your organisation's sites"))]
    # publish_listing refuses this too, but only after the listing is stored; refuse before anything is.
    if form.publish.data and form.available_to.data and form.available_to.data < dt.date.today():
        errors.append(FieldError("available_to", _("the availability window has ended; change it before publishing")))
    return errors


@bp.route("/new/<any(offer, want):kind>", methods=["GET", "POST"])
@login_required
def new(kind: str):
    require(current_user, "listing.create")
    sites = sites_of(current_user.organisation) if current_user.organisation is not None else []
    form = ListingForm()
    _prepare(form, kind, sites)
    if form.validate_on_submit():
        site = _chosen_site(form, sites)
        errors = _form_errors(form, site)
        duplicates = []
        try:
            if errors:
                check_listing(_listing_input(form, kind))  # to report the other fields at the same time
            elif not (duplicates := _unconfirmed_duplicates(form, site, _listing_input(form, kind))):
                listing = create_listing(site, _listing_input(form, kind), publish=bool(form.publish.data))
        except ListingInvalid as exc:
            errors += exc.errors
        if errors:
            apply_field_errors(form, errors)
        elif duplicates:
            return _render_form(form, kind, None, sites, duplicates)
        else:
            flash(_("Published.") if listing.status == "published" else _("Saved as a draft."), "success")
            return redirect(url_for("listings.detail", listing_id=listing.id))
    return _render_form(form, kind, None, sites)


def _unconfirmed_duplicates(form: ListingForm, site: Site, listing_input: ListingInput,
                            exclude_id: int | None = None) -> list[Listing]:
    """Likely duplicates to show before saving, unless the author ticked "save anyway" after seeing them."""
    return [] if form.save_anyway.data else likely_duplicates(site, listing_input, exclude_id=exclude_id)


def _render_form(form: ListingForm, kind: str, listing: Listing | None, sites: list[Site],
                 duplicates: list[Listing] = ()):
    # A warning of duplicates is no error: 200, with the tick box to save anyway.
    return render_template("listings/form.html", form=form, kind=kind, listing=listing, sites=sites,
                           duplicates=duplicates), (400 if form.errors or form.form_errors else 200)


def _form_data(listing: Listing) -> dict:
    row = listing_export_row(listing)
    written = [name.written for name in listing.names] or listing.material_codes
    return {"site": str(listing.site_id), "material": "\n".join(written), "quantity": row["quantity"],
            "unit": listing.unit, "quality": row["quality"], "price_cny": row["price_cny"],
            "available_from": listing.available_from, "available_to": listing.available_to,
            "hazard_code": listing.hazard_code or "", "visibility": listing.visibility,
            "transport_modes": [m for m in (listing.transport_modes or "").split(",") if m], "note": listing.note or ""}


@bp.route("/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.edit", listing)
    sites = sites_of(listing.site.organisation)
    form = ListingForm(data=_form_data(listing))
    _prepare(form, listing.kind, sites)
    form.save.label.text = _("Save")
    if form.validate_on_submit():
        site = _chosen_site(form, sites)
        errors = _form_errors(form, site)
        duplicates = []
        try:
            if errors:
                check_listing(_listing_input(form, listing.kind))
            elif not (duplicates := _unconfirmed_duplicates(form, site, _listing_input(form, listing.kind),
                                                            exclude_id=listing.id)):
                update_listing(listing, _listing_input(form, listing.kind), site=site)
                if form.publish.data:
                    publish_listing(listing)
        except ListingInvalid as exc:
            errors += exc.errors
        except FieldError as exc:
            errors.append(exc)
        if errors:
            apply_field_errors(form, errors)
        elif duplicates:
            return _render_form(form, listing.kind, listing, sites, duplicates)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("listings.detail", listing_id=listing.id))
    return _render_form(form, listing.kind, listing, sites)


@bp.route("/materials.json")
@login_required
def material_choices_json():
    """Materials for what is typed in the material field (autocomplete)."""
    return jsonify(choices_json(material_choices(request.args.get("q", "")[:100])))


@bp.route("/quality-fields.json")
@login_required
def quality_fields_json():
    """The quality fields and grades of the material a name means (the first of a want's list)."""
    kind = "want" if request.args.get("kind") == "want" else "offer"
    named = quality_form_for_name(request.args.get("material", "")[:300], kind=kind)
    return jsonify(quality_json(named.form, kind=kind, stated=named.stated,
                                name=material_name(named.material) if named.material else ""))


# ------------------------------------------------------------------------------------- detail and life cycle

def _render_detail(listing: Listing, *, enquiry_form: EnquiryForm | None = None, error: str | None = None,
                   status: int = 200):
    revealed = is_revealed(current_user, listing)
    lon, lat = shown_location(listing, revealed=revealed)
    organisation = current_user.organisation
    threads = [e for e in listing.enquiries if can(current_user, "enquiry.view", e)]
    may_enquire = can(current_user, "listing.enquire", listing) and may_start(listing, organisation)
    return render_template(
        "listings/detail.html", listing=listing, revealed=revealed, lon=lon, lat=lat,
        site_geojson=site_geojson(listing, revealed=revealed), can_edit=can(current_user, "listing.edit", listing),
        threads=threads, my_thread=thread_of(listing, organisation), may_enquire=may_enquire,
        enquiry_form=enquiry_form or EnquiryForm(), error=error), status


@bp.route("/<int:listing_id>")
@login_required
def detail(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.view", listing)
    return _render_detail(listing)


@bp.route("/<int:listing_id>/publish", methods=["POST"])
@login_required
def publish(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.edit", listing)
    try:
        publish_listing(listing)
    except FieldError as exc:
        return _render_detail(listing, error=field_error_text(exc), status=400)
    flash(_("Published."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


@bp.route("/<int:listing_id>/confirm-kind", methods=["POST"])
@login_required
def confirm_kind(listing_id: int):
    """The owner says which kind a possibly hazardous name means."""
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.edit", listing)
    try:
        confirm_kind_of(listing, request.form.get("position", type=int, default=-1), request.form.get("material", ""))
    except FieldError as exc:
        return _render_detail(listing, error=field_error_text(exc), status=400)
    flash(_("Saved."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


@bp.route("/<int:listing_id>/close", methods=["POST"])
@login_required
def close(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.edit", listing)
    close_listing(listing)
    flash(_("Closed."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


# ------------------------------------------------------------------------------------- enquiries

@bp.route("/<int:listing_id>/enquire", methods=["GET", "POST"])
@login_required
def enquire(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    require(current_user, "listing.enquire", listing)
    form = EnquiryForm()
    if form.validate_on_submit():
        try:
            enquiry = start_enquiry(listing, user=current_user, body=form.body.data)
        except EnquiryRefused:
            abort(403)
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Your message was sent."), "success")
            return redirect(url_for("listings.enquiry", enquiry_id=enquiry.id))
    existing = thread_of(listing, current_user.organisation)
    if existing is not None and not form.errors:
        return redirect(url_for("listings.enquiry", enquiry_id=existing.id))
    revealed = is_revealed(current_user, listing)
    return render_template("listings/enquire.html", listing=listing, form=form, revealed=revealed), \
        (400 if form.errors else 200)


@bp.route("/enquiries/<int:enquiry_id>", methods=["GET", "POST"])
@login_required
def enquiry(enquiry_id: int):
    thread = db.get_or_404(Enquiry, enquiry_id)
    require(current_user, "enquiry.view", thread)
    form = EnquiryForm()
    if form.validate_on_submit():
        require(current_user, "enquiry.reply", thread)
        try:
            reply_to_enquiry(thread, user=current_user, body=form.body.data)
        except EnquiryRefused:
            abort(403)
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Your message was sent."), "success")
            return redirect(url_for("listings.enquiry", enquiry_id=thread.id))
    mark_thread_read(thread, current_user.organisation)  # before rendering, so the nav badge counts it seen
    return render_template("listings/enquiry.html", thread=thread, form=form,
                           side=side_of(thread, current_user.organisation),
                           revealed=is_revealed(current_user, thread.listing)), (400 if form.errors else 200)


@bp.route("/enquiries")
@login_required
def enquiries():
    organisation = current_user.organisation
    threads = enquiries_of(organisation) if organisation is not None else []
    rows = [{"thread": t, "side": side_of(t, organisation), "awaiting": awaits_reply_from(t, organisation),
             "revealed": is_revealed(current_user, t.listing)} for t in threads]
    return render_template("listings/enquiries.html", rows=rows, unread=unread_thread_ids(organisation))


# ------------------------------------------------------------------------------------- bulk import

@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_listings():
    require(current_user, "listing.create")
    form = ImportForm()
    problems = warnings = None
    if form.validate_on_submit():
        upload = form.file.data
        # An administrator imports for any organisation (the file's `org` column says whose sites).
        acting = None if can(current_user, "listing.import_any") else current_user.organisation
        try:
            tables = read_import_file(upload.read(), filename=upload.filename)
            result = import_tables(tables, acting_organisation=acting, publish=bool(form.publish.data))
        except ImportRejected as exc:
            problems = exc.problems
        except FieldError as exc:
            apply_field_errors(form, [FieldError("file", exc.message)])
        else:
            if result.sites is not None:
                flash(_("Sites: %(created)d created, %(updated)d updated, %(unchanged)d unchanged; "
                        "%(orgs)d organisations created.", created=result.sites.sites_created,
                        updated=result.sites.sites_updated, unchanged=result.sites.sites_unchanged,
                        orgs=result.sites.organisations_created), "success")
            if result.listings is not None:
                flash(_("Listings: %(created)d created, %(unchanged)d already there and left unchanged.",
                        created=result.listings.created, unchanged=result.listings.unchanged), "success")
            if not result.warnings:
                return redirect(url_for("listings.mine"))
            # Stored, with rows to confirm (a sector read as a guess…): the report lists them.
            warnings = result.warnings
    failed = bool(form.errors or problems)
    acting = None if can(current_user, "listing.import_any") else current_user.organisation
    refs = [site.external_ref for site in sites_of(acting)] if acting is not None else []
    return render_template("listings/import.html", form=form, problems=problems, warnings=warnings, acting=acting,
                           guide=column_guide(site_refs=refs or [EXAMPLE_SITE_REF], with_sites=not refs,
                                              chinese=str(get_locale()) != "en")), \
        (400 if failed else 200)


@bp.route("/import/template.<any(csv, xlsx):fmt>")
@login_required
def template(fmt: str):
    """The template for the user's own sites (an administrator's: the example company's), in the page's language."""
    organisation = None if can(current_user, "listing.import_any") else current_user.organisation
    refs = [site.external_ref for site in sites_of(organisation)] if organisation is not None else []
    return _download(import_template(fmt, site_refs=refs, organisation_name=organisation.name_zh if organisation else None,
                                     language=str(get_locale())), "listings-template", fmt)
