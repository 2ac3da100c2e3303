"""The signed-in user."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from .auth import api_login_required
from .schemas import MeSchema

blp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="The signed-in user")


@blp.route("")
class Me(MethodView):
    decorators = [api_login_required]

    @blp.response(200, MeSchema)
    def get(self):
        return current_user
