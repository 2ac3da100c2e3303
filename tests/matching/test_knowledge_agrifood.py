"""Agri-food residues: a plant finds its stream under the names it writes, and the routes reach the farms,
feed mills, biogas plants and fertiliser makers that take it (materials-agrifood.yaml, routes-agrifood.yaml)."""

from __future__ import annotations

import pytest

from matching.knowledge import resolve_material
from tests.matching.knowledge_checks import accepted, takes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("乳清", "whey"),
        ("酸乳清", "whey"),
        ("whey", "whey"),
        ("Cheese whey", "whey"),
        ("acid whey", "whey"),
        ("啤酒糟", "brewers-spent-grain"),
        ("湿啤酒糟", "brewers-spent-grain"),
        ("spent grain", "brewers-spent-grain"),
        ("brewers' spent grain", "brewers-spent-grain"),
        ("Wet brewers grains", "brewers-spent-grain"),
        ("白酒糟", "distillers-grains"),
        ("黄酒糟", "distillers-grains"),
        ("distiller's grains", "distillers-grains"),
        ("废酵母", "spent-yeast"),
        ("brewer's yeast", "spent-yeast"),
        ("面包渣", "bakery-waste"),
        ("过期面包", "bakery-waste"),
        ("bread waste", "bakery-waste"),
        ("surplus bread", "bakery-waste"),
        ("糖蜜", "molasses"),
        ("vinasse", "vinasse"),
        ("果蔬垃圾", "fruit-vegetable-waste"),
        ("苹果渣", "fruit-vegetable-waste"),
        ("fruit and vegetable waste", "fruit-vegetable-waste"),
        ("餐厨垃圾", "food-waste"),
        ("厨余垃圾", "food-waste"),
        ("kitchen waste", "food-waste"),
        ("鱼下脚料", "fish-processing-waste"),
        ("fish offal", "fish-processing-waste"),
        ("屠宰下脚料", "slaughterhouse-byproducts"),
        ("羽毛", "slaughterhouse-byproducts"),
        ("abattoir waste", "slaughterhouse-byproducts"),
        ("菜籽粕", "oilseed-cake"),
        ("棉籽饼", "oilseed-cake"),
        ("rapeseed meal", "oilseed-cake"),
        ("稻壳", "rice-husk"),
        ("residual C5 sugar stream", "c5-sugar-stream"),
        ("C5 sugars", "c5-sugar-stream"),
        ("木糖母液", "c5-sugar-stream"),
        ("薯渣", "starch-pulp"),
        ("potato pulp", "starch-pulp"),
        ("淀粉废水", "starch-wastewater"),
        ("potato fruit water", "starch-wastewater"),
        ("土豆皮", "potato-peel"),
        ("potato peelings", "potato-peel"),
        ("畜禽粪污", "manure"),
        ("猪粪", "manure"),
        ("pig slurry", "manure"),
        ("chicken manure", "manure"),
        ("沼渣", "digestate"),
        ("沼液", "digestate"),
        ("biogas slurry", "digestate"),
        ("麸皮", "milling-byproducts"),
        ("grain screenings", "milling-byproducts"),
        ("花生壳", "shells-husks"),
        ("cocoa bean shells", "shells-husks"),
        ("tallow", "animal-fat"),
        ("牛油", "animal-fat"),
        ("spoiled fruit", "fruit-vegetable-waste"),
        ("vegetable peelings", "fruit-vegetable-waste"),
        ("面渣及残次面饼", "bakery-waste"),
        ("废煎炸油", "used-cooking-oil"),
        ("甜菜粕", "beet-pulp"),  # holds 菜粕 (rapeseed meal): the whole name wins
        ("beet pulp", "beet-pulp"),
        ("豆渣", "soy-residues"),
        ("okara", "soy-residues"),
        ("醋糟", "distillers-grains"),
        ("养殖场粪便", "manure"),
        ("沼气站沼渣", "digestate"),
        ("brewery yeast", "spent-yeast"),
        ("烟梗", "tobacco-waste"),
        ("tobacco dust", "tobacco-waste"),
        ("麦芽根", "milling-byproducts"),
        ("spent hops", "brewers-spent-grain"),
    ],
)
def test_agri_food_names_resolve(kb, text, code):
    assert resolve_material(text, knowledge=kb).code == code


@pytest.mark.parametrize(
    ("material", "sector"),
    [
        ("whey", "0313"),  # pig farm
        ("whey", "0311"),  # dairy farm
        ("whey", "4520"),  # biogas plant
        ("brewers-spent-grain", "0311"),
        ("brewers-spent-grain", "0313"),
        ("brewers-spent-grain", "1329"),  # feed mill
        ("distillers-grains", "0321"),  # chicken farm
        ("spent-yeast", "0313"),  # Kalundborg: yeast slurry to pig farms
        ("bakery-waste", "1329"),
        ("bakery-waste", "1511"),  # ethanol plant
        ("molasses", "0311"),
        ("molasses", "1511"),
        ("vinasse", "0133"),  # sugar-cane fields
        ("fruit-vegetable-waste", "2625"),  # organic-fertiliser maker
        ("fruit-vegetable-waste", "4520"),
        ("food-waste", "4520"),
        ("food-waste", "2625"),
        ("fish-processing-waste", "1363"),  # fishmeal and fish oil
        ("slaughterhouse-byproducts", "1353"),  # rendering
        ("oilseed-cake", "1321"),  # pet-food and other feed mills: group 132
        ("oilseed-cake", "0412"),  # inland fish farm
        ("c5-sugar-stream", "1511"),
        ("c5-sugar-stream", "1495"),  # yeast
        ("starch-pulp", "0311"),
        ("starch-wastewater", "4520"),
        ("potato-peel", "0314"),
        ("manure", "4520"),
        ("manure", "2625"),
        ("manure", "0111"),  # rice farm
        ("manure", "0151"),  # orchard
        ("digestate", "0113"),  # maize farm
        ("digestate", "0152"),  # vineyard
        ("milling-byproducts", "1329"),
        ("milling-byproducts", "0321"),
        ("shells-husks", "4430"),  # boiler fuel
        ("shells-husks", "2663"),  # activated carbon
        ("animal-fat", "2541"),  # biodiesel
        ("animal-fat", "2681"),  # soap
        ("beet-pulp", "0311"),
        ("soy-residues", "0314"),
        ("tobacco-waste", "1620"),  # reconstituted tobacco
    ],
)
def test_agri_food_routes_reach_their_users(kb, material, sector):
    assert takes(kb, material, sector)


def test_tobacco_waste_is_never_feed(kb):
    assert "tobacco-waste" not in accepted(kb, "animal-feed")
    assert not takes(kb, "tobacco-waste", "0311")


def test_catering_waste_never_goes_to_pig_farms_as_feed(kb):
    # Swill feeding is banned in China since the 2018 African swine fever outbreaks (R200).
    assert not takes(kb, "food-waste", "0313")
    assert "food-waste" not in accepted(kb, "animal-feed")


@pytest.mark.parametrize(
    ("product", "residue"),
    [
        ("animal-feed", "whey"),
        ("animal-feed", "brewers-spent-grain"),
        ("animal-feed", "spent-yeast"),
        ("animal-feed", "oilseed-cake"),
        ("fertiliser", "digestate"),
        ("fertiliser", "manure"),
        ("fertiliser", "vinasse"),
        ("organic-fertiliser-feedstock", "fruit-vegetable-waste"),
    ],
)
def test_a_want_for_the_product_takes_the_residue(kb, product, residue):
    assert residue in accepted(kb, product)


def test_animal_by_products_do_not_take_the_generic_food_residue_routes(kb):
    # Raw fish and slaughter waste are rendered or digested, not fed raw as food-residues may be.
    for code in ("fish-processing-waste", "slaughterhouse-byproducts"):
        assert "food-residues-feed" not in {route.id for route in kb.routes_for(code)}


def test_agri_food_residues_are_general_solid_waste_of_s13(kb):
    for code in ("whey", "bakery-waste", "oilseed-cake", "c5-sugar-stream", "fish-processing-waste"):
        material = kb.materials[code]
        assert material.category == "S13" and not material.hazardous
        assert kb.category_head("S13").code in kb.ancestors(code)


@pytest.mark.parametrize(("code", "unit"), [("whey", "m3"), ("manure", "m3"), ("starch-wastewater", "t")])
def test_liquid_agri_food_streams_convert_between_tonnes_and_cubic_metres(kb, code, unit):
    # dairies and farms write whey and slurry in m3/yr, starch plants their water in t
    assert kb.units_per(code, unit) == pytest.approx(1.0)
