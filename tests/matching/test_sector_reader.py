"""The sector reader on how plants really write their sector (PRODUCT 2.2, issue 9 item 1).

``sector_spellings.csv`` holds real-world spellings — codes with and without their section letter,
codes with names, official titles with and without 业 / 制造, trade names in zh and en, names inside
longer plant names, typos — with the code they mean. ``~26`` means "any code within 26" for a text
that only says that much.
"""

from __future__ import annotations

import csv
import doctest
import importlib
from pathlib import Path

import pytest

from matching.knowledge.errors import KnowledgeError
from matching.knowledge.sector_reading import CONFIRM_BELOW, load_trade_names, read_sectors
from matching.knowledge.sectors import load_sectors

SPELLINGS = Path(__file__).with_name("sector_spellings.csv")
with SPELLINGS.open(encoding="utf-8", newline="") as _handle:
    ROWS = list(csv.DictReader(_handle))


def _means(code: str | None, expected: str) -> bool:
    if expected.startswith("~"):
        return code is not None and code.startswith(expected[1:])
    return code == expected


def test_table_is_large_and_varied():
    kinds = {row["kind"] for row in ROWS}
    assert len(ROWS) >= 200
    assert len({row["text"] for row in ROWS}) == len(ROWS)
    for kind in ("code", "code with letter", "code + name", "official zh", "official en", "trade zh", "trade en",
                 "name in a longer text", "typo"):
        assert kind in kinds
    sectors = load_sectors()
    assert all(row["expected"].lstrip("~") in sectors for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['kind']}:{row['text']}" for row in ROWS])
def test_spelling_reads_as_its_sector(row):
    reading = read_sectors(row["text"])
    assert _means(reading.main, row["expected"]), (reading.codes, reading.notes)
    assert reading.written == row["text"]
    assert 0 < reading.confidence <= 1
    assert reading.to_confirm == (reading.confidence < CONFIRM_BELOW)


def test_exact_codes_and_titles_are_certain():
    for text in ("3011", "C3011", "C3011 水泥制造", "水泥制造", "Manufacture of cement"):
        reading = read_sectors(text)
        assert (reading.codes, reading.confidence, reading.to_confirm, reading.notes) == (("3011",), 1.0, False, ())


def test_typos_are_read_but_marked_to_confirm():
    typos = [row for row in ROWS if row["kind"] == "typo" and row["text"].isascii()]
    assert typos
    for row in typos:
        reading = read_sectors(row["text"])
        assert reading.to_confirm, row["text"]
        assert any("please confirm" in note for note in reading.notes)


@pytest.mark.parametrize(
    ("text", "code", "in_note"),
    [
        ("3011 炼油厂", "3011", "disagree"),              # cement code, refinery name: the code wins, flagged
        ("C2511 水泥制造", "2511", "disagree"),
        ("4412 cement works", "4412", "disagree"),
        ("A3110", "3110", "section C (制造业), not A"),   # wrong section letter: the digits win, flagged
    ],
)
def test_code_and_name_that_disagree_keep_the_code_and_are_flagged(text, code, in_note):
    reading = read_sectors(text)
    assert reading.codes == (code,)
    assert reading.to_confirm
    assert any(in_note in note for note in reading.notes)


def test_code_and_name_of_neighbouring_classes_keep_the_code_with_a_note_only():
    reading = read_sectors("4411 热电厂")  # thermal power code, CHP name: same group 441
    assert reading.codes == ("4411",)
    assert not reading.to_confirm
    assert any("4412" in note for note in reading.notes)


def test_unknown_code_falls_back_to_the_part_that_exists():
    reading = read_sectors("3119")
    assert reading.codes == ("311",) and reading.to_confirm
    named = read_sectors("3119 炼铁")
    assert named.codes == ("3110",) and named.to_confirm


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("热电厂|水泥厂", ("4412", "3011")),
        ("C2611 无机酸制造 | C3011 水泥制造", ("2611", "3011")),
        ("oil refinery | CHP plant | sulphuric acid plant", ("2511", "4412", "2611")),
        ("水泥厂｜水泥厂", ("3011",)),                     # full-width bar; repeats counted once
        ("pulp and paper mill | 热电厂", ("2221", "2211", "4412")),  # a trade name meaning two classes
    ],
)
def test_several_sectors_main_first(text, codes):
    reading = read_sectors(text)
    assert reading.codes == codes
    assert reading.main == codes[0] and reading.extra == codes[1:]
    assert not reading.to_confirm


def test_an_unreadable_part_is_noted_and_flags_only_when_it_is_the_main_one():
    product = read_sectors("水泥厂|C3011 水泥制造|qwertyuiop")  # a product or process named beside the sector
    assert product.codes == ("3011",) and not product.to_confirm
    assert any("qwertyuiop" in note for note in product.notes)
    main = read_sectors("qwertyuiop | 水泥厂")
    assert main.codes == ("3011",) and main.to_confirm


def test_integrated_steelworks_has_all_three_activities():
    assert read_sectors("钢铁联合企业").codes == ("3120", "3110", "3130")


@pytest.mark.parametrize("text", [None, "", "   ", "|", "no idea", "有限公司", "12345", "🙂", "x" * 5000, "C9999"])
def test_never_raises_on_what_a_user_wrote(text):
    reading = read_sectors(text)
    assert reading.codes == ()
    assert reading.to_confirm and reading.confidence == 0
    assert reading.notes


def test_ambiguous_name_is_read_at_the_level_that_is_certain():
    reading = read_sectors("盐化工")   # salt chemistry: soda ash / chlor-alkali, bromine…: a guess
    assert reading.codes == ("2612",) and reading.to_confirm
    doubtful = read_sectors("Pharmaceutical plant (insulin, enzymes)")
    assert doubtful.main.startswith("27") and doubtful.to_confirm
    assert any("1495" in note for note in doubtful.notes)


def test_every_trade_name_reads_as_its_own_entry():
    for entry in load_trade_names():
        for name in entry.names_zh + entry.names_en:
            assert read_sectors(name).codes[0] == entry.codes[0], name


def test_trade_names_cover_what_symbiosis_needs():
    entries = load_trade_names()
    names = sum(len(entry.names_zh) + len(entry.names_en) for entry in entries)
    assert names >= 500
    codes = {code for entry in entries for code in entry.codes}
    # power/CHP, refining, soda/chlor-alkali, fertiliser, methanol, pharma, steel, smelters, cement,
    # plasterboard, bricks, glass, paper, sugar, beer, dairy, feed, fish and pig farms, greenhouses,
    # wastewater, incineration, landfill, recycling, desalination, district heating, textiles, furniture
    for code in ("4412", "4411", "2511", "2612", "262", "2614", "27", "3120", "3211", "3212", "3213", "3216",
                 "3011", "3024", "3031", "304", "2221", "1340", "1513", "144", "1329", "041", "0313", "014",
                 "4620", "4417", "7820", "42", "4630", "4430", "17", "21", "3841", "361", "39"):
        assert code in codes, code
    assert all(entry.basis for entry in entries)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("entries:\n  - {codes: ['9999'], zh: [某厂], basis: x}\n", r"entry 1 \(9999\): '9999' is not"),
        ("entries:\n  - {codes: ['C'], zh: [某厂], basis: x}\n", r"'C' is not a GB/T 4754-2017 division"),
        ("entries:\n  - {codes: [], zh: [某厂], basis: x}\n", r"codes is empty"),
        ("entries:\n  - {codes: ['3011'], zh: [水泥厂]}\n", r"basis is empty"),
        ("entries:\n  - {codes: ['3011'], zh: [cement], basis: x}\n", r"no Chinese character"),
        ("entries:\n  - {codes: ['3011'], en: [kiln], basis: x, confidence: 2}\n", r"confidence must be"),
        ("entries:\n  - {codes: ['3011'], en: [kiln], basis: x}\n  - {codes: ['3012'], en: [Kiln], basis: y}\n",
         r"entry 2 \(3012\): name 'Kiln' is already entry 1"),
        ("names: []\n", r"list 'entries'"),
    ],
)
def test_bad_trade_name_file_names_entry_and_field(tmp_path, body, message):
    path = tmp_path / "names.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_trade_names(path)


def test_custom_trade_name_file_is_used(tmp_path):
    path = tmp_path / "names.yaml"
    path.write_text("entries:\n  - {codes: ['3011'], zh: [灰厂], en: [grey works], basis: test}\n", encoding="utf-8")
    assert read_sectors("grey works", names_path=path).codes == ("3011",)
    assert read_sectors("灰厂", names_path=path).codes == ("3011",)
    assert read_sectors("灰厂").codes != ("3011",)


@pytest.mark.parametrize("name", ["matching.knowledge.sector_reading", "matching.knowledge.sectors"])
def test_docstring_examples_run(name):
    failures, tried = doctest.testmod(importlib.import_module(name))
    assert tried and failures == 0


def test_a_group_code_that_may_have_lost_its_leading_zero_is_to_confirm():
    reading = read_sectors("313")  # group 313 steel rolling, or 0313 pig farming from a spreadsheet
    assert reading.codes == ("313",) and reading.to_confirm
    assert any("0313" in note for note in reading.notes)
    assert read_sectors("C313").codes == ("313",) and not read_sectors("C313").to_confirm
