"""Parks list with map, and a park's page."""
from collections import Counter

from flask import render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Park
from ..permissions import can, require
from ..services.parks import all_parks
from ..services import disclosure
from ..sitemap import park_features
from . import bp


@bp.route("/")
@login_required
def index():
    require(current_user, "park.view")
    parks = all_parks()
    managed_ids = {p.id for p in current_user.managed_parks}
    only_mine = request.args.get("mine") == "1" and bool(managed_ids)
    shown = [p for p in parks if p.id in managed_ids] if only_mine else parks
    return render_template("parks/index.html", parks=shown, only_mine=only_mine, managed_ids=managed_ids,
                           park_geojson=park_features(shown, managed_ids=managed_ids))


@bp.route("/<int:park_id>")
@login_required
def detail(park_id: int):
    park = db.get_or_404(Park, park_id)
    require(current_user, "park.view", park)
    detailed = can(current_user, "park.detail", park)
    sectors = Counter(site.sector_code for site in park.sites)
    return render_template("parks/detail.html", park=park, detailed=detailed, sectors=sorted(sectors.items()),
                           park_geojson=park_features([park], managed_ids={park.id} if detailed else set()),
                           site_geojson=_site_features(park))


def _site_features(park: Park) -> dict:
    """The park's sites as the viewer may see them: a site behind an anonymous listing on the grid, unnamed."""
    revealed = disclosure.revealed_sites(current_user, park.sites)
    features = []
    for site in park.sites:
        view = disclosure.site_view(site, revealed=site.id in revealed)
        feature = disclosure.site_geojson(view, id=site.id, park=view.park)
        if view.revealed:
            feature["properties"]["ref"] = view.external_ref
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}
