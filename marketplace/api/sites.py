"""Sites of the caller's organisation."""
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ..config import service_area
from ..extensions import db
from ..models import Site
from ..errors import field_error_text, translated
from ..services.errors import FieldError
from ..services.sites import SiteInput, SiteInvalid, confirm_sectors, correct_sectors, create_site, sites_of
from ..services.transport_access import read_transport_access
from .auth import api_login_required, api_require
from .schemas import SiteInSchema, SiteSchema, SiteSectorsInSchema

blp = Blueprint("api_sites", __name__, url_prefix="/api/v1/sites", description="Sites")


@blp.route("")
class Sites(MethodView):
    decorators = [api_login_required]

    @blp.response(200, SiteSchema(many=True))
    def get(self):
        if current_user.organisation is None:
            return []
        api_require("org.view", current_user.organisation)
        return sites_of(current_user.organisation)

    @blp.arguments(SiteInSchema)
    @blp.response(201, SiteSchema)
    def post(self, payload):
        api_require("site.create")
        # An import keeps a site whose access words name no way of shipping (and warns); an API call, which has
        # no warnings to give, is refused instead, so the caller learns the value was not read.
        try:
            unread = read_transport_access(payload["transport_access"]).warning()
        except FieldError as exc:
            unread = exc
        if unread is not None:
            abort(422, message=field_error_text(unread), errors={"json": {unread.field: [translated(unread.message)]}})
        try:
            return create_site(current_user.organisation, SiteInput(
                external_ref=payload["site_id"], name_zh=payload["name"], name_en=payload["name_en"],
                sector=payload["sector"], lon=payload["lon"], lat=payload["lat"], crs=payload["crs"],
                city=payload["city"], park=payload["park"], transport_access=payload["transport_access"]),
                service_area=service_area(current_app.config))
        except SiteInvalid as exc:
            abort(422, message="; ".join(field_error_text(e) for e in exc.errors),
                  errors={"json": {e.field: [translated(e.message)] for e in exc.errors}})


@blp.route("/<int:site_id>")
class SiteResource(MethodView):
    decorators = [api_login_required]

    @blp.response(200, SiteSchema)
    def get(self, site_id: int):
        site = db.get_or_404(Site, site_id)
        api_require("site.view", site)
        return site


@blp.route("/<int:site_id>/sectors")
class SiteSectors(MethodView):
    decorators = [api_login_required]

    @blp.arguments(SiteSectorsInSchema)
    @blp.response(200, SiteSchema)
    def post(self, payload, site_id: int):
        """Confirm the site's sectors as read (no ``sector``), or correct them (``sector``: codes or names)."""
        site = db.get_or_404(Site, site_id)
        api_require("site.edit", site)
        try:
            if payload["sector"] is None:
                confirm_sectors(site)
            else:
                correct_sectors(site, payload["sector"])
        except FieldError as exc:
            abort(422, message=field_error_text(exc), errors={"json": {exc.field: [exc.message]}})
        return site
