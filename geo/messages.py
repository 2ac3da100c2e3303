"""Messages for people, kept as a template and its values so that each reader gets them in their language.

The engine (``geo``, ``matching``) and the services write English templates with named values
(``"%(text)r is not a number"``) and mark them with :func:`N_` so the catalogue extractor finds them; a
:class:`Message` *is* the English text (a ``str``), so logs, the command line and ``str(exc)`` read as before,
and it keeps the template and values for the web layer, which looks the template up in the translation
catalogue at render time (:func:`marketplace.errors.translated`). Nothing here knows about Flask.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping


def N_(template: str) -> str:
    """Mark ``template`` for translation without translating it (the extractor's keyword ``N_``)."""
    return template


class Message(str):
    """English text that remembers its template and values.

    >>> m = Message(N_("%(text)r is not a number"), text="5万")
    >>> str(m), m.template, m.params
    ("'5万' is not a number", '%(text)r is not a number', {'text': '5万'})
    >>> m.translate(lambda t: {"%(text)r is not a number": "%(text)r 不是数字"}.get(t, t))
    "'5万' 不是数字"
    """

    template: str
    params: dict

    def __new__(cls, template: str, /, **params) -> "Message":
        text = template % params  # always: a template writes a literal per cent as %%
        message = super().__new__(cls, text)
        message.template = template
        message.params = params
        return message

    def __reduce__(self):
        return _rebuild, (self.template, self.params)

    def as_data(self) -> dict:
        """The template and values as JSON can hold them, to store a message and render it later for each reader.

        >>> m = Message(N_("%(code)s (%(name)s)"), code="3011", name=Names("水泥制造", "Manufacture of cement"))
        >>> m.as_data()
        {'template': '%(code)s (%(name)s)', 'params': {'code': '3011', 'name': {'names': ['水泥制造', 'Manufacture of cement']}}}
        >>> Message.from_data(m.as_data()).translate(str, "en")
        '3011 (Manufacture of cement)'
        """
        return {"template": self.template, "params": {key: _value_data(value) for key, value in self.params.items()}}

    @classmethod
    def from_data(cls, data: Mapping) -> "Message":
        """The message :meth:`as_data` stored (values that were names or messages come back as such)."""
        params = data.get("params") or {}
        return cls(data["template"], **{key: _value_from_data(value) for key, value in params.items()})

    def translate(self, gettext: Callable[[str], str], language: str = "zh") -> str:
        """The text in the language ``gettext`` translates to; values that are messages or names follow."""
        params = {key: _translated(value, gettext, language) for key, value in self.params.items()}
        translated = gettext(self.template)
        try:
            return translated % params
        except (KeyError, TypeError, ValueError):  # a translation that lost a value: the English is right
            return str(self)


def _rebuild(template: str, params: Mapping) -> Message:
    return Message(template, **params)


class Names(str):
    """A name in both languages (a material's, a site's) as a message value: the Chinese one as text, the English
    one for an English reader when there is one.

    >>> Message(N_("%(name)s is not hazardous waste"), name=Names("粉煤灰", "coal fly ash")).translate(str, "en")
    'coal fly ash is not hazardous waste'
    """

    en: str | None

    def __new__(cls, zh: str, en: str | None = None) -> "Names":
        names = super().__new__(cls, zh)
        names.en = en
        return names

    def __reduce__(self):
        return Names, (str(self), self.en)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" and self.en else str(self)


class Phrase(Names):
    """A value in both languages whose text is the English one (``str()``, logs and the command line read
    English), while a Chinese reader gets the Chinese: for words the engine puts together from its data, such as
    a province's name in the description of the service area.

    >>> Message(N_("outside %(area)s"), area=Phrase("安徽省", "Anhui province")).translate(str, "zh")
    'outside 安徽省'
    >>> str(Message(N_("outside %(area)s"), area=Phrase("安徽省", "Anhui province")))
    'outside Anhui province'
    """

    zh: str

    def __new__(cls, zh: str, en: str) -> "Phrase":
        phrase = str.__new__(cls, en)
        phrase.en, phrase.zh = en, zh
        return phrase

    def __reduce__(self):
        return Phrase, (self.zh, self.en)

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class Listed(tuple):
    """Several values (names, messages, words) as one message value, joined by ``sep``, each in the reader's
    language.

    >>> Message(N_("could be %(sectors)s"), sectors=Listed([Phrase("炼钢", "steelmaking"), "3120"])).translate(str)
    'could be 炼钢, 3120'
    """

    sep: str

    def __new__(cls, values=(), sep: str = ", ") -> "Listed":
        listed = super().__new__(cls, values)
        listed.sep = sep
        return listed

    def __reduce__(self):
        return Listed, (tuple(self), self.sep)

    def __str__(self) -> str:
        return self.sep.join(map(str, self))


def _translated(value, gettext, language):
    if isinstance(value, Message):
        return value.translate(gettext, language)
    if isinstance(value, Names):
        return value.in_language(language)
    if isinstance(value, Listed):
        return Listed((_translated(v, gettext, language) for v in value), value.sep)
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Message, Names)) for v in value):
        return type(value)(_translated(v, gettext, language) for v in value)
    return value


# ------------------------------------------------------------------------------------------ stored messages

def _value_data(value):
    if isinstance(value, Message):
        return {"message": value.as_data()}
    if isinstance(value, Phrase):
        return {"phrase": [value.zh, value.en]}
    if isinstance(value, Names):
        return {"names": [str(value), value.en]}
    if isinstance(value, Listed):
        return {"listed": [value.sep, [_value_data(v) for v in value]]}
    if isinstance(value, (list, tuple)):
        return [_value_data(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _value_from_data(value):
    if isinstance(value, dict) and len(value) == 1:
        (kind, data), = value.items()
        if kind == "message":
            return Message.from_data(data)
        if kind == "phrase":
            return Phrase(*data)
        if kind == "names":
            return Names(*data)
        if kind == "listed":
            return Listed((_value_from_data(v) for v in data[1]), data[0])
    if isinstance(value, list):
        return [_value_from_data(v) for v in value]
    return value


def stored_message(value) -> "Message | str":
    """A stored message (:meth:`Message.as_data`) as a :class:`Message`; text stored before messages were kept
    (a plain string) as it is, so old rows still show.

    >>> stored_message({"template": "%(n)d problem(s)", "params": {"n": 2}})
    '2 problem(s)'
    >>> type(stored_message("written before")).__name__
    'str'
    """
    if isinstance(value, Mapping) and "template" in value:
        try:
            return Message.from_data(value)
        except (KeyError, TypeError, ValueError):  # a template whose values no longer fit: never fail to show
            return str(value.get("template"))
    return "" if value is None else str(value)
