"""Nearby-supply search."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..errors import field_error_text, translated
from ..search.present import listing_url, shown_hit, shown_point
from ..services.search import (
    DEFAULT_LIMIT, DEFAULT_RADIUS_KM, MAX_LIMIT, MAX_OFFSET, MAX_RADIUS_KM, ROAD_DETOUR_FACTOR, SORTS, SearchInput,
    SearchInvalid, build_query, search_offers,
)
from .auth import api_login_required, api_require
from .schemas import QuerySchema

blp = Blueprint("api_search", __name__, url_prefix="/api/v1/offers", description="Nearby-supply search")


class SearchArgsSchema(QuerySchema):
    material = fields.Str(load_default=None, metadata={
        "description": "code or name (zh/en) of a material; several separated by '|'; child materials are included"})
    want = fields.Int(load_default=None, metadata={"description": "id of one of your wants: the materials it accepts"})
    site = fields.Int(load_default=None, metadata={"description": "id of one of your sites: the search point"})
    lon = fields.Float(load_default=None, metadata={"description": "search point, WGS-84 (instead of a site)"})
    lat = fields.Float(load_default=None)
    radius_km = fields.Float(load_default=DEFAULT_RADIUS_KM,
                             validate=validate.Range(min=0, max=MAX_RADIUS_KM, min_inclusive=False))
    min_quantity = fields.Float(load_default=None, metadata={
        "description": "minimum quantity still available per year, in the material's base unit"})
    quality = fields.Str(load_default=None, metadata={"description": "e.g. 'grade=II;loi_pct_max=5'"})
    max_price = fields.Float(load_default=None, metadata={"description": "CNY per base unit"})
    sort = fields.Str(load_default="distance", validate=validate.OneOf(SORTS))
    limit = fields.Int(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET), metadata={
        "description": "hits to skip, for the next page (offset = previous offset + limit)"})


class HitSchema(Schema):
    listing_id = fields.Int()
    url = fields.Str()
    material = fields.Str(metadata={"description": "material code of the offer"})
    supplier = fields.Str(allow_none=True, metadata={"description": "null for an anonymous offer"})
    lon = fields.Float(metadata={"description": "site location; on the 0.05° grid for an anonymous offer you may not see through; its distances are from that point, whole km in 5 km steps"})
    lat = fields.Float()
    available_quantity = fields.Float(metadata={"description": "per year, in base_unit"})
    base_unit = fields.Str()
    price_cny = fields.Float(allow_none=True, metadata={"description": "per base unit"})
    quality = fields.Dict()
    distance_km = fields.Float(metadata={"description": "great circle"})
    road_distance_km = fields.Float(metadata={"description": f"great circle x {ROAD_DETOUR_FACTOR}"})
    transport_cost_cny = fields.Float(allow_none=True, metadata={"description": "per base unit, by road"})
    delivered_cost_cny = fields.Float(allow_none=True, metadata={"description": "price + transport"})
    co2_t = fields.Float(allow_none=True, metadata={"description": "t CO2 of transport per base unit"})
    score = fields.Float(metadata={"description": "0..1, higher is better"})
    available_from = fields.Date(allow_none=True, metadata={"description": "first day of the offer's window"})
    upcoming = fields.Bool(metadata={"description": "the window opens after today: supply to plan for"})


class SearchResultSchema(Schema):
    material_codes = fields.List(fields.Str())
    lon = fields.Float()
    lat = fields.Float()
    radius_km = fields.Float()
    sort = fields.Str()
    count = fields.Int()
    hits = fields.List(fields.Nested(HitSchema))


def _hit(hit, query) -> dict:
    hit, revealed = shown_hit(current_user, hit, query)
    listing = hit.listing
    lon, lat = shown_point(listing, revealed=revealed)
    return {"listing_id": listing.id, "url": listing_url(listing.id), "material": hit.material_code,
            "supplier": listing.organisation.name_zh if revealed else None, "lon": lon, "lat": lat,
            "available_quantity": listing.available_quantity, "base_unit": listing.base_unit,
            "price_cny": listing.price_cny, "quality": listing.quality or {}, "distance_km": hit.distance_km,
            "road_distance_km": hit.road_distance_km, "transport_cost_cny": hit.transport_cost_cny,
            "delivered_cost_cny": hit.delivered_cost_cny, "co2_t": hit.co2_t, "score": hit.score,
            "available_from": listing.available_from, "upcoming": hit.upcoming}


@blp.route("/search")
class OfferSearch(MethodView):
    decorators = [api_login_required]

    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args):
        """Offers near a point or one of your sites, sorted by distance, delivered cost or score."""
        api_require("search.use")
        try:
            query = build_query(SearchInput(
                material=args["material"], want_id=args["want"], site_id=args["site"], lon=args["lon"],
                lat=args["lat"], radius_km=args["radius_km"], min_quantity=args["min_quantity"],
                quality=args["quality"], max_price=args["max_price"], sort=args["sort"], limit=args["limit"],
                offset=args["offset"]),
                user=current_user)
        except SearchInvalid as exc:
            abort(422, message="; ".join(field_error_text(e) for e in exc.errors),
                  errors={"query": {e.field: [translated(e.message)] for e in exc.errors}})
        hits = search_offers(query)
        return {"material_codes": list(query.material_codes), "lon": query.lon, "lat": query.lat,
                "radius_km": query.radius_km, "sort": query.sort, "count": len(hits),
                "hits": [_hit(hit, query) for hit in hits]}
