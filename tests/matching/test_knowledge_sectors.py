"""GB/T 4754-2017 sector table, resolver and lineage."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from matching.knowledge.errors import KnowledgeError, UnknownSector
from matching.knowledge.sectors import Sector, load_sectors, resolve_sector, sector_lineage

HEADER = "code,name_zh,name_en,parent_code,source\n"


def test_table_has_every_level_of_the_standard():
    levels = Counter(sector.level for sector in load_sectors().values())
    # GB/T 4754-2017: 20 门类, 97 大类, 473 中类, 1381 小类
    assert levels == {"section": 20, "division": 97, "group": 473, "class": 1381}


@pytest.mark.parametrize(
    ("code", "name_zh"),
    [
        ("3110", "炼铁"),
        ("3120", "炼钢"),
        ("3130", "钢压延加工"),
        ("3140", "铁合金冶炼"),
        ("4411", "火力发电"),
        ("4412", "热电联产"),
        ("3011", "水泥制造"),
        ("3012", "石灰和石膏制造"),
        ("3021", "水泥制品制造"),
        ("3024", "轻质建筑材料制造"),
        ("3031", "粘土砖瓦及建筑砌块制造"),
        ("3211", "铜冶炼"),
        ("3212", "铅锌冶炼"),
        ("3216", "铝冶炼"),
        ("2521", "炼焦"),
        ("2522", "煤制合成气生产"),
        ("2523", "煤制液体燃料生产"),
        ("2511", "原油加工及石油制品制造"),
        ("2614", "有机化学原料制造"),
        ("2619", "其他基础化学原料制造"),
        ("2621", "氮肥制造"),
        ("3841", "锂离子电池制造"),
        ("3612", "新能源车整车制造"),
        ("4210", "金属废料和碎屑加工处理"),
        ("4220", "非金属废料和碎屑加工处理"),
        ("7723", "固体废物治理"),
        ("7724", "危险废物治理"),
        ("2221", "机制纸及纸板制造"),
        ("1511", "酒精制造"),
        ("1512", "白酒制造"),
        ("1495", "食品及饲料添加剂制造"),
        ("42", "废弃资源综合利用业"),
        ("77", "生态保护和环境治理业"),
        ("78", "公共设施管理业"),
        ("D", "电力、热力、燃气及水生产和供应业"),
    ],
)
def test_demo_sectors_exist_with_their_standard_names(code, name_zh):
    assert load_sectors()[code].name_zh == name_zh


def test_every_parent_is_one_level_up_and_a_prefix():
    sectors = load_sectors()
    for sector in sectors.values():
        if sector.level == "section":
            assert sector.parent_code is None
            continue
        parent = sectors[sector.parent_code]
        assert len(parent.code) == len(sector.code) - 1 or parent.level == "section"
        if sector.level in ("group", "class"):
            assert sector.code.startswith(parent.code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3110", "3110"),
        ("C3110", "3110"),
        ("c-3110", "3110"),
        ("Ｃ３１１０", "3110"),
        ("炼铁", "3110"),
        (" 炼 铁 ", "3110"),
        ("IRONMAKING", "3110"),
        ("combined heat and power generation", "4412"),
        ("Hazardous waste treatment and disposal", "7724"),
        ("C", "C"),
        ("b", "B"),
        ("30", "30"),
        ("301", "301"),
        # names shared along a chain resolve to the most specific level
        ("燃气生产和供应业", "451"),
        ("房地产业", "70"),
        ("国际组织", "9700"),
        ("烟煤和无烟煤开采洗选", "0610"),
    ],
)
def test_resolve_sector_by_code_or_name(text, code):
    assert resolve_sector(text).code == code


@pytest.mark.parametrize(
    ("text", "expected_suggestion"),
    [
        ("3119", "3110"),
        ("A3110", "3110"),  # 3110 is in section C, not A
        ("钢", "3120"),
        ("热电厂", "4412"),
        ("cement manufacture", "3011"),
    ],
)
def test_unknown_sector_names_field_and_suggests(text, expected_suggestion):
    with pytest.raises(UnknownSector, match="sector") as caught:
        resolve_sector(text)
    assert caught.value.field == "sector"
    assert expected_suggestion in caught.value.suggestions
    assert len(caught.value.suggestions) <= 5


@pytest.mark.parametrize("text", ["", "   ", "fly ash", "9999"])
def test_unknown_sector_is_a_knowledge_error(text):
    with pytest.raises(KnowledgeError, match="sector"):
        resolve_sector(text)


@pytest.mark.parametrize(
    ("code", "lineage"),
    [
        ("3011", ["3011", "301", "30", "C"]),
        ("7724", ["7724", "772", "77", "N"]),
        ("3110", ["3110", "311", "31", "C"]),
        ("44", ["44", "D"]),
        ("B", ["B"]),
    ],
)
def test_sector_lineage_runs_up_to_the_section(code, lineage):
    assert sector_lineage(code) == lineage


def test_sector_lineage_rejects_unknown_code():
    with pytest.raises(UnknownSector, match="'3119'"):
        sector_lineage("3119")


def test_sectors_are_frozen_and_load_returns_a_copy():
    sectors = load_sectors()
    with pytest.raises(dataclasses.FrozenInstanceError):
        sectors["3110"].name_zh = "x"  # type: ignore[misc]
    sectors.pop("3110")
    assert "3110" in load_sectors()


def test_sector_level_names():
    assert [Sector(code, "x", "x", None).level for code in ("C", "31", "311", "3110")] == [
        "section", "division", "group", "class",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("C,制造业,Manufacturing,,s\nC,制造业,Manufacturing,,s\n", r"row 3 \(C\): duplicate code"),
        ("C,制造业,Manufacturing,,s\n31,黑色,Ferrous,D,s\n", r"row 3 \(31\): parent_code 'D'"),
        ("C,制造业,Manufacturing,,s\n31,黑色,Ferrous,C,s\n3210,x,x,31,s\n", r"row 4 \(3210\): parent_code"),
        ("C,制造业,,,s\n", r"row 2 \(C\): name_en is empty"),
        ("C,制造业,Manufacturing,,\n", r"row 2 \(C\): source is empty"),
        ("C1,制造业,Manufacturing,,s\n", r"row 2 \(C1\): code must be"),
    ],
)
def test_bad_sector_table_names_file_row_and_field(tmp_path, body, message):
    path = tmp_path / "bad_sectors.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"bad_sectors\.csv " + message):
        load_sectors(path)


def test_bad_sector_header_is_reported(tmp_path):
    path = tmp_path / "sectors.csv"
    path.write_text("code,name\nC,制造业\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="header must be") as caught:
        load_sectors(path)
    assert caught.value.field == "header"


def test_resolve_against_a_custom_table(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text(HEADER + "C,制造业,Manufacturing,,s\n31,黑色金属冶炼,Ferrous,C,s\n", encoding="utf-8")
    assert resolve_sector("ferrous", path=path).code == "31"
    assert sector_lineage("31", path=path) == ["31", "C"]
