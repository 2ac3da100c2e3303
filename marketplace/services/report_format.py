"""Numbers as the report's and the run summary's reader reads them: 140万吨/年 and 3.7亿 Nm³/年 in Chinese,
1.4M t/yr in English; thousands separators, never scientific notation.

Formatted with Babel directly (the app's shared number filters may replace these; same results wanted).
"""
from __future__ import annotations

from babel.numbers import format_compact_decimal, format_decimal

# Below this a figure is written in full (12,345.6); above it in 万 / 亿 (zh) or K / M (en).
COMPACT_FROM = 100_000
UNIT_NAMES = {"zh": {"t": "吨", "Nm3": "Nm³", "m3": "m³", "GJ": "GJ", "MWh": "MWh", "CNY": "元"},
              "en": {"t": "t", "Nm3": "Nm³", "m3": "m³", "GJ": "GJ", "MWh": "MWh", "CNY": "CNY"}}
PER_YEAR = {"zh": "/年", "en": "/yr"}


def _language(locale: str) -> str:
    return "en" if str(locale).startswith("en") else "zh"


def number(value: float | int | None, locale: str, *, digits: int = 1) -> str:
    """A figure for a person: compact when large, else in full with at most ``digits`` decimals.

    >>> number(1_400_000, "zh"), number(1_400_000, "en"), number(12345.67, "zh"), number(None, "en")
    ('140万', '1.4M', '12,345.7', '–')
    >>> number(296049000.5, "zh"), number(2.96049e+08, "en")
    ('2.96亿', '296M')
    """
    if value is None:
        return "–"
    language = _language(locale)
    if abs(value) >= COMPACT_FROM:
        # Three significant figures: 2.96亿, 296M, 140万.
        magnitude = len(str(int(abs(value))))
        fraction = max(0, 2 - (magnitude - 1) % 4) if language == "zh" else max(0, 2 - (magnitude - 1) % 3)
        return format_compact_decimal(value, locale=language, fraction_digits=fraction)
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=language)


def quantity(value: float | None, unit: str, locale: str, *, per_year: bool = True) -> str:
    """``140万吨/年``, ``3.7亿 Nm³/年``, ``1.4M t/yr``.

    >>> quantity(1_400_000, "t", "zh"), quantity(370_000_000, "Nm3", "zh"), quantity(1_400_000, "t", "en")
    ('140万吨/年', '3.7亿 Nm³/年', '1.4M t/yr')
    """
    language = _language(locale)
    name = UNIT_NAMES[language].get(unit, unit)
    joiner = "" if any("\u4e00" <= ch <= "\u9fff" for ch in name) else " "  # 140万吨, 3.7亿 Nm³
    return f"{number(value, locale)}{joiner}{name}{PER_YEAR[language] if per_year else ''}"


def money(value: float | None, locale: str, *, per_year: bool = True) -> str:
    """``12.5万元/年``, ``125K CNY/yr``.

    >>> money(125_000, "zh"), money(125_000, "en"), money(-800, "zh", per_year=False)
    ('12.5万元/年', '125K CNY/yr', '-800元')
    """
    return quantity(value, "CNY", locale, per_year=per_year)


def percent(value: float | None, locale: str) -> str:
    """A share in per cent, one decimal.

    >>> percent(61.95, "zh"), percent(None, "en")
    ('62.0 %', '–')
    """
    if value is None:
        return "–"
    return format_decimal(value, format="0.0", locale=_language(locale)) + " %"
