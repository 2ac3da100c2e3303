"""Sludges and biosolids: names plants write resolve to the right sludge, hazardous sludges carry their
codes and need a permit, and the routes reach kilns, brickworks, land, incinerators and licensed treaters
(materials-sludges.yaml, routes-sludges.yaml)."""

from __future__ import annotations

import pytest

from matching.knowledge import resolve_material
from matching.acceptance import acceptance_for
from tests.matching.knowledge_checks import accepted, takes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("市政污泥", "sewage-sludge"),
        ("sewage sludge", "sewage-sludge"),
        ("消化污泥", "treated-sewage-sludge"),
        ("干化污泥", "treated-sewage-sludge"),
        ("digested sludge", "treated-sewage-sludge"),
        ("class A biosolids", "treated-sewage-sludge"),
        ("给水厂污泥", "water-treatment-sludge"),
        ("自来水厂污泥", "water-treatment-sludge"),
        ("alum sludge", "water-treatment-sludge"),
        ("石灰污泥", "lime-sludge"),
        ("lime sludge", "lime-sludge"),
        ("造纸污泥", "paper-mill-sludge"),
        ("含油污泥", "oily-sludge"),
        ("油泥", "oily-sludge"),
        ("tank bottom sludge", "oily-sludge"),
        ("900-210-08", "oily-sludge"),
        ("制革污泥", "tannery-sludge"),
        ("193-001-21", "tannery-sludge"),
        ("含铜污泥", "copper-sludge"),
        ("PCB sludge", "copper-sludge"),
        ("HW22", "copper-sludge"),
        ("含铜蚀刻液", "copper-sludge"),
        ("copper-bearing etching solution", "copper-sludge"),
    ],
)
def test_sludge_names_resolve(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("sewage-sludge", "3011"),  # cement co-processing
        ("sewage-sludge", "3031"),  # brickworks
        ("sewage-sludge", "4417"),  # waste-to-energy co-incineration
        ("sewage-sludge", "4411"),  # coal plant co-firing
        ("treated-sewage-sludge", "0111"),  # farmland (class A)
        ("treated-sewage-sludge", "7840"),  # landscaping
        ("treated-sewage-sludge", "0810"),  # mined-land reclamation
        ("industrial-sludge", "3011"),
        ("industrial-sludge", "3031"),
        ("industrial-sludge", "4412"),
        ("water-treatment-sludge", "3031"),
        ("water-treatment-sludge", "3011"),
        ("lime-sludge", "4411"),  # FGD sorbent
        ("oily-sludge", "7724"),
        ("oily-sludge", "3011"),
        ("copper-sludge", "3211"),
    ],
)
def test_sludge_routes_reach_their_users(kb, material, sector):
    assert takes(kb, material, sector)


@pytest.mark.parametrize(
    ("code", "category", "hw_code"),
    [("oily-sludge", "HW08", "900-210-08"), ("tannery-sludge", "HW21", "193-001-21"),
     ("copper-sludge", "HW22", "397-051-22")],
)
def test_hazardous_sludges_carry_codes_and_need_a_permit(kb, code, category, hw_code):
    material = kb.materials[code]
    assert material.hazardous and material.category == category and hw_code in material.hw_codes
    routes = kb.routes_for(code)
    assert routes and all(route.receiver_licence == "hw_permit" for route in routes)
    # a want for sludge of any kind never takes a hazardous sludge without naming it
    assert code not in accepted(kb, "sludge-any-kind")


def test_only_class_a_biosolids_go_to_farmland(kb):
    route = next(route for route in kb.routes if route.id == "biosolids-farmland")
    classes = [limit for limit in route.quality_limits if limit.key == "pollutant_class"]
    assert classes and classes[0].allows("A") and not classes[0].allows("B")
    assert not takes(kb, "sewage-sludge", "0111")  # raw sludge never goes to farmland


def test_a_want_for_sludge_takes_the_new_general_sludges(kb):
    assert {"water-treatment-sludge", "lime-sludge", "treated-sewage-sludge", "paper-mill-sludge"} \
        <= accepted(kb, "sludge-any-kind")


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("fgd-gypsum", "4891"),  # landscaping contractor reclaiming saline land
        ("crop-straw", "4891"),
        ("coal-fly-ash", "4891"),
        ("ammonia-soda-residue", "4891"),  # soda residue made into engineering soil
        ("treated-sewage-sludge", "4891"),
    ],
)
def test_land_improvement_reaches_landscaping_contractors(kb, material, sector):
    assert takes(kb, material, sector)


def test_land_improvement_does_not_make_unrelated_streams_substitutes(kb):
    # one route per material, each replacing its own input: fly ash is no stand-in for gypsum at a
    # plasterboard plant, nor soda residue for fly ash at a cement works
    substitutes = acceptance_for(kb).substitutes
    assert "coal-fly-ash" not in substitutes("fgd-gypsum", ("3024",))
    assert "ammonia-soda-residue" not in substitutes("coal-fly-ash", ("3011",))
