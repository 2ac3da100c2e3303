"""Messages stored as JSON (template and values) come back as the same message for every reader."""
import json

import pytest

from geo.messages import Message, N_, Names, Phrase, stored_message

ZH = {"%(text)r: read as %(code)s (%(name)s); please confirm": "“%(text)s”：识别为 %(code)s（%(name)s），请确认",
      "%(first)s; %(rest)s": "%(first)s；%(rest)s", "outside %(area)s": "在%(area)s以外"}


def zh(template: str) -> str:
    return ZH.get(template, template)


MESSAGES = [
    Message(N_("%(text)r: read as %(code)s (%(name)s); please confirm"), text="盐化工", code="2612",
            name=Names("无机碱制造", "Manufacture of inorganic alkalis")),
    Message(N_("%(first)s; %(rest)s"), first=Message(N_("outside %(area)s"), area=Phrase("安徽省", "Anhui province")),
            rest=Message(N_("%(n)d problem(s)"), n=3)),
    Message(N_("%(names)s"), names=[Names("粉煤灰", None), 2.5]),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_a_stored_message_reads_back_the_same_in_each_language(message):
    stored = json.loads(json.dumps(message.as_data(), ensure_ascii=False))
    again = stored_message(stored)
    assert isinstance(again, Message) and again == message
    for language, gettext in (("en", str), ("zh", zh)):
        assert again.translate(gettext, language) == message.translate(gettext, language)


def test_names_follow_the_reader_after_storing():
    again = stored_message(json.loads(json.dumps(MESSAGES[0].as_data())))
    assert again.translate(str, "en") == "'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm"
    assert again.translate(zh, "zh") == "“盐化工”：识别为 2612（无机碱制造），请确认"
    assert "在安徽省以外；3 problem(s)" == stored_message(MESSAGES[1].as_data()).translate(zh, "zh")


@pytest.mark.parametrize("old", ["'盐化工': read as 2612 (无机碱制造); please confirm", ""])
def test_text_stored_before_messages_stays_as_it_is(old):
    assert stored_message(old) == old and not isinstance(stored_message(old), Message)


def test_a_stored_message_whose_values_no_longer_fit_still_shows():
    assert stored_message({"template": "%(gone)s left", "params": {}}) == "%(gone)s left"
