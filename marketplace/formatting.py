"""Numbers, units and times as the page's reader writes them.

Chinese: 140万吨/年, 3.7亿 Nm³/年, 元; English: 1.4M t/yr, 370M Nm³/yr, CNY. Thousands separators, never
scientific notation (a float printed as ``{{ x }}`` or ``'%g'`` gives ``1.4e+06``). Times are stored in UTC
and shown in China's time with the zone named. Every function takes the language (``"zh"``/``"en"``) so it can
be tested without a request; the template filters pass the page's.
"""
from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from babel.numbers import format_compact_decimal, format_decimal

CHINA_TIME = ZoneInfo("Asia/Shanghai")
# Below this a figure is written in full (12,345.6); from it on in 万 / 亿 (zh) or K / M (en).
COMPACT_FROM = 100_000
MISSING = "–"

# Base units and currencies: what a reader calls them. Chinese keeps the international symbols readers use
# (GJ, MWh, Nm³) and writes the ones with a common Chinese word in it.
UNIT_NAMES = {
    "zh": {"t": "吨", "kg": "千克", "Nm3": "Nm³", "m3": "m³", "L": "升", "GJ": "GJ", "MJ": "MJ", "MWh": "MWh",
           "kWh": "kWh", "CNY": "元", "km": "km"},
    "en": {"t": "t", "kg": "kg", "Nm3": "Nm³", "m3": "m³", "L": "L", "GJ": "GJ", "MJ": "MJ", "MWh": "MWh",
           "kWh": "kWh", "CNY": "CNY", "km": "km"},
}
_FOLDED = {language: {unit.casefold(): name for unit, name in names.items()} for language, names in UNIT_NAMES.items()}
PERIOD_NAMES = {"zh": {"yr": "年", "a": "年", "month": "月", "day": "天", "h": "小时"},
                "en": {"yr": "yr", "a": "yr", "month": "month", "day": "day", "h": "h"}}


def language_of(locale) -> str:
    """``"en"`` for any English locale, else ``"zh"`` (the product's first language)."""
    return "en" if str(locale or "").startswith("en") else "zh"


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def number(value: float | int | None, language: str = "zh", *, digits: int = 1) -> str:
    """A figure for a person: compact from 100,000 on (three significant figures), else in full.

    >>> number(1_400_000, "zh"), number(1_400_000, "en"), number(12345.67, "zh"), number(None, "en")
    ('140万', '1.4M', '12,345.7', '–')
    >>> number(2.96049e+08, "zh"), number(2.96049e+08, "en"), number(370_000_000, "zh")
    ('2.96亿', '296M', '3.7亿')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    language = language_of(language)
    if abs(value) >= COMPACT_FROM:
        magnitude = len(str(int(abs(value))))
        group = 4 if language == "zh" else 3  # 万 and 亿 are 10^4 and 10^8; K, M, B are 10^3 ...
        fraction = max(0, 2 - (magnitude - 1) % group)
        return format_compact_decimal(value, locale=language, fraction_digits=fraction)
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=language)


def unit_name(unit: str | None, language: str = "zh") -> str:
    """``t/yr`` -> ``吨/年`` or ``t/yr``; ``Nm3/day`` -> ``Nm³/天``; ``CNY/t`` -> ``元/吨``; unknown parts stay.

    >>> unit_name("t/yr", "zh"), unit_name("Nm3/yr", "en"), unit_name("CNY/t", "zh"), unit_name("GJ/a", "en")
    ('吨/年', 'Nm³/yr', '元/吨', 'GJ/yr')
    """
    if not unit:
        return ""
    language = language_of(language)
    base, _, per = unit.partition("/")
    name = UNIT_NAMES[language].get(base) or _FOLDED[language].get(base.casefold(), base)  # gj, mwh as GJ, MWh
    if not per:
        return name
    per_name = PERIOD_NAMES[language].get(per) or UNIT_NAMES[language].get(per, per)
    return f"{name}/{per_name}"


def quantity(value: float | None, unit: str | None, language: str = "zh", *, digits: int = 1) -> str:
    """``140万吨/年``, ``3.7亿 Nm³/年``, ``1.4M t/yr``, ``250 GJ/yr``: the figure and its unit.

    >>> quantity(1_400_000, "t/yr", "zh"), quantity(370_000_000, "Nm3/yr", "zh"), quantity(1_400_000, "t/yr", "en")
    ('140万吨/年', '3.7亿 Nm³/年', '1.4M t/yr')
    """
    name = unit_name(unit, language)
    if not name:
        return number(value, language, digits=digits)
    # Chinese writes a Chinese unit straight after the figure (140万吨), a symbol after a space (3.7亿 Nm³).
    joiner = "" if _has_han(name[:1]) else " "
    return f"{number(value, language, digits=digits)}{joiner}{name}"


def money(value: float | None, language: str = "zh", *, per: str | None = None, digits: int = 0) -> str:
    """``12.5万元``, ``125K CNY``, ``60元/吨``.

    >>> money(125_000, "zh"), money(125_000, "en"), money(60, "zh", per="t"), money(-800.4, "en")
    ('12.5万元', '125K CNY', '60元/吨', '-800 CNY')
    """
    return quantity(value, f"CNY/{per}" if per else "CNY", language, digits=digits)


def percent(value: float | None, language: str = "zh", *, digits: int = 1) -> str:
    """A share in per cent.

    >>> percent(61.95, "zh"), percent(None, "en")
    ('62 %', '–')
    """
    if value is None:
        return MISSING
    return format_decimal(value, format="#,##0" + ("." + "#" * digits if digits else ""),
                          locale=language_of(language)) + " %"


def china_time(value: dt.datetime | None, language: str = "zh", *, seconds: bool = False) -> str:
    """A stored time (UTC, naive or aware) in China's time with the zone: ``2026-12-05 09:30 北京时间``.

    >>> china_time(dt.datetime(2026, 12, 5, 1, 30), "zh"), china_time(dt.datetime(2026, 12, 5, 1, 30), "en")
    ('2026-12-05 09:30 北京时间', '2026-12-05 09:30 UTC+8')
    """
    if value is None:
        return MISSING
    if not isinstance(value, dt.datetime):  # a date has no time to move
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(CHINA_TIME)
    zone = "北京时间" if language_of(language) == "zh" else "UTC+8"
    return f"{local.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {zone}"


def china_date(value: dt.datetime | dt.date | None) -> str:
    """The day in China of a stored time (a date stays as it is)."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(CHINA_TIME).date().isoformat()
    return value.isoformat()
