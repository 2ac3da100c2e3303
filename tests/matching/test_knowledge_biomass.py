"""Wood and biomass: names plants write resolve to the right material, and the routes reach biomass power
and heat, boilers, panel and pellet makers, mushroom growers and livestock farms (materials-biomass.yaml,
routes-biomass.yaml)."""

from __future__ import annotations

import pytest

from matching.knowledge import resolve_material
from tests.matching.knowledge_checks import accepted, takes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("锯末", "waste-wood"),
        ("木屑", "waste-wood"),
        ("木糠", "waste-wood"),
        ("sawdust", "waste-wood"),
        ("Saw dust", "waste-wood"),
        ("木材边角料", "waste-wood"),
        ("timber offcuts", "waste-wood"),
        ("木片", "wood-chips"),
        ("Wood chips", "wood-chips"),
        ("woodchips", "wood-chips"),
        ("树皮", "bark"),
        ("bark", "bark"),
        ("废托盘", "waste-pallets"),
        ("木卡板", "waste-pallets"),
        ("pallets", "waste-pallets"),
        ("waste pallets", "waste-pallets"),
        ("枝桠材", "forestry-residues"),
        ("园林绿化废弃物", "forestry-residues"),
        ("green waste", "forestry-residues"),
        ("秸秆", "crop-straw"),
        ("秸杆", "crop-straw"),
        ("玉米秸秆", "crop-straw"),
        ("wheat straw", "crop-straw"),
        ("corn stover", "crop-straw"),
        ("蔗渣", "bagasse"),
        ("sugar cane fibre", "bagasse"),
        ("稻壳", "rice-husk"),
        ("rice husks", "rice-husk"),
        ("生物质灰", "biomass-ash"),
        ("生物质电厂灰渣", "biomass-ash"),
        ("草木灰", "biomass-ash"),
        ("wood ash", "biomass-ash"),
        ("稻壳灰", "rice-husk-ash"),
        ("RHA", "rice-husk-ash"),
        ("玉米芯", "corn-cobs"),
        ("竹屑", "bamboo-waste"),
        ("bamboo offcuts", "bamboo-waste"),
        ("corn cobs", "corn-cobs"),
    ],
)
def test_wood_and_biomass_names_resolve(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("waste-wood", "4417"),  # biomass power
        ("waste-wood", "4412"),  # CHP
        ("waste-wood", "2542"),  # pellet maker
        ("waste-wood", "2023"),  # particleboard
        ("waste-wood", "2022"),  # MDF / fibreboard
        ("waste-wood", "0142"),  # mushroom grower
        ("waste-wood", "0311"),  # cattle bedding
        ("waste-wood", "0321"),  # chicken-house litter
        ("waste-wood", "4430"),  # heat plant
        ("waste-wood", "2221"),  # paper mill boiler: division 22
        ("wood-chips", "2211"),  # pulp mill
        ("wood-chips", "4417"),  # inherited from waste-wood
        ("bark", "0143"),  # growing media for flower growers
        ("forestry-residues", "4417"),
        ("forestry-residues", "2023"),
        ("crop-straw", "4417"),
        ("crop-straw", "0311"),  # roughage
        ("crop-straw", "0142"),
        ("crop-straw", "2029"),  # straw panels
        ("bagasse", "1340"),  # sugar-mill boiler
        ("bagasse", "2221"),  # paper-mill boiler
        ("rice-husk", "0321"),  # poultry litter
        ("rice-husk", "4417"),
        ("waste-pallets", "2023"),
        ("waste-pallets", "2035"),  # pallet repair
        ("biomass-ash", "2625"),
        ("biomass-ash", "0111"),
        ("rice-husk-ash", "3120"),
        ("corn-cobs", "0142"),  # inherited from straw
        ("corn-cobs", "2614"),  # furfural
        ("bamboo-waste", "2663"),  # bamboo charcoal
        ("bamboo-waste", "4417"),  # inherited from waste wood
    ],
)
def test_biomass_routes_reach_their_users(kb, material, sector):
    assert takes(kb, material, sector)


def test_painted_pallets_are_not_mushroom_substrate_or_bedding(kb):
    # waste-pallets does not take waste-wood's routes; its own routes take untreated wood only.
    assert not takes(kb, "waste-pallets", "0142")
    assert not takes(kb, "waste-pallets", "0311")
    panels = next(route for route in kb.routes_for("waste-pallets") if route.id == "waste-pallets-panels-fuel")
    assert [limit.allows("yes") for limit in panels.quality_limits if limit.key == "treated"] == [False]


def test_biomass_ash_does_not_take_coal_bottom_ash_routes(kb):
    assert kb.materials["biomass-ash"].category == "S03"
    assert not takes(kb, "biomass-ash", "3011")
    assert not takes(kb, "rice-husk-ash", "3011")


def test_a_want_for_fuel_takes_wood_and_straw(kb):
    assert {"waste-wood", "wood-chips", "crop-straw", "bagasse", "forestry-residues"} <= accepted(kb, "fuel")
    assert resolve_material("wood pellets", knowledge=kb).code == "fuel"


@pytest.mark.parametrize("sector", ["2110", "1431", "1713", "3011"])
def test_biomass_fuel_is_not_offered_to_every_plant_with_a_boiler(kb, sector):
    # furniture, noodle and dyeing plants are not latent users of loose straw or sawdust fuel
    assert not takes(kb, "crop-straw", sector)
    assert not takes(kb, "forestry-residues", sector)
