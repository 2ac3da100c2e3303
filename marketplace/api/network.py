"""The symbiosis network (GeoJSON) and its indicators, per park and for the province."""
from flask import jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..extensions import db
from ..models import Park
from ..services.indicators import park_indicators
from ..services.network_view import network_geojson
from .auth import api_login_required, api_require

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

    @blp.response(200, description="Sites (points) and links (lines) of the park as a GeoJSON FeatureCollection; "
                                   "?download=1 makes it a file")
    def get(self, park_id: int):
        park = db.get_or_404(Park, park_id)
        api_require("network.view", park)
        return _geojson_response(network_geojson(current_user, park=park), filename=f"network-{park.code}.geojson")


@blp.route("/network")
class ProvinceNetwork(MethodView):
    decorators = [api_login_required]

    @blp.response(200, description="Sites and links across the province as a GeoJSON FeatureCollection")
    def get(self):
        api_require("network.view", None)
        return _geojson_response(network_geojson(current_user, park=None), filename="network-anhui.geojson")


@blp.route("/parks/<int:park_id>/indicators")
class ParkIndicators(MethodView):
    decorators = [api_login_required]

    @blp.response(200, description="The park's bulk solid-waste indicators")
    def get(self, park_id: int):
        park = db.get_or_404(Park, park_id)
        api_require("network.full", park)
        return jsonify(park_indicators(current_user, park=park).as_dict())


@blp.route("/network/indicators")
class ProvinceIndicators(MethodView):
    decorators = [api_login_required]

    @blp.response(200, description="The province's bulk solid-waste indicators")
    def get(self):
        api_require("network.full", None)
        return jsonify(park_indicators(current_user, park=None).as_dict())
