"""Paper, board and textile scraps: names plants write resolve to the right material, and the routes reach
paper and board mills, moulded-pulp, insulation, nonwoven and recycled-fibre makers and kilns
(materials-fibres.yaml, routes-fibres.yaml)."""

from __future__ import annotations

import pytest

from matching.knowledge import resolve_material
from tests.matching.knowledge_checks import takes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("废纸", "waste-paper"),
        ("废纸箱", "waste-paper"),
        ("OCC", "waste-paper"),
        ("废报纸", "waste-paper"),
        ("old newspapers", "waste-paper"),
        ("waste cardboard", "waste-cardboard"),
        ("Cardboard", "waste-cardboard"),
        ("corrugated cardboard", "waste-cardboard"),
        ("纸皮", "waste-cardboard"),
        ("废瓦楞纸", "waste-cardboard"),
        ("纸边", "paper-trimmings"),
        ("paper trimmings", "paper-trimmings"),
        ("Paper trimming", "paper-trimmings"),
        ("印刷边角料", "paper-trimmings"),
        ("损纸", "paper-trimmings"),
        ("造纸污泥", "paper-mill-sludge"),
        ("deinking sludge", "paper-mill-sludge"),
        ("paper mill sludge", "paper-mill-sludge"),
        ("废纸渣", "paper-printing-waste"),
        ("造纸塑料渣", "paper-printing-waste"),
        ("布料边角料", "fabric-offcuts"),
        ("碎布", "fabric-offcuts"),
        ("服装边角料", "fabric-offcuts"),
        ("fabric offcuts", "fabric-offcuts"),
        ("garment cuttings", "fabric-offcuts"),
        ("落棉", "cotton-waste"),
        ("回丝", "cotton-waste"),
        ("cotton waste", "cotton-waste"),
        ("comber noils", "cotton-waste"),
        ("棉纱下脚料", "cotton-waste"),
        ("废丝", "fibre-waste"),
        ("涤纶废丝", "fibre-waste"),
        ("fiber waste", "fibre-waste"),
        ("polyester waste", "fibre-waste"),
        ("纺织废料", "textile-leather-waste"),
        ("旧衣服", "textile-leather-waste"),
        ("羊毛下脚料", "textile-leather-waste"),
        ("铬屑", "chrome-leather-shavings"),
        ("wet-blue shavings", "chrome-leather-shavings"),
        ("193-002-21", "chrome-leather-shavings"),
    ],
)
def test_paper_and_textile_names_resolve(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("waste-cardboard", "2221"),  # board mill
        ("paper-trimmings", "2221"),
        ("paper-trimmings", "2223"),
        ("waste-paper", "2239"),  # moulded pulp
        ("waste-paper", "3034"),  # cellulose insulation
        ("paper-mill-sludge", "3031"),  # brickworks
        ("paper-mill-sludge", "3011"),  # cement kiln, inherited from industrial sludge
        ("paper-mill-sludge", "4412"),
        ("paper-printing-waste", "4417"),  # waste-to-energy
        ("paper-printing-waste", "3011"),
        ("fabric-offcuts", "1781"),  # nonwovens
        ("fabric-offcuts", "3034"),  # insulation felt
        ("fabric-offcuts", "1711"),  # rotor spinning
        ("fabric-offcuts", "3011"),  # kiln fuel, inherited
        ("cotton-waste", "1711"),
        ("cotton-waste", "2811"),  # cotton pulp from linters
        ("fibre-waste", "2822"),  # recycled polyester
        ("fibre-waste", "1789"),
    ],
)
def test_paper_and_textile_routes_reach_their_users(kb, material, sector):
    assert takes(kb, material, sector)


def test_cardboard_is_the_occ_grade_of_waste_paper(kb):
    assert kb.ancestors("waste-cardboard")[0] == "waste-paper"
    assert kb.implied_quality("waste-cardboard") == {"grade": "OCC"}
    assert "waste-paper-paper-mill" in {route.id for route in kb.routes_for("waste-cardboard")}


def test_only_cotton_goes_to_cotton_spinning(kb):
    route = next(route for route in kb.routes if route.id == "cotton-waste-rotor-spinning")
    limit = next(limit for limit in route.quality_limits if limit.key == "fibre_type")
    assert limit.allows("cotton") and not limit.allows("polyester")
    assert not takes(kb, "fibre-waste", "1711")


def test_chrome_shavings_are_hazardous_and_go_only_to_permit_holders(kb):
    shavings = kb.materials["chrome-leather-shavings"]
    assert shavings.hazardous and shavings.category == "HW21"
    routes = kb.routes_for("chrome-leather-shavings")
    assert routes and all(route.receiver_licence == "hw_permit" for route in routes)
