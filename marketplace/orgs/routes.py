"""My organisation, its sites and licences."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..config import service_area
from ..extensions import db
from ..forms_util import apply_field_errors, options
from ..labels import local_name
from ..models import Site
from ..permissions import can, is_admin, require
from ..services.errors import FieldError
from ..services.orgs import LicenceInput, OrganisationInput, add_licence, update_organisation
from ..services.parks import all_parks
from ..services.sites import (
    SiteInput, SiteInvalid, confirm_sectors, correct_sectors, create_site, sites_of, sites_to_confirm, update_site,
)
from ..sitemap import site_features
from . import bp
from .forms import LicenceForm, OrganisationForm, SectorForm, SiteForm


def _my_organisation():
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation


@bp.route("/org")
@login_required
def my_organisation():
    organisation = _my_organisation()
    require(current_user, "org.view", organisation)
    sites = sites_of(organisation)
    return render_template("orgs/organisation.html", organisation=organisation, sites=sites,
                           site_geojson=site_features(sites), can_edit=can(current_user, "org.edit", organisation))


@bp.route("/org/edit", methods=["GET", "POST"])
@login_required
def edit_organisation():
    organisation = _my_organisation()
    require(current_user, "org.edit", organisation)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            update_organisation(organisation, OrganisationInput(form.name_zh.data, form.name_en.data,
                                                                form.credit_code.data))
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("orgs.my_organisation"))
    return render_template("orgs/organisation_form.html", form=form), (400 if form.errors else 200)


def _park_choices():
    return options([("", _("Find the park from the location"))] + [(p.code, local_name(p)) for p in all_parks()])


def _site_input(form: SiteForm) -> SiteInput:
    return SiteInput(external_ref=form.external_ref.data, name_zh=form.name_zh.data, name_en=form.name_en.data,
                     sector=form.sector.data, lon=form.lon.data, lat=form.lat.data, crs=form.crs.data,
                     city=form.city.data, park=form.park.data or None,
                     transport_access=form.transport_access.data or [])


def _written_sector(site: Site) -> str:
    """What the edit form shows: the user's own words while they are a guess, else the codes."""
    if site.sector_to_confirm and site.sector_written:
        return site.sector_written
    return "|".join(site.sector_codes) or (site.sector_written or "")


@bp.route("/org/sites/new", methods=["GET", "POST"])
@login_required
def new_site():
    organisation = _my_organisation()
    require(current_user, "site.create")
    form = SiteForm()
    form.park.choices = _park_choices()
    if form.validate_on_submit():
        try:
            site = create_site(organisation, _site_input(form), service_area=service_area(current_app.config))
        except SiteInvalid as exc:
            apply_field_errors(form, exc.errors)
        else:
            flash(_("Site added."), "success")
            return redirect(url_for("orgs.site_detail", site_id=site.id))
    return render_template("orgs/site_form.html", form=form, site=None), (400 if form.errors else 200)


@bp.route("/sites/<int:site_id>")
@login_required
def site_detail(site_id: int):
    site = db.get_or_404(Site, site_id)
    require(current_user, "site.view", site)
    can_edit = can(current_user, "site.edit", site)
    sector_form = SectorForm(data={"sector": "|".join(site.sector_codes)}) if can_edit else None
    return render_template("orgs/site.html", site=site, site_geojson=site_features([site]),
                           can_edit=can_edit, sector_form=sector_form)


@bp.route("/sites/to-confirm")
@login_required
def sectors_to_confirm():
    """Sites whose sectors were read as a guess: one's own organisation's, or every one for an administrator."""
    if is_admin(current_user):
        sites = sites_to_confirm(None)
    elif current_user.organisation is not None:
        require(current_user, "org.view", current_user.organisation)
        sites = sites_to_confirm(current_user.organisation)
    else:
        sites = []
    return render_template("orgs/sectors_to_confirm.html", sites=sites, everyone=is_admin(current_user))


@bp.route("/sites/<int:site_id>/sectors", methods=["POST"])
@login_required
def site_sectors(site_id: int):
    """Confirm the sectors read for a site as shown, or correct them (the owner or an administrator)."""
    site = db.get_or_404(Site, site_id)
    require(current_user, "site.edit", site)
    form = SectorForm()
    if form.validate_on_submit():
        try:
            written = (form.sector.data or "").strip()
            if written and written != "|".join(site.sector_codes):
                reading = correct_sectors(site, written)
                if reading.to_confirm:
                    flash(_("Read as shown below; check it and confirm."), "warning")
                else:
                    flash(_("Sectors saved."), "success")
            else:
                confirm_sectors(site)
                flash(_("Sectors confirmed."), "success")
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            return redirect(url_for("orgs.site_detail", site_id=site.id))
    return render_template("orgs/site.html", site=site, site_geojson=site_features([site]), can_edit=True,
                           sector_form=form), 400


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit_site(site_id: int):
    site = db.get_or_404(Site, site_id)
    require(current_user, "site.edit", site)
    form = SiteForm(data={"external_ref": site.external_ref, "name_zh": site.name_zh, "name_en": site.name_en,
                          "sector": _written_sector(site), "crs": "WGS84", "lon": f"{site.lon:.6f}",
                          "lat": f"{site.lat:.6f}", "city": site.city_code,
                          "park": site.park.code if site.park else "",
                          "transport_access": list(site.transport_access or [])})
    form.park.choices = _park_choices()
    if form.validate_on_submit():
        try:
            update_site(site, _site_input(form), service_area=service_area(current_app.config))
        except SiteInvalid as exc:
            apply_field_errors(form, exc.errors)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("orgs.site_detail", site_id=site.id))
    return render_template("orgs/site_form.html", form=form, site=site), (400 if form.errors else 200)


@bp.route("/org/licences/new", methods=["GET", "POST"])
@login_required
def new_licence():
    organisation = _my_organisation()
    require(current_user, "org.edit", organisation)
    form = LicenceForm()
    sites = sites_of(organisation)
    form.site.choices = options([("", _("All our sites"))] + [(str(s.id), local_name(s)) for s in sites])
    if form.validate_on_submit():
        site = next((s for s in sites if str(s.id) == form.site.data), None)
        try:
            add_licence(organisation, LicenceInput(
                kind=form.kind.data, site=site, number=form.number.data or None, hw_codes=form.hw_codes.data,
                capacity_t_per_yr=float(form.capacity_t_per_yr.data) if form.capacity_t_per_yr.data is not None
                else None, expires_on=form.expires_on.data, battery_scope=form.battery_scope.data or None))
        except FieldError as exc:
            apply_field_errors(form, [exc])
        else:
            flash(_("Licence added."), "success")
            return redirect(url_for("orgs.my_organisation"))
    return render_template("orgs/licence_form.html", form=form), (400 if form.errors else 200)
