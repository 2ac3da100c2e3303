"""The symbiosis network (GeoJSON), its indicators, and what closing a site would strand."""
from dataclasses import asdict

from flask import jsonify, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from ..extensions import db
from ..models import Park, Site
from ..errors import translated
from ..services.errors import message_of
from ..services.closure import ALTERNATIVES_METHOD, ClosureRefused, material_names, site_closure
from ..services.indicators import park_indicators, reporting_years
from ..services.network_view import network_geojson
from .auth import api_login_required, api_require
from .documents import IndicatorsSchema, NetworkSchema

blp = Blueprint("api_network", __name__, url_prefix="/api/v1", description="Symbiosis network and indicators")


def _geojson_response(collection: dict, *, filename: str):
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/parks/<int:park_id>/network")
class ParkNetwork(MethodView):
    decorators = [api_login_required]

    @blp.response(200, NetworkSchema, content_type="application/geo+json",
                  description="Sites (points) and links (lines) of the park as a GeoJSON FeatureCollection; "
                              "?download=1 makes it a file")
    def get(self, park_id: int):
        """The park's symbiosis network: its sites and the links you may see, with hidden sides unnamed."""
        park = db.get_or_404(Park, park_id)
        api_require("network.view", park)
        return _geojson_response(network_geojson(current_user, park=park), filename=f"network-{park.code}.geojson")


@blp.route("/network")
class ProvinceNetwork(MethodView):
    decorators = [api_login_required]

    @blp.response(200, NetworkSchema, content_type="application/geo+json",
                  description="Sites and links across the province as a GeoJSON FeatureCollection")
    def get(self):
        """The province's symbiosis network (a park manager's: its parks'; a plant's: its own links)."""
        api_require("network.view", None)
        return _geojson_response(network_geojson(current_user, park=None), filename="network-anhui.geojson")


# ?year= of the indicator endpoints, as the indicator pages' year selector: checked here against the years with
# figures (a 400 naming the field, as the pages answer), so it is documented rather than parsed by webargs.
YEAR_PARAMETER = {"in": "query", "name": "year", "required": False, "schema": {"type": "integer"},
                  "description": "the reporting year (links agreed by its end), from the first year with figures "
                                 "to this year; omit for today's network, open proposals included"}


def _year(park: Park | None) -> int | None:
    """The reporting year asked for, or None for today; a year without figures is refused naming the field."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return None
    years = reporting_years(current_user, park=park)
    if not raw.isdigit() or int(raw) not in years:
        message = _("year: choose a year from %(first)s to %(last)s.", first=years[-1], last=years[0])
        abort(400, message=message, errors={"query": {"year": [message]}})
    return int(raw)


@blp.route("/parks/<int:park_id>/indicators")
class ParkIndicators(MethodView):
    decorators = [api_login_required]

    @blp.doc(parameters=[YEAR_PARAMETER])
    @blp.response(200, IndicatorsSchema, description="The park's bulk solid-waste indicators")
    @blp.alt_response(400, description="a year without figures (errors.query.year says which years have them)")
    def get(self, park_id: int):
        """The park's bulk solid-waste utilisation rate against the target, flows per unit family, keystones;
        today's or a reporting year's (``?year=``)."""
        park = db.get_or_404(Park, park_id)
        api_require("network.full", park)
        return jsonify(park_indicators(current_user, park=park, year=_year(park)).as_dict())


@blp.route("/network/indicators")
class ProvinceIndicators(MethodView):
    decorators = [api_login_required]

    @blp.doc(parameters=[YEAR_PARAMETER])
    @blp.response(200, IndicatorsSchema, description="The province's bulk solid-waste indicators (of the parks "
                                                     "a park manager manages)")
    @blp.alt_response(400, description="a year without figures (errors.query.year says which years have them)")
    def get(self):
        """The province's indicators, as for a park (a park manager: over the parks it manages); today's or a
        reporting year's (``?year=``)."""
        api_require("network.full", None)
        return jsonify(park_indicators(current_user, park=None, year=_year(None)).as_dict())


# Database integer ids stop at 2**31 - 1 (PostgreSQL integer); a larger one names no site.
MAX_ID = 2**31 - 1
QUANTITIES = {"description": "quantity a year per unit family (t, GJ, MWh, Nm3, m3); units are never added",
              "example": {"t": 12000.0, "Nm3": 370000000.0}}


class ClosureSiteSchema(Schema):
    id = fields.Int()
    revealed = fields.Bool(metadata={"description": "false: the viewer may not see who the site is"})
    sector = fields.Str(metadata={"description": "GB/T 4754 code"})
    park = fields.Str(allow_none=True, metadata={"description": "park code"})
    name = fields.Str(allow_none=True, metadata={"description": "null when not revealed"})
    name_en = fields.Str(allow_none=True)
    organisation = fields.Str(allow_none=True, metadata={"description": "null when not revealed"})


class ClosureAlternativeSchema(Schema):
    listing_id = fields.Int()
    kind = fields.Str(metadata={"description": "want (another outlet) or offer (another supply)"})
    site = fields.Nested(ClosureSiteSchema)
    material_code = fields.Str()
    available = fields.Float(metadata={"description": "still free a year, in unit"})
    unit = fields.Str()
    distance_km = fields.Float(metadata={"description": "great circle from the partner; rounded to 5 km when the "
                                                        "listing's site is hidden"})
    distance_rounded = fields.Bool()


class ClosureLinkSchema(Schema):
    link_id = fields.Int()
    direction = fields.Str(metadata={"description": "downstream: the site sends it (its receiver loses supply); "
                                                    "upstream: the site takes it (its supplier loses an outlet)"})
    status = fields.Str()
    partner = fields.Nested(ClosureSiteSchema)
    material_code = fields.Str()
    material_name = fields.Str()
    quantity = fields.Float()
    unit = fields.Str()
    radius_km = fields.Float(metadata={"description": "the route's transport radius the alternatives lie within"})
    alternatives = fields.List(fields.Nested(ClosureAlternativeSchema))


class ClosureSchema(Schema):
    site = fields.Nested(ClosureSiteSchema)
    downstream_agreed = fields.Dict(keys=fields.Str(), values=fields.Float(), metadata=QUANTITIES)
    downstream_proposed = fields.Dict(keys=fields.Str(), values=fields.Float(), metadata=QUANTITIES)
    upstream_agreed = fields.Dict(keys=fields.Str(), values=fields.Float(), metadata=QUANTITIES)
    upstream_proposed = fields.Dict(keys=fields.Str(), values=fields.Float(), metadata=QUANTITIES)
    receivers = fields.Int(metadata={"description": "sites that lose supply"})
    suppliers = fields.Int(metadata={"description": "sites that lose an outlet"})
    links_lost = fields.Int()
    links = fields.List(fields.Nested(ClosureLinkSchema))
    alternatives_method = fields.Str(metadata={"description": f"{ALTERNATIVES_METHOD}: posted listings of the "
                                                              "same material (or a kind it accepts) with quantity "
                                                              "free, nearest first, within the route radius"})


@blp.route("/sites/<int:site_id>/closure")
class SiteClosure(MethodView):
    decorators = [api_login_required]

    @blp.response(200, ClosureSchema, description="What closing the site would strand: quantities its receivers "
                                                  "(downstream) and suppliers (upstream) lose per unit family, the "
                                                  "links lost, and posted listings that could take each over; over "
                                                  "the links the caller may see")
    @blp.alt_response(403, description="the caller sees no network with this site")
    @blp.alt_response(404, description="no such site")
    def get(self, site_id: int):
        site = db.session.get(Site, site_id) if site_id <= MAX_ID else None
        if site is None:
            abort(404, message=_("No site %(id)s.", id=site_id))
        try:
            closure = site_closure(current_user, site)
        except ClosureRefused as exc:
            abort(403, message=translated(message_of(exc)))
        names = material_names({link.material_code for link in closure.links}, english=str(get_locale()) == "en")
        data = asdict(closure)
        data["links_lost"] = len(closure.links)
        for link in data["links"]:
            link["material_name"] = names.get(link["material_code"], link["material_code"])
        return data
