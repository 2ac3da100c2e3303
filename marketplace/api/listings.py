"""Offers and wants."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from geo.messages import Message, N_

from ..extensions import db
from ..listings.disclosure import is_revealed, shown_location
from ..listings.forms import TRANSPORT_MODE_LABELS
from ..models import LISTING_KINDS, Listing
from ..errors import field_error_text, translated
from ..services.errors import FieldError
from ..services.listing_check import ListingInput, ListingInvalid
from ..services.listings import close_listing, context_reason, create_listing, listings_of, publish_listing
from ..services.sites import sites_of
from ..services.vocabulary import confirm_kind
from .auth import api_login_required, api_require
from .schemas import QuerySchema, UtcDateTime

blp = Blueprint("api_listings", __name__, url_prefix="/api/v1/listings", description="Offers and wants")


def _revealed(listing: Listing) -> bool:
    return is_revealed(current_user, listing)


def _site(listing: Listing) -> dict | None:
    if not _revealed(listing):
        return None
    site = listing.site
    return {"id": site.id, "site_id": site.external_ref, "name": site.name_zh, "name_en": site.name_en,
            "park": site.park.code if site.park else None}


def _name(listing: Listing, name) -> dict:
    found = {"written": name.written, "reading": name.reading, "material_code": name.material_code,
             "name_code": name.name_code, "confidence": name.confidence}
    reason = context_reason(listing, name)
    if reason is not None:
        found.update(sector=reason.sector, note=translated(reason.note))
    return found


class ListingSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    status = fields.Str()
    material = fields.Str(metadata={"description": "the material as its author wrote it"})
    material_code = fields.Function(lambda listing: "|".join(listing.engine_codes), metadata={
        "description": "the codes it was read as, `|`-separated; `name:<key>` for a name not classified yet"})
    materials = fields.Function(lambda listing: [
        {"code": m.material_code, "name_zh": m.material.name_zh, "name_en": m.material.name_en,
         "hazardous": m.material.hazardous} for m in listing.materials])
    names = fields.Function(lambda listing: [_name(listing, n) for n in listing.names], metadata={
        "description": "each written name and how it was read: exact, qualifier, context (from the site's "
                       "sector; `note` says why), contained, generic, possibly_hazardous, unclassified or classified"})
    unclassified = fields.Function(lambda listing: bool(listing.unclassified_names),
                                   metadata={"description": "a name is not in the knowledge base yet"})
    possibly_hazardous = fields.Function(lambda listing: listing.possibly_hazardous, metadata={
        "description": "read as hazardous because a name may mean a hazardous waste, until the kind is confirmed"})
    quantity = fields.Float(metadata={"description": "as entered, in `unit`"})
    unit = fields.Str()
    annual_quantity = fields.Float(metadata={"description": "per year, in `base_unit`"})
    base_unit = fields.Str()
    committed_quantity = fields.Float(metadata={"description": "per year, promised to agreed links"})
    available_quantity = fields.Float(metadata={"description": "per year, annual minus committed"})
    quality = fields.Dict()
    price_cny = fields.Float(allow_none=True, metadata={"description": "per base unit; a want's maximum"})
    available_from = fields.Date(allow_none=True)
    available_to = fields.Date(allow_none=True)
    hazard_code = fields.Str(allow_none=True)
    visibility = fields.Str()
    transport_modes = fields.Function(lambda listing: [m for m in (listing.transport_modes or "").split(",") if m])
    note = fields.Str(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    name_hidden = fields.Function(lambda listing: not _revealed(listing),
                                  metadata={"description": "anonymous offer whose supplier has not answered you yet"})
    organisation = fields.Function(lambda listing: listing.site.organisation.name_zh if _revealed(listing) else None)
    site = fields.Function(_site)
    city = fields.Function(lambda listing: listing.site.city_code)
    sector = fields.Function(lambda listing: listing.site.sector_code)
    lon = fields.Function(lambda listing: shown_location(listing, revealed=_revealed(listing))[0],
                          metadata={"description": "WGS-84; about 5 km off while the name is hidden"})
    lat = fields.Function(lambda listing: shown_location(listing, revealed=_revealed(listing))[1])


def _material(value) -> None:
    if isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        return
    raise ValidationError("a material code or name, or (for a want) a list of them")


def _quality(value) -> None:
    if value is not None and not isinstance(value, (str, dict)):
        raise ValidationError("an object {key: value} or the text 'key=value;key=value'")


class ListingInSchema(Schema):
    site_id = fields.Str(required=True, metadata={"description": "your organisation's reference for the site"})
    kind = fields.Str(required=True, validate=validate.OneOf(LISTING_KINDS))
    material = fields.Raw(required=True, validate=_material,
                          metadata={"description": "code or zh/en name, as the plant writes it; a want may give a "
                                                   "list. A name not known yet is kept unclassified, not refused"})
    quantity = fields.Raw(required=True, metadata={"description": "number (or numeric text), in `unit`"})
    unit = fields.Str(load_default=None, metadata={"description": "t/yr (default), t/month, t/day, GJ/yr, MWh/yr, "
                                                                  "m3/yr, Nm3/yr, 万吨/年 …: any unit of the "
                                                                  "material's kind with a stated conversion"})
    quality = fields.Raw(load_default=None, allow_none=True, validate=_quality)
    price_cny = fields.Raw(load_default=None, allow_none=True)
    available_from = fields.Raw(load_default=None, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    available_to = fields.Raw(load_default=None, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    hazard_code = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "8-digit code (NNN-NNN-CC) or category (HW34); inferred from a hazardous material"})
    visibility = fields.Str(load_default=None, allow_none=True, metadata={"description": "named or anonymous"})
    transport_modes = fields.List(fields.Str(validate=validate.OneOf(list(TRANSPORT_MODE_LABELS))), load_default=list)
    note = fields.Str(load_default=None, allow_none=True)
    publish = fields.Bool(load_default=False)


class ListingQuerySchema(QuerySchema):
    kind = fields.Str(load_default=None, validate=validate.OneOf(LISTING_KINDS))


def _field_errors(errors: list[FieldError]) -> dict:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(field_error_text(error, with_field=False))
    return by_field


def _unprocessable(errors: list[FieldError]):
    abort(422, message="; ".join(field_error_text(e) for e in errors), errors={"json": _field_errors(errors)})


@blp.route("")
class Listings(MethodView):
    decorators = [api_login_required]

    @blp.arguments(ListingQuerySchema, location="query")
    @blp.response(200, ListingSchema(many=True))
    def get(self, query):
        """My organisation's offers and wants."""
        if current_user.organisation is None:
            return []
        return listings_of(current_user.organisation, kind=query["kind"])

    @blp.arguments(ListingInSchema)
    @blp.response(201, ListingSchema)
    def post(self, payload):
        """Add an offer or a want at one of my sites (a draft unless `publish` is true)."""
        api_require("listing.create")
        sites = sites_of(current_user.organisation) if current_user.organisation is not None else []
        site = next((s for s in sites if s.external_ref == payload["site_id"].strip()), None)
        if site is None:
            _unprocessable([FieldError("site_id", Message(N_("unknown site_id %(ref)r among your organisation's "
                                                             "sites"), ref=payload["site_id"]))])
        try:
            return create_listing(site, ListingInput(
                kind=payload["kind"], material=payload["material"], quantity=payload["quantity"], unit=payload["unit"],
                quality=payload["quality"], price_cny=payload["price_cny"], available_from=payload["available_from"],
                available_to=payload["available_to"], hazard_code=payload["hazard_code"],
                visibility=payload["visibility"], note=payload["note"],
                transport_modes=",".join(payload["transport_modes"])), publish=payload["publish"])
        except ListingInvalid as exc:
            _unprocessable(exc.errors)


def _listing(listing_id: int, action: str) -> Listing:
    listing = db.get_or_404(Listing, listing_id)
    api_require(action, listing)
    return listing


@blp.route("/<int:listing_id>")
class ListingResource(MethodView):
    decorators = [api_login_required]

    @blp.response(200, ListingSchema)
    def get(self, listing_id: int):
        """One listing; an anonymous offer hides its organisation until the supplier answers your enquiry."""
        return _listing(listing_id, "listing.view")


@blp.route("/<int:listing_id>/publish")
class ListingPublish(MethodView):
    decorators = [api_login_required]

    @blp.response(200, ListingSchema)
    def post(self, listing_id: int):
        """Publish a draft (or re-publish a closed or expired listing)."""
        listing = _listing(listing_id, "listing.edit")
        try:
            publish_listing(listing)
        except FieldError as exc:
            _unprocessable([exc])
        return listing


class ConfirmKindSchema(Schema):
    position = fields.Int(load_default=0, metadata={"description": "which written name (0 for an offer's)"})
    material = fields.Str(required=True, metadata={"description": "the kind it means: one of the codes the "
                                                                 "listing's `names` entry may mean"})


@blp.route("/<int:listing_id>/confirm-kind")
class ListingConfirmKind(MethodView):
    decorators = [api_login_required]

    @blp.arguments(ConfirmKindSchema)
    @blp.response(200, ListingSchema)
    def post(self, payload, listing_id: int):
        """Say which kind a possibly hazardous name means; the listing is then read as that material."""
        listing = _listing(listing_id, "listing.edit")
        try:
            confirm_kind(listing, payload["position"], payload["material"])
        except FieldError as exc:
            _unprocessable([exc])
        return listing


@blp.route("/<int:listing_id>/close")
class ListingClose(MethodView):
    decorators = [api_login_required]

    @blp.response(200, ListingSchema)
    def post(self, listing_id: int):
        """Close a listing: it no longer shows in searches nor takes enquiries."""
        listing = _listing(listing_id, "listing.edit")
        close_listing(listing)
        return listing
