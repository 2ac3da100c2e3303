"""Figures, units and times as each reader writes them (marketplace.formatting) and messages in the reader's
language (geo.messages through marketplace.errors)."""
from __future__ import annotations

import datetime as dt

import pytest

from geo.messages import Message, N_, Names
from marketplace import formatting


@pytest.mark.parametrize(("value", "language", "written"), [
    (1_400_000, "zh", "140万"), (1_400_000, "en", "1.4M"),
    (370_000_000, "zh", "3.7亿"), (370_000_000, "en", "370M"),
    (2.96049e+08, "zh", "2.96亿"), (2.96049e+08, "en", "296M"),
    (12_345.67, "zh", "12,345.7"), (12_345.67, "en", "12,345.7"),
    (99_999, "en", "99,999"), (0.25, "zh", "0.2"), (-800.0, "en", "-800"),
    (None, "zh", "–"), (float("nan"), "en", "–"),
])
def test_numbers_are_compact_in_each_language_and_never_scientific(value, language, written):
    assert formatting.number(value, language) == written
    assert "e+" not in formatting.number(value, language)


@pytest.mark.parametrize(("value", "unit", "language", "written"), [
    (1_400_000, "t/yr", "zh", "140万吨/年"),
    (370_000_000, "Nm3/yr", "zh", "3.7亿 Nm³/年"),
    (1_400_000, "t/yr", "en", "1.4M t/yr"),
    (250, "GJ/yr", "zh", "250 GJ/年"),
    (30, "t/day", "zh", "30吨/天"),
    (5_000, "m3/month", "en", "5,000 m³/month"),
    (12, "t", "en", "12 t"),
])
def test_quantities_carry_their_unit_in_words(value, unit, language, written):
    assert formatting.quantity(value, unit, language) == written


def test_money_is_in_yuan_or_cny():
    assert formatting.money(125_000, "zh") == "12.5万元"
    assert formatting.money(125_000, "en") == "125K CNY"
    assert formatting.money(60, "zh", per="t") == "60元/吨"
    assert formatting.money(60, "en", per="t") == "60 CNY/t"


def test_unit_names_accept_any_case_and_keep_unknown_units():
    assert formatting.unit_name("gj", "zh") == "GJ"
    assert formatting.unit_name("CNY/t", "zh") == "元/吨"
    assert formatting.unit_name("furlong/yr", "zh") == "furlong/年"


def test_times_are_shown_in_china_time_with_the_zone():
    stored = dt.datetime(2026, 12, 5, 17, 30)  # UTC, as the database keeps it: the next morning in China
    assert formatting.china_time(stored, "zh") == "2026-12-06 01:30 北京时间"
    assert formatting.china_time(stored.replace(tzinfo=dt.timezone.utc), "en") == "2026-12-06 01:30 UTC+8"
    assert formatting.china_date(stored) == "2026-12-06"
    assert formatting.china_date(dt.date(2026, 12, 5)) == "2026-12-05"


def test_a_message_is_english_text_that_a_catalogue_translates():
    catalogue = {"%(text)r is not a number": "%(text)r 不是数字",
                 "%(name)s is not hazardous waste": "%(name)s不属于危险废物"}
    message = Message(N_("%(text)r is not a number"), text="5万")
    assert message == "'5万' is not a number" and str(message) == "'5万' is not a number"
    assert message.translate(lambda t: catalogue.get(t, t)) == "'5万' 不是数字"
    named = Message(N_("%(name)s is not hazardous waste"), name=Names("粉煤灰", "coal fly ash"))
    assert named.translate(lambda t: catalogue.get(t, t), "zh") == "粉煤灰不属于危险废物"
    assert named.translate(lambda t: t, "en") == "coal fly ash is not hazardous waste"
    # A literal per cent survives with and without values.
    assert Message(N_("moisture at most 10 %%")) == "moisture at most 10 %"


def test_a_service_error_reaches_the_page_in_the_readers_language(app):
    from flask import session
    from flask_babel import refresh

    from marketplace.errors import field_error_text
    from marketplace.services.errors import FieldError

    error = FieldError("quantity", Message(N_("the quantity must be more than zero")), row=3)
    # A page's reader is who chose a language on the site (/lang/<code>); the browser's header is not asked.
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        session["lang"] = "en"
        refresh()  # the locale is kept for the test's app context: choose it again for this request
        assert field_error_text(error) == "row 3, quantity: the quantity must be more than zero"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        from flask_babel import gettext

        session["lang"] = "zh"
        refresh()
        # Whatever the catalogue holds for the template, the page shows exactly that, with its values.
        expected = gettext("row %(row)s, %(field)s: %(message)s", row=3, field="quantity",
                           message=gettext("the quantity must be more than zero"))
        assert field_error_text(error) == expected and "数量" in expected
