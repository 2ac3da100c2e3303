import csv
from collections import Counter

import pytest

from geo.divisions import DATA_FILE, Division, divisions_in, load_divisions, resolve_division
from geo.errors import UnknownDivision

# DOMAIN.md 4.2: Anhui's 16 prefecture-level cities.
ANHUI_PREFECTURES = {
    "340100": "合肥市", "340200": "芜湖市", "340300": "蚌埠市", "340400": "淮南市",
    "340500": "马鞍山市", "340600": "淮北市", "340700": "铜陵市", "340800": "安庆市",
    "341000": "黄山市", "341100": "滁州市", "341200": "阜阳市", "341300": "宿州市",
    "341500": "六安市", "341600": "亳州市", "341700": "池州市", "341800": "宣城市",
}


def csv_rows():
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_csv_codes_are_unique_six_digit_and_sourced():
    rows = csv_rows()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert all(row["source"].startswith("mca-2024") for row in rows)
    assert list(rows[0]) == ["code", "name_zh", "name_en", "level", "parent_code", "lon", "lat", "source"]


def test_anhui_has_exactly_the_16_prefectures_of_domain_4_2():
    prefectures = divisions_in("340000")
    assert {d.code: d.name_zh for d in prefectures} == ANHUI_PREFECTURES
    assert {d.level for d in prefectures} == {"prefecture"}


def test_level_counts():
    levels = Counter(d.level for d in load_divisions().values())
    # 34 province-level divisions; 333 prefecture-level divisions in mainland China.
    assert levels == {"province": 34, "prefecture": 333, "county": 104}


def test_anhui_counties_are_45_districts_9_cities_50_counties():
    counties = [d for d in load_divisions().values() if d.level == "county"]
    assert all(d.code.startswith("34") for d in counties)
    kinds = Counter(d.name_zh[-1] for d in counties)
    assert kinds == {"区": 45, "市": 9, "县": 50}


def test_every_parent_exists_one_level_up_in_the_same_province():
    divisions = load_divisions()
    expected_parent_level = {"prefecture": "province", "county": "prefecture"}
    for division in divisions.values():
        if division.level == "province":
            assert division.parent_code is None
            continue
        parent = divisions[division.parent_code]
        assert parent.level == expected_parent_level[division.level], division
        assert parent.code[:2] == division.code[:2], division


@pytest.mark.parametrize(
    ("code", "name"),
    [("340210", "湾沚区"), ("340212", "繁昌区"), ("340281", "无为市"), ("341882", "广德市"),
     ("340882", "潜山市"), ("340181", "巢湖市")],
)
def test_recent_anhui_changes_are_current(code, name):
    assert load_divisions()[code].name_zh == name


@pytest.mark.parametrize("code", ["340221", "340222", "341400", "371200"])  # 芜湖县, 繁昌县, 巢湖 prefecture, 莱芜市
def test_abolished_codes_are_absent(code):
    assert code not in load_divisions()


def test_prefectures_have_seats_in_china_and_others_none():
    for division in load_divisions().values():
        if division.level == "prefecture":
            assert 73.0 < division.lon < 135.0 and 16.0 < division.lat < 54.0, division
        else:
            assert division.lon is None and division.lat is None, division


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("340100", "340100"),
        (" 340100 ", "340100"),
        ("合肥市", "340100"),
        ("合肥", "340100"),
        ("Hefei", "340100"),
        ("hefei", "340100"),
        ("HEFEI", "340100"),
        ("Ma'anshan", "340500"),
        ("maanshan", "340500"),
        ("Lu An", "341500"),
        ("黄山", "341000"),  # the prefecture, not 黄山区
        ("Huangshan", "341000"),
        ("黄山区", "341003"),
        ("Huangshan District", "341003"),
        ("湾沚", "340210"),
        ("Yaohai", "340102"),
        ("安徽", "340000"),
        ("Anhui", "340000"),
        ("内蒙古", "150000"),
        ("延边", "222400"),
        ("巴音郭楞", "652800"),
        ("Lvliang", "141100"),
        ("Suzhou (Anhui)", "341300"),
        ("Suzhou, Jiangsu", "320500"),
        ("宿州（安徽）", "341300"),
        ("宿州", "341300"),
    ],
)
def test_resolve_division(text, code):
    assert resolve_division(text).code == code


@pytest.mark.parametrize(("text", "codes"), [("Suzhou", ["320500", "341300"]), ("吉林", ["220000", "220200"])])
def test_ambiguous_names_are_refused_with_the_candidates(text, codes):
    with pytest.raises(UnknownDivision, match="is ambiguous") as info:
        resolve_division(text)
    assert info.value.field == "city"
    assert [label[-7:-1] for label in info.value.suggestions] == codes


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("合飞", "合肥市 Hefei (340100)"), ("Hefie", "合肥市 Hefei (340100)"), ("Wuhoo", "芜湖市 Wuhu (340200)"),
     ("芜湖县", "芜湖市 Wuhu (340200)")],
)
def test_unknown_names_get_suggestions(text, suggested):
    with pytest.raises(UnknownDivision, match=f"city: unknown administrative division '{text}'") as info:
        resolve_division(text)
    assert info.value.field == "city"
    assert suggested in info.value.suggestions
    assert 1 <= len(info.value.suggestions) <= 5


@pytest.mark.parametrize("text", ["", "   ", "341400"])
def test_empty_or_unknown_code_is_refused(text):
    with pytest.raises(UnknownDivision, match="city: "):
        resolve_division(text)


def test_divisions_in_lists_children_by_code():
    wuhu = divisions_in("340200")
    assert [d.name_zh for d in wuhu] == ["镜湖区", "鸠江区", "弋江区", "湾沚区", "繁昌区", "南陵县", "无为市"]
    assert all(isinstance(d, Division) for d in wuhu)
    assert len(divisions_in("110000")) == 0  # municipalities have no prefecture level


def test_divisions_in_refuses_unknown_parent():
    with pytest.raises(UnknownDivision, match="parent_code: unknown administrative division code '999999'"):
        divisions_in("999999")
