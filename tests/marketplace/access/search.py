"""Access cases of search: nearby supply, saved searches, notifications, API.

In the world, the recycler has saved a search and has a notification about plant_offer. A search point
must be a site the user may view (its own, or one in a park it manages) and a want one of its own:
anything else is a field error (400 on the page, 422 in the API), not a search from someone else's site.
"""
from . import LOGIN, expect

FLY_ASH_NEAR = "material=coal-fly-ash&radius_km=100&lon=117.5&lat=31.6"

CASES = [
    ("search.offers", "GET", "/search/offers", expect(LOGIN, 200, 200, 200, 200)),
    ("search.offers", "GET", f"/search/offers?{FLY_ASH_NEAR}", expect(LOGIN, 200, 200, 200, 200)),
    ("search.offers", "GET", "/search/offers?material=coal-fly-ash&site={plant_site}",
     expect(LOGIN, 200, 400, 200, 200)),
    ("search.offers", "GET", "/search/offers?want={recycler_want}", expect(LOGIN, 400, 200, 400, 200)),
    # The invalid form has no search point.
    ("search.save", "POST", "/search/saved", expect(LOGIN, 400, 400, 400, 400)),
    ("search.saved", "GET", "/search/saved", expect(LOGIN, 200, 200, 200, 200)),
    ("search.delete_saved", "POST", "/search/saved/{saved_search}/delete", expect(LOGIN, 403, 302, 403, 302)),
    ("search.notifications", "GET", "/search/notifications", expect(LOGIN, 200, 200, 200, 200)),
    ("search.mark_notification_read", "POST", "/search/notifications/{notification}/read",
     expect(LOGIN, 403, 302, 403, 302)),
    ("search.open_notification", "POST", "/search/notifications/{notification}/open",
     expect(LOGIN, 403, 302, 403, 302)),
    ("search.mark_notifications_read", "POST", "/search/notifications/read", expect(LOGIN, 302, 302, 302, 302)),
    ("api_search.OfferSearch", "GET", "/api/v1/offers/search", expect(401, 422, 422, 422, 422)),
    ("api_search.OfferSearch", "GET", f"/api/v1/offers/search?{FLY_ASH_NEAR}", expect(401, 200, 200, 200, 200)),
    ("api_search.OfferSearch", "GET", "/api/v1/offers/search?site={recycler_site}",
     expect(401, 422, 200, 422, 200)),
]
