"""Remaining solid wastes: coal slime, pyrite concentrate, mine waste rock, ceramic waste and municipal
solid waste resolve under the names plants write and reach their users (materials-solidwaste.yaml,
routes-solidwaste.yaml); every ledger category still has one head material."""

from __future__ import annotations

import pytest

from matching.knowledge import resolve_material
from tests.matching.knowledge_checks import accepted, takes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("煤泥", "coal-slime"),
        ("压滤煤泥", "coal-slime"),
        ("coal slime", "coal-slime"),
        ("coal slurry", "coal-slime"),
        ("硫精砂", "pyrite-concentrate"),
        ("硫精矿", "pyrite-concentrate"),
        ("pyrite concentrate", "pyrite-concentrate"),
        ("sulfur concentrate", "pyrite-concentrate"),
        ("废石", "waste-rock"),
        ("overburden", "waste-rock"),
        ("陶瓷废料", "ceramic-waste"),
        ("废瓷砖", "ceramic-waste"),
        ("生活垃圾", "msw"),
        ("城市生活垃圾", "msw"),
        ("MSW", "msw"),
        ("household waste", "msw"),
        ("水泥窑灰", "cement-kiln-dust"),
        ("cement kiln dust", "cement-kiln-dust"),
        ("废喷砂", "spent-abrasive"),
        ("abrasive blasting grit", "spent-abrasive"),
        ("废乳化液", "waste-emulsion"),
        ("废切削液", "waste-emulsion"),
        ("900-006-09", "waste-emulsion"),
        ("steel plate offcuts", "scrap-steel"),
        ("tinplate cans", "scrap-steel"),
        ("铝合金边角料", "scrap-aluminium"),
        ("废缠绕膜", "waste-plastics"),
        ("聚丙烯薄膜边角料", "waste-plastics"),
        ("worn-out tyres", "waste-tyres"),
        ("spent cell liner", "spent-pot-lining"),
        ("废石膏模具", "byproduct-gypsum-other"),
        ("硫铁矿", "pyrite-concentrate"),
        ("绿化用土", "soil-conditioner"),
        ("中药渣", "herbal-residue"),
        ("糠醛渣", "furfural-residue"),
        ("报废汽车", "end-of-life-vehicles"),
        ("报废面包车", "end-of-life-vehicles"),  # holds 废面包 (bread waste): the whole name wins
        ("scrap cars", "end-of-life-vehicles"),
        ("废石膏", "byproduct-gypsum"),
    ],
)
def test_remaining_solid_waste_names_resolve(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("coal-slime", "4411"),  # CFB power plant
        ("coal-slime", "4412"),
        ("pyrite-concentrate", "2611"),  # sulphuric-acid plant
        ("pyrite-concentrate", "2622"),  # phosphate-fertiliser plant with its own acid plant
        ("waste-rock", "3032"),
        ("ceramic-waste", "3071"),
        ("msw", "4417"),  # waste-to-energy plant
        ("msw", "7820"),
        ("msw", "3011"),
        ("cement-kiln-dust", "3011"),
        ("spent-abrasive", "3011"),
        ("waste-emulsion", "7724"),
        ("herbal-residue", "2625"),
        ("furfural-residue", "4430"),
        ("furfural-residue", "4891"),
        ("end-of-life-vehicles", "4210"),
    ],
)
def test_remaining_solid_waste_routes_reach_their_users(kb, material, sector):
    assert takes(kb, material, sector)


def test_kinds_do_not_take_unfitting_head_routes(kb):
    # coal slime is fuel, not brick clay or mine backfill; pyrite concentrate is sold to acid plants
    assert not takes(kb, "coal-slime", "3031")
    assert not takes(kb, "pyrite-concentrate", "3032")
    assert kb.materials["coal-slime"].category == "S04"
    assert kb.materials["pyrite-concentrate"].category == "S05"


@pytest.mark.parametrize("category", [f"S{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 59)])
def test_each_ledger_category_keeps_one_head(kb, category):
    assert kb.category_head(category).category == category


def test_wants_for_fuel_and_aggregate_take_these_streams(kb):
    assert "coal-slime" in accepted(kb, "fuel")
    assert "waste-rock" in accepted(kb, "aggregate")


def test_waste_emulsion_is_hazardous_and_needs_a_permit(kb):
    emulsion = kb.materials["waste-emulsion"]
    assert emulsion.hazardous and emulsion.category == "HW09" and "900-006-09" in emulsion.hw_codes
    assert all(route.receiver_licence == "hw_permit" for route in kb.routes_for("waste-emulsion"))


@pytest.mark.parametrize(
    ("text", "code"),
    [("硫酸烧渣", "pyrite-cinder"), ("渣选矿尾矿", "copper-slag"), ("废板材", "waste-wood")],
)
def test_names_that_contain_another_material_name_read_as_the_whole(kb, text, code):
    # 硫酸烧渣 holds 硫酸 and 渣选矿尾矿 holds 尾矿: the whole name wins over the part
    assert resolve_material(text, knowledge=kb).code == code


def test_tailings_reach_cement_works(kb):
    assert takes(kb, "tailings", "3011") and takes(kb, "iron-tailings", "3011")
    assert not takes(kb, "pyrite-concentrate", "3011")


def test_pesticide_residue_is_not_read_as_herbal_residue(kb):
    # 农药渣 (HW04) holds 药渣; herbal residue is named only as 中药渣 and its kin, so it never captures it
    from matching.knowledge.resolver import read_material

    assert read_material("农药渣", knowledge=kb).code != "herbal-residue"
