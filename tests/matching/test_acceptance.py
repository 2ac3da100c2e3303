"""What a want accepts, what a route declares a substitute, which routes find latent receivers: the rule holds
whatever a catch-all route's data says."""

import dataclasses
import datetime as dt

import pytest

from matching.acceptance import Acceptance
from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()
RECYCLABLES = ("scrap-steel", "waste-plastics", "waste-paper", "waste-glass", "waste-tyres", "waste-wood")


def edited(route_id: str, **changes):
    """The shipped knowledge base with one route changed."""
    routes = tuple(dataclasses.replace(r, **changes) if r.id == route_id else r for r in KB.routes)
    return dataclasses.replace(KB, routes=routes)


def test_a_want_takes_what_it_names_its_kinds_and_what_serves_a_product_it_names():
    rules = Acceptance(KB)
    assert {"fgd-gypsum", "phosphogypsum"} <= rules.accepted("byproduct-gypsum")
    assert "coal-fly-ash" not in rules.accepted("coal-fly-ash-class-f")  # a kind does not take its parent
    assert {"gbfs", "coal-fly-ash"} <= rules.accepted("cement-admixture")
    for material in RECYCLABLES:
        for other in RECYCLABLES:
            if other != material:
                assert other not in rules.accepted(material)
        # fuels may stand in for each other by their own routes (tyres and waste wood as kiln or boiler fuel),
        # never by the category's sorting route
        assert all("recyclables-sorting" not in ids for ids in rules.substitutes(material).values())


def test_a_catch_all_route_that_serves_a_product_makes_no_kind_serve_it():
    kb = edited("recyclables-sorting", serves=("fuel",))
    rules = Acceptance(kb)
    assert "recyclable-waste" in rules.accepted("fuel")  # a lot naming only the category
    assert not {"scrap-steel", "waste-plastics", "waste-paper", "waste-glass"} & rules.accepted("fuel")
    assert "scrap-steel" not in rules.substitutes("waste-plastics", ("4220",))
    sites = [Site("SCRAP", 117.0, 31.0, "3360"), Site("BOILER", 117.1, 31.0, "4430")]
    result = run_matching([Offer("O1", "SCRAP", "scrap-steel", 100.0, price_cny=5.0)],
                          [Want("W1", "BOILER", ("fuel",), 100.0)], sites, kb.routes,
                          options=MatchOptions(today=dt.date(2026, 3, 1)), knowledge=kb)
    assert not result.links


@pytest.mark.parametrize("route_id, change, material, finds", [
    # a mixed category's route finds no latent receiver of its kinds, even where its users are makers, not handlers
    ("recyclables-sorting", {"user_sectors": ("3120", "2221", "4220")}, "waste-paper", False),
    ("recyclables-sorting", {"user_sectors": ("3120", "2221", "4220")}, "recyclable-waste", True),
    # a category of one family whose route goes only to waste handlers: a handler's sector says nothing of the kind
    ("spent-catalyst-metal-recovery", {"user_sectors": ("7724",)}, "spent-scr-catalyst", False),
    ("spent-catalyst-metal-recovery", {"user_sectors": ("7724",)}, "spent-catalyst", True),
    # as shipped: a parent's route of a real use reaches its kinds
    ("spent-catalyst-metal-recovery", {}, "spent-scr-catalyst", True),
    ("fly-ash-cement-admixture", {}, "coal-fly-ash-class-f", True),
    # a grandparent's route never does
    ("waste-paper-paper-mill", {}, "waste-cardboard", True),
    ("recyclables-sorting", {}, "waste-cardboard", False),
])
def test_latent_receivers_only_by_routes_naming_the_material_or_its_parent_never_a_catch_all(
        route_id, change, material, finds):
    kb = edited(route_id, **change)
    route = next(r for r in kb.routes if r.id == route_id)
    assert Acceptance(kb).finds_latent(route, material) is finds


def test_a_substitute_is_declared_by_a_route_serving_the_same_product_at_the_receiver():
    rules = Acceptance(KB)
    assert "fgd-gypsum-cement-retarder" in rules.substitutes("phosphogypsum", ("3011",))["fgd-gypsum"]
    assert "fgd-gypsum" not in rules.substitutes("phosphogypsum", ("2612",))  # no use of phosphogypsum there
    # siblings under one category are not each other's substitutes by the category's own route
    assert "byproduct-gypsum-cement-retarder" not in rules.substitutes("phosphogypsum", ("3011",))["fgd-gypsum"]
