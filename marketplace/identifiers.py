"""Unified social credit code (统一社会信用代码, GB 32100-2015).

Pure Python on purpose (no Flask, no SQLAlchemy) so imports, the demo
generator and tests can use it anywhere.

Structure (DOMAIN.md 4.1): 18 characters from a 31-symbol alphabet (digits
and capitals without I, O, S, V, Z) -- [1] registration authority,
[2] organisation type, [3-8] 6-digit administrative division code,
[9-17] organisation code (GB 11714), [18] check character. The check value is
``(31 - sum(v_i * w_i) mod 31) mod 31`` with weights ``w_i = 3**(i-1) mod 31``.
Some early codes from pilot regions fail the check (DOMAIN.md 4.1 cites
91350203M0001QAY9B), so a wrong check character is reported, not refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
# DOMAIN.md 4.1: two alphabet characters, six digits, ten alphabet characters.
CREDIT_CODE_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
FIELD = "credit_code"


class CreditCodeError(ValueError):
    """A credit code that is not even well-formed; ``field`` is ``"credit_code"``."""

    field = FIELD


@dataclass(frozen=True)
class CreditCodeCheck:
    """Result of :func:`check_credit_code`.

    ``code`` is the normalised code (no spaces, upper case); ``check_ok`` says
    whether its 18th character equals ``expected_check``.
    """

    code: str
    check_ok: bool
    expected_check: str


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters.

    Raises
    ------
    CreditCodeError
        Not 17 characters of the credit-code alphabet.

    Examples
    --------
    >>> credit_code_check_char("91310110666007217")
    'T'
    """
    body = first17.strip().upper()
    if len(body) != 17:
        raise CreditCodeError(f"credit_code: need 17 characters before the check character, got {len(body)}")
    bad = sorted({char for char in body if char not in _VALUES})
    if bad:
        raise CreditCodeError(f"credit_code: characters {''.join(bad)!r} are not used in credit codes")
    total = sum(_VALUES[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """Append the check character to 17 characters (used by the demo generator).

    Examples
    --------
    >>> make_credit_code("91340100MA2T0EM01")
    '91340100MA2T0EM01F'
    """
    body = first17.strip().upper()
    return body + credit_code_check_char(body)


def check_credit_code(text: str) -> CreditCodeCheck:
    """Normalise and check a credit code.

    Spaces (including full-width ones) are removed and letters upper-cased.

    Raises
    ------
    CreditCodeError
        Wrong length, characters outside the alphabet (I, O, S, V, Z and
        punctuation are never used), or letters where the division code's six
        digits belong. The message says which.

    Returns
    -------
    CreditCodeCheck
        For a well-formed code; ``check_ok`` is False when the check character
        is wrong (accept but flag it).

    Examples
    --------
    >>> check_credit_code("9131 0110 6660 0721 7t")
    CreditCodeCheck(code='91310110666007217T', check_ok=True, expected_check='T')
    >>> check_credit_code("91310110666007217A").check_ok
    False
    """
    code = re.sub(r"\s+", "", str(text)).upper()
    if not code:
        raise CreditCodeError("credit_code: empty; a unified social credit code has 18 characters")
    if len(code) != 18:
        raise CreditCodeError(f"credit_code: {code!r} has {len(code)} characters; it must have 18")
    bad = [f"{char!r} at position {position}"
           for position, char in enumerate(code, start=1) if char not in _VALUES]
    if bad:
        raise CreditCodeError(
            f"credit_code: {code!r} contains {', '.join(bad)}; only digits and capital letters "
            "except I, O, S, V, Z are used"
        )
    if not CREDIT_CODE_PATTERN.match(code):
        raise CreditCodeError(
            f"credit_code: {code!r}: characters 3-8 must be the 6-digit administrative division code, "
            f"got {code[2:8]!r}"
        )
    expected = credit_code_check_char(code[:17])
    return CreditCodeCheck(code=code, check_ok=code[17] == expected, expected_check=expected)
