import ast
from pathlib import Path

import pytest

from marketplace.identifiers import (
    CreditCodeCheck,
    CreditCodeError,
    check_credit_code,
    credit_code_check_char,
    make_credit_code,
)

# Real codes published in open-source validators' tests and docs:
VALID_CODES = [
    # dromara/hutool, hutool-core/src/test/java/cn/hutool/core/util/CreditCodeUtilTest.java
    "91310110666007217T",
    "91310115591693856A",
    # pandaoh/js-xxx, docs/functions/isCreditCode.md (isCreditCode('9144030071526726XG') -> true)
    "9144030071526726XG",
    # 02020/vite, learn/utils/validateSocialCreditCode.js: the worked example of the check
    # computation, and codes from its test list
    "91512081MA62K0260E",
    "91350200776049653A",
    "91110107082833558H",
    "91420103594531449D",
    "123502001549897397",  # a public institution (事业单位, "12")
]


@pytest.mark.parametrize("code", VALID_CODES)
def test_real_codes_pass(code):
    assert check_credit_code(code) == CreditCodeCheck(code=code, check_ok=True, expected_check=code[-1])


@pytest.mark.parametrize(
    ("code", "expected_check"),
    [
        # Early pilot-region codes that fail the GB 32100 check but are real: hutool's test
        # asserts 91350211M00013FA1N fails; 02020/vite whitelists 91350203M0001QAY9B.
        ("91350211M00013FA1N", "3"),
        ("91350203M0001QAY9B", "9"),
        # A real code with its check character changed.
        ("91310110666007217A", "T"),
    ],
)
def test_wrong_check_character_is_flagged_not_refused(code, expected_check):
    result = check_credit_code(code)
    assert result.check_ok is False
    assert result.expected_check == expected_check
    assert result.code == code


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        (" 91310110666007217t ", "91310110666007217T"),
        ("9131 0110 6660 0721 7T", "91310110666007217T"),
        ("91310110666007217T\u3000", "91310110666007217T"),  # full-width space
    ],
)
def test_spaces_and_case_are_normalised(text, normalised):
    assert check_credit_code(text).code == normalised
    assert check_credit_code(text).check_ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "credit_code: empty"),
        ("9131011066600721", "has 16 characters; it must have 18"),
        ("91310110666007217TX", "has 19 characters; it must have 18"),
        ("91310110666007217O", "'O' at position 18"),
        ("9I310110666007217T", "'I' at position 2"),
        ("91310110-66600721T", "'-' at position 9"),
        ("913101S0666007217T", "'S' at position 7"),
        ("91A10110666007217T", "characters 3-8 must be the 6-digit administrative division code, got 'A10110'"),
    ],
)
def test_malformed_codes_are_refused(text, message):
    with pytest.raises(CreditCodeError, match=message) as info:
        check_credit_code(text)
    assert info.value.field == "credit_code"


def test_check_char_and_make_credit_code_agree_with_real_codes():
    for code in VALID_CODES:
        assert credit_code_check_char(code[:17]) == code[17]
        assert make_credit_code(code[:17].lower()) == code


def test_made_codes_pass_the_check():
    made = [make_credit_code(f"91340100{n:09d}") for n in range(200)]
    assert all(check_credit_code(code).check_ok for code in made)
    assert len({code[-1] for code in made}) > 20  # check characters spread over the alphabet


@pytest.mark.parametrize("first17", ["9134010000000000", "913401000000000001", "91340100MA2TS0001"])
def test_check_char_refuses_bad_input(first17):
    with pytest.raises(CreditCodeError, match="credit_code"):
        credit_code_check_char(first17)


def test_module_imports_nothing_from_the_web_stack():
    import marketplace.identifiers as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported == {"__future__", "re", "dataclasses"}
