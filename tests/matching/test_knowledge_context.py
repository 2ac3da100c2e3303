"""A material name read in the light of its site's sectors (matching/knowledge/context.yaml)."""
import doctest
import importlib
import textwrap

import pytest

from matching.knowledge import KnowledgeError, load_knowledge
from matching.knowledge.context import load_context, settle
from matching.knowledge.resolver import read_material


@pytest.mark.parametrize("module", ["matching.knowledge.context", "matching.knowledge.resolver"])
def test_the_docstring_examples_run(module):
    failures, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failures == 0


@pytest.mark.parametrize("text, sectors, code, how", [
    # coal combustion: the ash of a coal-fired power, CHP or heat plant is coal ash
    ("飞灰", ["4411"], "coal-fly-ash", "context"),
    ("灰渣", ["4411"], "coal-fly-ash", "context"),
    ("灰渣", ["4412"], "coal-fly-ash", "context"),
    ("Ash", ["4430"], "coal-fly-ash", "context"),
    ("燃煤灰渣", ["4411"], "coal-fly-ash", "context"),   # unclassified without the site: fly or bottom ash
    ("锅炉灰", ["4412"], "coal-fly-ash", "context"),
    ("飞灰", ["4412", "3011"], "coal-fly-ash", "context"),  # the cement line of a CHP plant changes nothing
    # refuse incineration: the same words mean HW18
    ("飞灰", ["4417"], "incineration-fly-ash", "context"),
    ("灰渣", ["7820"], "incineration-fly-ash", "context"),
    ("炉渣", ["7820"], "msw-incineration-bottom-ash", "context"),  # a kind of the exact name's material
    # a site of an unrelated trade, of an unstated energy source, or of no known sector: still to confirm
    ("飞灰", ["3011"], "incineration-fly-ash", "possibly_hazardous"),
    ("灰渣", ["2614"], "incineration-fly-ash", "possibly_hazardous"),
    ("飞灰", ["441"], "incineration-fly-ash", "possibly_hazardous"),
    ("飞灰", ["44"], "incineration-fly-ash", "possibly_hazardous"),
    ("飞灰", [], "incineration-fly-ash", "possibly_hazardous"),
    # two sectors that disagree on the hazard settle nothing
    ("飞灰", ["4411", "4417"], "incineration-fly-ash", "possibly_hazardous"),
    ("飞灰", ["4417", "4411"], "incineration-fly-ash", "possibly_hazardous"),
    # what the plant names exactly stays as named
    ("粉煤灰", ["4417"], "coal-fly-ash", "exact"),
    ("焚烧飞灰", ["4411"], "incineration-fly-ash", "exact"),
    ("炉渣", ["4411"], "bottom-ash", "exact"),
    # generic names: the kind the trade documents
    ("石膏", ["4411"], "fgd-gypsum", "context"),
    ("gypsum", ["2622"], "phosphogypsum", "context"),
    ("石膏", ["3011"], "byproduct-gypsum", "generic"),
    ("污泥", ["4620"], "sewage-sludge", "context"),
    ("sludge", ["2221"], "paper-mill-sludge", "context"),     # rule on division 22, site of class 2221
    ("污泥", ["4411"], "sludge-any-kind", "generic"),
    ("废水", ["4620"], "secondary-effluent", "context"),
    ("渣", ["3110"], "gbfs", "context"),
    # batteries
    ("废电池", ["3612"], "retired-ev-battery", "context"),
    ("waste batteries", ["3841"], "retired-ev-battery", "context"),
    ("废电池", ["8111"], "lead-acid-battery", "context"),
    ("废电池", ["4210"], "lead-acid-battery", "possibly_hazardous"),  # a scrap yard: either
    # works gases
    ("煤气", ["3110"], "blast-furnace-gas", "context"),
    ("煤气", ["2521"], "coke-oven-gas", "context"),
    ("燃料气", ["2511"], "refinery-off-gas", "context"),
    ("煤气", ["3011"], None, "unclassified"),
])
def test_a_site_reads_a_name_as_its_trade_documents(text, sectors, code, how):
    reading = read_material(text, sectors=sectors)
    assert (reading.code, reading.how) == (code, how)


def test_the_note_names_the_sector_and_the_confidence_is_the_rule_s():
    reading = read_material("飞灰", sectors=["4411"])
    assert "because the site is thermal power generation (4411)" in reading.note
    assert reading.sector == "4411"
    assert reading.confidence == 0.9
    assert "incineration-fly-ash" in reading.suggestions   # the person confirming sees the other reading
    assert read_material("灰渣", sectors=["4411"]).confidence < reading.confidence


def test_the_main_sector_reads_first_and_a_disputing_sector_lowers_the_confidence():
    integrated = read_material("煤气", sectors=["3120", "3110", "3130"])
    assert (integrated.code, integrated.how) == ("converter-gas", "context")
    assert integrated.confidence <= 0.5 and "blast-furnace-gas" in integrated.suggestions
    assert read_material("煤气", sectors=["3110", "3120"]).code == "blast-furnace-gas"


@pytest.mark.parametrize("text", ["飞灰(危废)", "危废飞灰", "灰渣 HW18", "hazardous ash", "危险废物灰渣",
                                  "飞灰 772-002-18"])
def test_text_that_says_hazardous_waste_is_never_given_a_safe_reading(text):
    reading = read_material(text, sectors=["4411"])
    assert reading.code is None or load_knowledge().materials[reading.code].hazardous


def test_no_shipped_rule_gives_a_safe_reading_to_text_that_says_hazardous_waste():
    kb = load_knowledge()
    sectors = sorted({code for rule in load_context() for code in rule.sectors})
    terms = [(term, word) for term in kb.ambiguous for word in term.terms
             if any(kb.materials[code].hazardous for code in term.candidates)]
    assert terms
    for term, word in terms:
        for sector in sectors:
            for text in (f"{word}(危废)", f"危险废物{word}", f"{word} hazardous waste"):
                reading = read_material(text, sectors=[sector])
                assert reading.code is None or kb.materials[reading.code].hazardous, (text, sector, reading)


def test_rules_say_what_a_site_generates_so_a_want_keeps_its_reading():
    assert read_material("飞灰", sectors=["4411"], kind="want").how == "possibly_hazardous"
    assert read_material("石膏", sectors=["4411"], kind="want").how == "generic"


def test_a_learned_name_is_not_reread_by_the_context():
    learned = {"name:飞灰": "incineration-fly-ash"}
    assert read_material("飞灰", sectors=["4411"], learned=learned).how == "exact"


def test_every_shipped_rule_is_sourced_and_safe_readings_of_hazardous_names_are_documented():
    kb = load_knowledge()
    rules = load_context()
    assert len({rule.id for rule in rules}) == len(rules) >= 20
    for rule in rules:
        assert rule.sources and rule.because
        among = {code for code in rule.among} | {d for code in rule.among for d in kb.descendants(code)}
        if not kb.materials[rule.reading].hazardous and any(kb.materials[code].hazardous for code in among):
            assert rule.basis == "documented", rule.id
        if rule.basis == "judgement":
            assert rule.judgement, rule.id


def test_settle_returns_none_without_a_rule_for_the_site():
    assert settle(("coal-fly-ash", "incineration-fly-ash"), current="incineration-fly-ash", sectors=("1513",)) is None
    assert settle((), current=None, sectors=("4411",)) is None


GOOD_RULE = """
    - id: test-rule
      sectors: ["4411"]
      among: [byproduct-gypsum]
      reading: fgd-gypsum
      confidence: 0.9
      basis: judgement
      because: a test
      judgement: a test
      sources:
        - {ref: R12, what: FGD gypsum}
"""


def _rules_file(tmp_path, body: str, references: str = "") -> str:
    path = tmp_path / "context.yaml"
    path.write_text(references + "rules:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n",
                    encoding="utf-8")
    return str(path)


def test_a_well_formed_file_loads(tmp_path):
    [rule] = load_context(_rules_file(tmp_path, GOOD_RULE))
    assert (rule.id, rule.reading, rule.kinds) == ("test-rule", "fgd-gypsum", ("offer",))


@pytest.mark.parametrize("change, field", [
    (("reading: fgd-gypsum", "reading: coal-fly-ash"), "reading"),            # not among the candidates
    (("reading: fgd-gypsum", "reading: no-such-material"), "reading"),
    (('sectors: ["4411"]', 'sectors: ["9999"]'), "sectors"),
    (('sectors: ["4411"]', 'sectors: ["D"]'), "sectors"),
    (("among: [byproduct-gypsum]", "among: [nothing-like-it]"), "among"),
    (("basis: judgement", "basis: hunch"), "basis"),
    (("confidence: 0.9", "confidence: 1.5"), "confidence"),
    (("      judgement: a test\n", ""), "judgement"),
    (("- {ref: R12, what: FGD gypsum}", "- {ref: R9999, what: FGD gypsum}"), "sources"),
    (("      because: a test\n", "      becuase: a test\n"), "becuase"),
])
def test_a_bad_rule_is_refused_naming_its_field(tmp_path, change, field):
    old, new = change
    assert old in GOOD_RULE
    with pytest.raises(KnowledgeError) as caught:
        load_context(_rules_file(tmp_path, GOOD_RULE.replace(old, new)))
    assert caught.value.field == field and "test-rule" in str(caught.value)


def test_a_safe_reading_of_a_possibly_hazardous_name_must_be_documented(tmp_path):
    rule = (GOOD_RULE.replace("among: [byproduct-gypsum]", "among: [coal-fly-ash, incineration-fly-ash]")
            .replace("reading: fgd-gypsum", "reading: coal-fly-ash"))
    with pytest.raises(KnowledgeError, match="basis documented") as caught:
        load_context(_rules_file(tmp_path, rule))
    assert caught.value.field == "basis"
    documented = rule.replace("basis: judgement", "basis: documented")
    assert load_context(_rules_file(tmp_path, documented))[0].reading == "coal-fly-ash"
    towards_hazard = rule.replace("reading: coal-fly-ash", "reading: incineration-fly-ash")
    assert load_context(_rules_file(tmp_path, towards_hazard))[0].basis == "judgement"


def test_a_reference_may_not_redefine_one_of_the_knowledge_base(tmp_path):
    references = 'references:\n  R12: {title: "another title"}\n'
    with pytest.raises(KnowledgeError, match="already defined"):
        load_context(_rules_file(tmp_path, GOOD_RULE, references))


def test_a_sector_still_to_confirm_settles_no_hazard_question_on_the_safe_side():
    # A guessed trade documents nothing: 飞灰 stays possibly hazardous, while a choice between kinds of
    # equal hazard, or the hazardous reading, still follows the guess.
    assert read_material("飞灰", sectors=["4411"], sectors_confirmed=False).how == "possibly_hazardous"
    assert read_material("废电池", sectors=["3612"], sectors_confirmed=False).how == "possibly_hazardous"
    assert read_material("石膏", sectors=["4411"], sectors_confirmed=False).code == "fgd-gypsum"
    assert read_material("飞灰", sectors=["4417"], sectors_confirmed=False).how == "context"
