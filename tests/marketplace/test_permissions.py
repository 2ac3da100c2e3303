"""Every route, for every role: allowed, 403, 401 (API) or a redirect to sign-in.

The matrix must name every endpoint the app has: a new route without an entry here fails
``test_matrix_covers_every_route``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

ROLES = ("anonymous", "plant", "recycler", "park_manager", "admin")
LOGIN = "login"  # a redirect to the sign-in page


@dataclass
class World:
    users: dict
    ids: dict


@pytest.fixture
def world(make_org, make_park, make_site, make_user):
    managed_park = make_park(code="MANAGED", centre=(117.2, 31.8))
    other_park = make_park(code="OTHER", centre=(117.5, 31.8))
    plant_org, recycler_org = make_org(), make_org()
    plant_site = make_site(organisation=plant_org, park=managed_park, lonlat=(117.2, 31.8))
    recycler_site = make_site(organisation=recycler_org, lonlat=(117.9, 31.5))
    make_site(organisation=recycler_org, park=other_park, lonlat=(117.5, 31.8))
    users = {
        "plant": make_user("plant", organisation=plant_org),
        "recycler": make_user("recycler", organisation=recycler_org),
        "park_manager": make_user("park_manager", organisation=make_org(), parks=[managed_park]),
        "admin": make_user("admin", organisation=make_org()),
    }
    ids = {"plant_site": plant_site.id, "recycler_site": recycler_site.id, "managed_park": managed_park.id,
           "other_park": other_park.id, "org": plant_org.id, "user": users["plant"].id}
    return World(users, ids)


def expect(anonymous, plant, recycler, park_manager, admin):
    return dict(zip(ROLES, (anonymous, plant, recycler, park_manager, admin)))


# (endpoint, method, url template, expected outcome by role)
MATRIX = [
    ("main.home", "GET", "/", expect(200, 200, 200, 200, 200)),
    ("main.set_language", "GET", "/lang/en", expect(302, 302, 302, 302, 302)),
    ("auth.login", "GET", "/auth/login", expect(200, 302, 302, 302, 302)),
    ("auth.logout", "POST", "/auth/logout", expect(LOGIN, 302, 302, 302, 302)),
    ("auth.signup", "GET", "/auth/signup", expect(200, 200, 200, 200, 200)),
    ("orgs.my_organisation", "GET", "/org", expect(LOGIN, 200, 200, 200, 200)),
    ("orgs.edit_organisation", "GET", "/org/edit", expect(LOGIN, 200, 200, 403, 200)),
    ("orgs.edit_organisation", "POST", "/org/edit", expect(LOGIN, 400, 400, 403, 400)),
    ("orgs.new_site", "GET", "/org/sites/new", expect(LOGIN, 200, 200, 403, 200)),
    ("orgs.new_site", "POST", "/org/sites/new", expect(LOGIN, 400, 400, 403, 400)),
    ("orgs.site_detail", "GET", "/sites/{plant_site}", expect(LOGIN, 200, 403, 200, 200)),
    ("orgs.site_detail", "GET", "/sites/{recycler_site}", expect(LOGIN, 403, 200, 403, 200)),
    ("orgs.edit_site", "GET", "/sites/{plant_site}/edit", expect(LOGIN, 200, 403, 403, 200)),
    ("orgs.edit_site", "POST", "/sites/{plant_site}/edit", expect(LOGIN, 400, 403, 403, 400)),
    ("orgs.edit_site", "GET", "/sites/{recycler_site}/edit", expect(LOGIN, 403, 200, 403, 200)),
    ("orgs.new_licence", "GET", "/org/licences/new", expect(LOGIN, 200, 200, 403, 200)),
    ("orgs.new_licence", "POST", "/org/licences/new", expect(LOGIN, 400, 400, 403, 400)),
    ("parks.index", "GET", "/parks/", expect(LOGIN, 200, 200, 200, 200)),
    ("parks.detail", "GET", "/parks/{managed_park}", expect(LOGIN, 200, 200, 200, 200)),
    ("parks.detail", "GET", "/parks/{other_park}", expect(LOGIN, 200, 200, 200, 200)),
    ("admin.index", "GET", "/admin/", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.verify_organisation", "POST", "/admin/orgs/{org}/verify", expect(LOGIN, 403, 403, 403, 302)),
    ("admin.users", "GET", "/admin/users", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.edit_user", "GET", "/admin/users/{user}", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.edit_user", "POST", "/admin/users/{user}", expect(LOGIN, 403, 403, 403, 400)),
    ("admin.toggle_user", "POST", "/admin/users/{user}/active", expect(LOGIN, 403, 403, 403, 302)),
    ("admin.import_parks", "GET", "/admin/parks/import", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.import_parks", "POST", "/admin/parks/import", expect(LOGIN, 403, 403, 403, 400)),
    ("api_me.Me", "GET", "/api/v1/me", expect(401, 200, 200, 200, 200)),
    ("api_parks.Parks", "GET", "/api/v1/parks", expect(401, 200, 200, 200, 200)),
    ("api_parks.ParkBoundary", "GET", "/api/v1/parks/{other_park}/boundary", expect(401, 200, 200, 200, 200)),
    ("api_sites.Sites", "GET", "/api/v1/sites", expect(401, 200, 200, 200, 200)),
    # Writes through the API need a bearer token, so a session alone is refused for everyone.
    ("api_sites.Sites", "POST", "/api/v1/sites", expect(401, 401, 401, 401, 401)),
    ("api_sites.SiteResource", "GET", "/api/v1/sites/{plant_site}", expect(401, 200, 403, 200, 200)),
    ("api_sites.SiteResource", "GET", "/api/v1/sites/{recycler_site}", expect(401, 403, 200, 403, 200)),
    ("api-docs.openapi_json", "GET", "/api/v1/openapi.json", expect(200, 200, 200, 200, 200)),
    ("vendor.asset", "GET", "/vendor/leaflet/leaflet.js", expect(200, 200, 200, 200, 200)),
    ("static", "GET", "/static/js/map.js", expect(200, 200, 200, 200, 200)),
]

CASES = [pytest.param(entry, role, id=f"{entry[1]} {entry[2]} as {role}") for entry in MATRIX for role in ROLES]


@pytest.mark.parametrize(("entry", "role"), CASES)
def test_access(client, auth, world, entry, role):
    endpoint, method, template, outcomes = entry
    if role != "anonymous":
        auth.login(world.users[role])
    url = template.format(**world.ids)
    # An invalid form: allowed users get 400 (or their redirect), and nothing is changed.
    response = client.open(url, method=method, data={"name_zh": ""} if method == "POST" else None)
    response.close()
    expected = outcomes[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.data[:300]
        assert "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == expected, response.data[:300]
        if expected == 302:
            assert "/auth/login" not in response.headers["Location"]


def test_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = {entry[0] for entry in MATRIX}
    missing = endpoints - covered
    assert not missing, f"routes without a permission entry: {sorted(missing)}"
