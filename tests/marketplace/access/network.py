"""Access cases of the symbiosis network: maps, exports, indicators, report, API.

Maps and exports: admins and the park's managers see the whole network, plants and recyclers only
their own links (so they get the page), a manager of another park gets 403. Indicators and reports
need the whole network: the park's managers and admins only (the province's: any park manager, for
the parks it manages).
"""
from . import LOGIN, expect

VIEW_MANAGED = expect(LOGIN, 200, 200, 200, 200)
VIEW_OTHER = expect(LOGIN, 200, 200, 403, 200)
FULL_MANAGED = expect(LOGIN, 403, 403, 200, 200)
FULL_OTHER = expect(LOGIN, 403, 403, 403, 200)
FULL_PROVINCE = expect(LOGIN, 403, 403, 200, 200)


def _api(outcomes):
    return {role: 401 if outcome == LOGIN else outcome for role, outcome in outcomes.items()}


CASES = [
    ("network.park_map", "GET", "/parks/{managed_park}/map", VIEW_MANAGED),
    ("network.park_map", "GET", "/parks/{other_park}/map", VIEW_OTHER),
    ("network.park_map", "GET", "/parks/999999/map", expect(LOGIN, 404, 404, 404, 404)),
    ("network.province_map", "GET", "/network/map", VIEW_MANAGED),
    ("network.park_export", "GET", "/parks/{managed_park}/links.csv", VIEW_MANAGED),
    ("network.park_export", "GET", "/parks/{other_park}/links.xlsx", VIEW_OTHER),
    ("network.province_export", "GET", "/network/links.csv", VIEW_MANAGED),
    ("network.province_export", "GET", "/network/links.pdf", expect(LOGIN, 404, 404, 404, 404)),
    ("network.park_indicators_page", "GET", "/parks/{managed_park}/indicators", FULL_MANAGED),
    ("network.park_indicators_page", "GET", "/parks/{other_park}/indicators", FULL_OTHER),
    ("network.province_indicators", "GET", "/network/indicators", FULL_PROVINCE),
    ("network.park_report", "GET", "/parks/{managed_park}/report", FULL_MANAGED),
    ("network.park_report", "GET", "/parks/{other_park}/report", FULL_OTHER),
    ("network.province_report", "GET", "/network/report", FULL_PROVINCE),
    ("network.park_report_pdf", "GET", "/parks/{managed_park}/report.pdf", FULL_MANAGED),
    ("network.park_report_pdf", "GET", "/parks/{other_park}/report.pdf", FULL_OTHER),
    ("network.province_report_pdf", "GET", "/network/report.pdf", FULL_PROVINCE),
    ("network.park_layers", "GET", "/parks/{managed_park}/network.zip", VIEW_MANAGED),
    ("network.park_layers", "GET", "/parks/{other_park}/network.zip", VIEW_OTHER),
    ("network.province_layers", "GET", "/network/network.zip", VIEW_MANAGED),
    # The maps' base layer: public administrative boundaries, for anyone signed in.
    ("network.boundaries", "GET", "/network/boundaries/prefecture.geojson", expect(LOGIN, 200, 200, 200, 200)),
    ("network.boundaries", "GET", "/network/boundaries/township.geojson", expect(LOGIN, 404, 404, 404, 404)),
    ("api_network.ParkNetwork", "GET", "/api/v1/parks/{managed_park}/network", _api(VIEW_MANAGED)),
    ("api_network.ParkNetwork", "GET", "/api/v1/parks/{other_park}/network", _api(VIEW_OTHER)),
    ("api_network.ParkNetwork", "GET", "/api/v1/parks/999999/network", expect(401, 404, 404, 404, 404)),
    ("api_network.ProvinceNetwork", "GET", "/api/v1/network", _api(VIEW_MANAGED)),
    ("api_network.ParkIndicators", "GET", "/api/v1/parks/{managed_park}/indicators", _api(FULL_MANAGED)),
    ("api_network.ParkIndicators", "GET", "/api/v1/parks/{other_park}/indicators", _api(FULL_OTHER)),
    ("api_network.ProvinceIndicators", "GET", "/api/v1/network/indicators", _api(FULL_PROVINCE)),
    # "If this site closed": anyone who sees the site on a network (over the links they may see).
    ("api_network.SiteClosure", "GET", "/api/v1/sites/{plant_site}/closure", expect(401, 200, 200, 200, 200)),
    ("api_network.SiteClosure", "GET", "/api/v1/sites/{recycler_site}/closure", expect(401, 200, 200, 200, 200)),
    ("api_network.SiteClosure", "GET", "/api/v1/sites/999999/closure", expect(401, 404, 404, 404, 404)),
]
