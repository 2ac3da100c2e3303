"""'If this site closed': what a closure strands per unit family, the links lost, who could take them, who sees what."""
from __future__ import annotations

import pytest

from marketplace.services.closure import ClosureRefused, site_closure

from .test_indicators import energy  # noqa: F401  (fixture)
from .test_network import make_link, net  # noqa: F401  (fixtures)


def _by_link(closure):
    return {lost.link_id: lost for lost in closure.links}


def test_closing_a_supplier_strands_its_receivers_supply(app, net):
    closure = site_closure(net["users"]["manager"], net["plant"])
    assert (closure.downstream_agreed, closure.downstream_proposed) == ({"t": 3000.0}, {"t": 2000.0})
    assert (closure.upstream_agreed, closure.upstream_proposed) == ({}, {})
    assert (closure.receivers, closure.suppliers) == (2, 0)
    lost = _by_link(closure)
    # Declined links are history: not lost by a closure.
    assert set(lost) == {net["links"]["inside"].id, net["links"]["outside"].id}
    inside = lost[net["links"]["inside"].id]
    assert (inside.direction, inside.status, inside.quantity, inside.unit) == ("downstream", "agreed", 3000.0, "t")
    assert (inside.partner.name, inside.partner.revealed) == (net["works"].name_zh, True)
    # The receiver outside the manager's park posted an anonymous want: it stays anonymous.
    outside = lost[net["links"]["outside"].id].partner
    assert (outside.revealed, outside.name, outside.organisation, outside.sector) == (False, None, None, "3011")
    assert closure.site.name == net["plant"].name_zh


def test_closing_a_receiver_strands_its_suppliers_outlet(app, net):
    closure = site_closure(net["users"]["manager"], net["works"])
    assert (closure.upstream_agreed, closure.upstream_proposed) == ({"t": 3000.0}, {})
    assert (closure.downstream_agreed, closure.receivers, closure.suppliers) == ({}, 0, 1)
    (lost,) = closure.links
    assert (lost.direction, lost.partner.id) == ("upstream", net["plant"].id)


def test_alternatives_are_the_nearest_posted_listings_within_the_route_radius(app, db, net, make_org, make_site,
                                                                              make_listing):
    near = make_site(organisation=make_org(), lonlat=(117.3, 31.85), sector_code="4411")
    nearer_hidden = make_site(organisation=make_org(), lonlat=(117.25, 31.83), sector_code="4411")
    far = make_site(organisation=make_org(), lonlat=(121.47, 31.23), sector_code="4411")  # Shanghai, ~ 410 km
    named = make_listing(site=near, material="coal-fly-ash", quantity=50_000, visibility="named")
    hidden = make_listing(site=nearer_hidden, material="coal-fly-ash", quantity=8_000, visibility="anonymous")
    by_barge = make_listing(site=far, material="coal-fly-ash", quantity=90_000, visibility="named")
    make_listing(site=near, material="fgd-gypsum", quantity=9_000, visibility="named")  # another material
    make_listing(site=near, material="coal-fly-ash", quantity=7_000, status="draft")  # not posted
    closure = site_closure(net["users"]["manager"], net["plant"])
    inside = _by_link(closure)[net["links"]["inside"].id]
    assert closure.alternatives_method == "nearest-posted-listing"
    assert [a.listing_id for a in inside.alternatives] == [hidden.id, named.id]
    first, second = inside.alternatives
    assert (first.kind, first.available, first.unit, first.site.revealed, first.site.name) == (
        "offer", 8000.0, "t", False, None)
    # To a hidden site, the distance is measured from its coarse grid point and given in 5 km steps.
    assert first.distance_rounded and first.distance_km % 5 == 0 and first.distance_km >= 5
    assert (second.site.name, second.distance_rounded) == (near.name_zh, False)
    assert 0 < second.distance_km < 20
    assert inside.radius_km == 300.0  # fly ash by road (the engine assumes no rail or barge without access)
    # Both ends on a quay: the barge's radius reaches Shanghai, as it would in a match run.
    net["works"].transport_access = ["quay"]
    far.transport_access = ["quay", "rail"]
    db.session.commit()
    inside = _by_link(site_closure(net["users"]["manager"], net["plant"]))[net["links"]["inside"].id]
    assert [a.listing_id for a in inside.alternatives] == [hidden.id, named.id, by_barge.id]


def test_alternative_outlets_are_wants_of_the_material_or_a_broader_kind(app, net, make_org, make_site,
                                                                         make_listing):
    receiver = make_site(organisation=make_org(), lonlat=(117.3, 31.9), sector_code="3021")
    broad = make_listing(site=receiver, kind="want", material="coal-fly-ash", quantity=20_000, visibility="named")
    closure = site_closure(net["users"]["manager"], net["works"])
    (lost,) = closure.links
    found = {a.listing_id: a for a in lost.alternatives}
    assert broad.id in found and found[broad.id].kind == "want"
    # The anonymous want of the works' competitor outside the park is an outlet too, but nameless.
    outside_want = next(a for a in lost.alternatives if a.site.id == net["outside"].id)
    assert (outside_want.site.name, outside_want.distance_rounded) == (None, True)


def test_a_closure_keeps_every_unit_family_apart(app, net, energy):  # noqa: F811
    closure = site_closure(net["users"]["manager"], energy["steel"])
    assert closure.downstream_agreed == {"Nm3": 540_000_000.0}
    closure = site_closure(net["users"]["manager"], energy["chp"])
    assert closure.downstream_agreed == {"t": 12_857.0}
    assert site_closure(net["users"]["manager"], energy["gas_power"]).upstream_agreed == {"Nm3": 370_000_000.0}


def test_a_plant_sees_only_what_its_own_links_would_lose(app, net):
    closure = site_closure(net["users"]["hidden"], net["plant"])
    # The fly-ash works' agreed link is not the recycler's business: it does not appear.
    assert (closure.downstream_agreed, closure.downstream_proposed) == ({}, {"t": 2000.0})
    assert [lost.link_id for lost in closure.links] == [net["links"]["outside"].id]


def test_a_site_off_the_viewers_networks_is_refused(app, net, make_site, make_org):
    with pytest.raises(ClosureRefused):
        site_closure(net["users"]["stranger"], net["plant"])
    with pytest.raises(ClosureRefused):
        site_closure(net["users"]["power"], make_site(organisation=make_org()))


def test_closure_api_answers_with_its_schema(client, auth, net):
    auth.login(net["users"]["manager"])
    response = client.get(f"/api/v1/sites/{net['plant'].id}/closure")
    assert response.status_code == 200
    data = response.get_json()
    assert (data["downstream_agreed"], data["links_lost"], data["receivers"]) == ({"t": 3000.0}, 2, 2)
    outside = next(link for link in data["links"] if link["link_id"] == net["links"]["outside"].id)
    assert outside["partner"] == {"id": net["outside"].id, "revealed": False, "sector": "3011", "park": None,
                                  "name": None, "name_en": None, "organisation": None}
    assert outside["material_name"] == "粉煤灰"
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/sites/{site_id}/closure"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = spec["components"]["schemas"][schema]["properties"]
    assert set(data) == set(properties)
    assert {"403", "404"} <= set(operation["responses"])


@pytest.mark.parametrize(("who", "site", "status"), [
    ("stranger", "plant", 403), ("manager", "missing", 404), ("manager", "huge", 404), (None, "plant", 401)])
def test_closure_api_refusals(client, auth, net, who, site, status):
    if who:
        auth.login(net["users"][who])
    site_id = {"plant": net["plant"].id, "missing": 999_999, "huge": 2**63}[site]
    response = client.get(f"/api/v1/sites/{site_id}/closure")
    assert response.status_code == status and response.is_json
