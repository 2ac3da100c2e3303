"""Explanations: one sentence in Chinese and one in English, each carrying the link's numbers."""

import dataclasses
import datetime as dt
import re

import pytest

from matching.engine import run_matching
from matching.explain import LinkFacts, explain
from matching.knowledge.loader import load_knowledge
from matching.types import MatchOptions, Offer, Site, Want

FACTS = LinkFacts(
    supplier_zh="甲电厂", supplier_en="Plant A", receiver_zh="乙水泥", receiver_en="Cement B",
    material_zh="粉煤灰", material_en="coal fly ash", replaces_zh="水泥熟料", replaces_en="cement clinker",
    quantity=12000.0, unit="t", road_km=85.0, mode="road", transport_cny_per_unit=38.25,
    net_benefit_cny_per_unit=230.0, net_benefit_cny=2_760_000.0, co2_avoided_t=9200.0, same_park=True,
    coupling="power-building materials",
)


def test_english_sentence_carries_every_number():
    _, en = explain(FACTS)
    for text in ("Plant A", "12,000 t/yr", "coal fly ash", "Cement B", "cement clinker", "85 km by road",
                 "2.76 million CNY/yr", "230 CNY/t", "38 CNY/t transport", "9,200 t CO2 avoided", "same park",
                 "power-building materials coupling"):
        assert text in en
    assert en.endswith(".") and en.count(". ") == 0  # one sentence


def test_chinese_sentence_carries_every_number():
    zh, _ = explain(FACTS)
    for text in ("甲电厂", "乙水泥", "粉煤灰12,000吨", "水泥熟料", "公路运距约85公里", "每吨38元运费", "每吨净效益230元",
                 "年净效益276.0万元", "年减排二氧化碳9,200吨", "同一园区", "电力—建材耦合"):
        assert text in zh
    assert zh.endswith("。") and zh.count("。") == 1


@pytest.mark.parametrize("changes, zh_text, en_text", [
    ({"same_park": False, "cross_park": True}, "跨园区", "across parks"),
    ({"latent": True}, "未发布需求", "posted no want"),
    ({"co2_avoided_t": -12.0}, "运输排放比利用减排多12吨", "transport emits 12 t CO2 a year more"),
    ({"net_benefit_cny": 3.0e8}, "3.00亿元", "300.00 million CNY"),
    ({"unit": "Nm3", "transport_cny_per_unit": 0.0012, "net_benefit_cny_per_unit": 0.28, "mode": "pipeline"},
     "每标准立方米净效益0.28元", "0.28 CNY/Nm3 after 0.0012 CNY/Nm3 transport"),
    ({"coupling": "steel-chemical", "same_park": False}, "钢化联产", "steel-chemical coupling"),
])
def test_flags_units_and_signs_are_worded_in_both_languages(changes, zh_text, en_text):
    zh, en = explain(dataclasses.replace(FACTS, **changes))
    assert zh_text in zh
    assert en_text in en


def test_engine_links_explain_themselves_in_both_languages():
    kb = load_knowledge()
    sites = [Site("PWR", 117.23, 31.82, "4411", name="甲电厂", name_en="Plant A"),
             Site("CEM", 117.23, 32.00, "3011", name="乙水泥", name_en="Cement B")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 10000.0, {"loi_pct": 5.0}, price_cny=20.0)]
    wants = [Want("W1", "CEM", ("coal-fly-ash",), 6000.0, max_price_cny=70.0)]
    [link] = run_matching(offers, wants, sites, kb.routes, options=MatchOptions(today=dt.date(2026, 3, 1))).links
    assert re.search(r"[\u4e00-\u9fff]", link.explanation_zh)
    assert "甲电厂" in link.explanation_zh and "粉煤灰6,000吨" in link.explanation_zh
    assert link.explanation_en.startswith("Plant A can send 6,000 t/yr of coal fly ash to Cement B")
    assert f"{link.road_km:,.0f} km by road" in link.explanation_en
    assert f"{link.co2_avoided_t:,.0f} t CO2" in link.explanation_en
