"""The JSON API under /api/v1, documented at /api/v1/openapi.json."""
from flask_smorest import Api

from ..extensions import csrf


def register_api(api: Api) -> None:
    from .classification import blp as classification_blp
    from .listings import blp as listings_blp
    from .match_runs import blp as match_runs_blp
    from .materials import blp as materials_blp
    from .me import blp as me_blp
    from .network import blp as network_blp
    from .parks import blp as parks_blp
    from .search import blp as search_blp
    from .sites import blp as sites_blp

    for blp in (me_blp, parks_blp, sites_blp, materials_blp, listings_blp, search_blp, network_blp,
                classification_blp):
        # The API authenticates writes by bearer token, never by cookie, so CSRF tokens do not apply.
        csrf.exempt(blp)
        api.register_blueprint(blp)
    csrf.exempt(match_runs_blp)
    api.register_blueprint(match_runs_blp)
