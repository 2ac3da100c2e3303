"""Every route, for every role: allowed, 403, 401 (API) or a redirect to sign-in.

The matrix must name every endpoint the app has: a new route without an entry here fails
``test_matrix_covers_every_route``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import Factories, module_world

from .access import ALL, LOGIN, ROLES


@dataclass
class World:
    emails: dict  # role -> the email a user of that role signs in with
    ids: dict


def build_world(db) -> World:
    """Two parks, a plant and a recycler with sites, listings, an enquiry, a saved search and two runs."""
    make = Factories(db)
    managed_park = make.park(code="MANAGED", centre=(117.2, 31.8))
    other_park = make.park(code="OTHER", centre=(117.5, 31.8))
    plant_org, recycler_org = make.org(), make.org()
    plant_site = make.site(organisation=plant_org, park=managed_park, lonlat=(117.2, 31.8))
    recycler_site = make.site(organisation=recycler_org, lonlat=(117.9, 31.5))
    recycler_park_site = make.site(organisation=recycler_org, park=other_park, lonlat=(117.5, 31.8))
    users = {
        "plant": make.user("plant", organisation=plant_org),
        "recycler": make.user("recycler", organisation=recycler_org),
        "park_manager": make.user("park_manager", organisation=make.org(), parks=[managed_park]),
        "admin": make.user("admin", organisation=make.org()),
    }
    plant_offer = make.listing(site=plant_site, kind="offer", material="coal-fly-ash", visibility="named")
    recycler_offer = make.listing(site=recycler_site, kind="offer", material="coal-fly-ash", visibility="anonymous")
    recycler_want = make.listing(site=recycler_site, kind="want", material="coal-fly-ash")
    # The recycler asks the plant about its offer: a thread between those two organisations only.
    from marketplace.models import Enquiry, EnquiryMessage

    enquiry = Enquiry(listing=plant_offer, organisation=recycler_org, messages=[
        EnquiryMessage(organisation_id=recycler_org.id, user_id=users["recycler"].id, body="Grade II?")])
    db.session.add(enquiry)
    # The recycler saved a search, and was told about the plant's offer.
    from marketplace.models import Notification, SavedSearch

    saved_search = SavedSearch(user_id=users["recycler"].id, name="fly ash", params={
        "lon": 117.9, "lat": 31.5, "radius_km": 100.0, "material_codes": ["coal-fly-ash"]})
    notification = Notification(user_id=users["recycler"].id, kind="saved_search_match", saved_search=saved_search,
                                listing_id=plant_offer.id, message="粉煤灰 / coal fly ash, 71.0 km")
    db.session.add_all([saved_search, notification])
    db.session.commit()
    # A run of the managed park proposes the plant's fly ash to the recycler's want; a province run proposes
    # the recycler's anonymous offer to its own site in the other park (a latent receiver).
    from marketplace.models import Link, MatchRun

    def proposal(run, offer, want, receiver_site):
        return Link(run=run, offer_id=offer.id, want_id=want.id if want else None, supplier_site_id=offer.site_id,
                    receiver_site_id=receiver_site.id, material_code="coal-fly-ash", route_id=None,
                    quantity=1000.0, unit="t", distance_km=72.0, transport_cost_cny=42000.0,
                    net_benefit_cny=150000.0, co2_avoided_t=700.0, score=150.0, latent=want is None,
                    explanation_zh="测试说明", explanation_en="test explanation", status="proposed")

    run = MatchRun(park=managed_park, parameters={"park": "MANAGED", "latent": False}, timings={}, counts={})
    province_run = MatchRun(parameters={"park": None, "latent": True}, latent=True, timings={}, counts={})
    link = proposal(run, plant_offer, recycler_want, recycler_site)
    recycler_link = proposal(province_run, recycler_offer, None, recycler_park_site)
    db.session.add_all([run, province_run, link, recycler_link])
    db.session.commit()
    ids = {"plant_site": plant_site.id, "recycler_site": recycler_site.id, "managed_park": managed_park.id,
           "other_park": other_park.id, "org": plant_org.id, "user": users["plant"].id,
           "plant_offer": plant_offer.id, "recycler_offer": recycler_offer.id, "recycler_want": recycler_want.id,
           "enquiry": enquiry.id, "saved_search": saved_search.id, "notification": notification.id,
           "run": run.id, "province_run": province_run.id, "link": link.id, "recycler_link": recycler_link.id}
    return World({role: user.email for role, user in users.items()}, ids)


# Built once per backend; each case runs in a transaction rolled back after it (cases write: they
# close a listing, verify an organisation, sign out), and is checked to leave every row as built.
world, app = module_world(build_world)


CASES = [pytest.param(entry, role, id=f"{entry[1]} {entry[2]} as {role}") for entry in ALL for role in ROLES]


@pytest.mark.parametrize(("entry", "role"), CASES)
def test_access(client, auth, world, entry, role):
    endpoint, method, template, outcomes = entry
    if role != "anonymous":
        assert auth.login(world.emails[role]).status_code == 302
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
    covered = {entry[0] for entry in ALL}
    missing = endpoints - covered
    assert not missing, f"routes without a permission entry: {sorted(missing)}"
