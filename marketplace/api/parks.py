"""Parks."""
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..models import Park
from ..services.parks import all_parks
from ..sitemap import park_features
from .auth import api_login_required, api_require
from .documents import BoundarySchema
from .schemas import ParkSchema

blp = Blueprint("api_parks", __name__, url_prefix="/api/v1/parks", description="Industrial parks")


@blp.route("")
class Parks(MethodView):
    decorators = [api_login_required]

    @blp.response(200, ParkSchema(many=True))
    def get(self):
        api_require("park.view")
        return all_parks()


@blp.route("/<int:park_id>/boundary")
class ParkBoundary(MethodView):
    decorators = [api_login_required]

    @blp.response(200, BoundarySchema, description="The park's boundary as a GeoJSON FeatureCollection")
    def get(self, park_id: int):
        park = db.get_or_404(Park, park_id)
        api_require("park.view", park)
        return park_features([park])
