"""On the demo, after a normal and a latent run, no link hands a material to a want for an unrelated one, no latent
receiver comes from a catch-all route, no link emits more CO2 than its route saves, and couplings fit the sites."""
import json

import pytest
from sqlalchemy import select

from marketplace.models import Site
from matching.couplings import industry_of
from matching.knowledge.loader import load_knowledge

KB = load_knowledge()
ROUTES = {route.id: route for route in KB.routes}


@pytest.fixture
def demo_runs(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    runs = {}
    for mode, args in (("normal", []), ("latent", ["--latent"])):
        result = runner.invoke(args=["match", "run", *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        runs[mode] = json.loads(result.output)["links"]
    return runs


def sectors_of(db, external_ref: str) -> tuple[str, ...]:
    site = db.session.scalar(select(Site).where(Site.external_ref == external_ref))
    return (site.sector_code, *site.extra_sector_codes)


def kinds(code: str) -> set[str]:
    return {code, *KB.descendants(code)}


def named_via(route, material: str) -> str:
    """The member of the material's lineage the route names (the material itself, or the ancestor it inherits from)."""
    return next(code for code in KB.route_lineage(material) if code in route.materials)


def takes(route, sectors) -> bool:
    return any(sector.startswith(user) for sector in sectors for user in route.user_sectors)


def related(offered: str, wanted: str, route, receiver_sectors) -> bool:
    """Whether a want for ``wanted`` may take ``offered`` by ``route`` at a receiver of these sectors."""
    if offered in kinds(wanted):
        return True                                   # the material named, or a kind of it
    if set(route.serves) & kinds(wanted):
        return True                                   # it serves the product the want names
    via = named_via(route, offered)
    if via in {wanted, *KB.ancestors(wanted)}:
        return False                                  # siblings under a shared category are no substitutes
    # a substitute: the route serves a product the wanted material serves at this receiver
    return any(set(route.serves) & set(other.serves)
               for other in KB.routes_for(wanted) if takes(other, receiver_sectors))


def test_no_link_hands_a_material_to_a_want_for_an_unrelated_one(db, demo_runs):
    checked = 0
    for mode, links in demo_runs.items():
        for link in links:
            if "want" not in link or link["route"] is None:
                continue
            offered, route = link["offer"]["material_code"], ROUTES[link["route"]]
            sectors = sectors_of(db, link["want"]["site_id"])
            assert any(related(offered, wanted, route, sectors) for wanted in link["want"]["material_codes"]), (
                mode, offered, link["want"]["material_codes"], route.id, sectors)
            checked += 1
    assert checked > 100


def test_latent_receivers_come_only_from_routes_about_the_material(db, demo_runs):
    latent = [link for link in demo_runs["latent"] if link["latent"]]
    assert latent
    for link in latent:
        offered, route = link["offer"]["material_code"], ROUTES[link["route"]]
        via = named_via(route, offered)
        assert via in KB.route_lineage(offered)[:2], (offered, route.id)  # the material or its parent
        if via != offered:  # the parent's route: a category of one family, and a use, not only waste handlers
            assert len({KB.materials[kind].family for kind in KB.descendants(via)}) == 1, (offered, route.id)
            assert not all(industry_of(user) == "waste handling" for user in route.user_sectors), (offered, route.id)


def test_no_link_emits_more_co2_than_its_route_says_the_use_saves(demo_runs):
    for links in demo_runs.values():
        for link in links:
            if link["route"] is not None and ROUTES[link["route"]].co2_avoided_t_per_unit > 0:
                assert link["co2_avoided_t"] >= -1e-6, link


def test_steel_chemical_links_end_at_chemical_plants(db, demo_runs):
    for links in demo_runs.values():
        for link in links:
            side = link.get("want") or link.get("receiver")
            receiver = {industry_of(code) for code in sectors_of(db, side["site_id"])}
            supplier = industry_of(sectors_of(db, link["offer"]["site_id"])[0])
            if link["coupling"] == "steel-chemical":
                assert supplier == "steel" and "chemical" in receiver, link
            if link["coupling"] in ("steel-power energy cascade", "steel internal recycling"):
                assert supplier == "steel", link
