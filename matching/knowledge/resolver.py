"""Find the material a user means from a code, a name or synonym, a category or a hazardous-waste code.

Text that names no material exactly is read in two more ways before giving up: without grade,
class and form qualifiers or bracketed remarks (``II级粉煤灰``, ``Fly Ash (Class F)``, ``干排粉煤灰``;
:mod:`~matching.knowledge.qualifiers`), and by the known names it contains (``电厂干排粉煤灰``,
"fly ash from Asnæs power station"; :mod:`~matching.knowledge.containment`). A descriptive name is read by
its head: plants write "<stream> as/for/from <use or origin>" ("fly ash as cement raw material", "metals
removed from waste paper", 粉煤灰用于水泥生产), so the phrase before the joining word names the stream and
the names after it are its use or origin (:func:`split_phrase`); a Chinese compound names its stream last
(焦炉气制甲醇驰放气 is purge gas). A want whose stream names nothing is read by its use when that is a product
of the knowledge base ("rest biomass for biogas" wants digester feedstock; :func:`use_reading`). No reading
may carry a hazardous lot into a non-hazardous material: text that also names a hazardous material, or
says it is hazardous waste, is refused rather than guessed.

:func:`read_material` is the open-vocabulary reading a listing uses: it never refuses a name. A generic
name (石膏, 污泥, wastewater) is read as the generic material; a name whose readings differ in hazard
(飞灰) as its hazardous reading, marked possibly hazardous; a name it cannot place is unclassified, with
the closest materials as suggestions. Names administrators have classified (learned synonyms, kept
outside the shipped files) are applied first. Given the site's sectors, a name that may mean several
materials (or a generic name) is read as the one the site's trade documents, by the reviewed rules of
``context.yaml`` (:mod:`~matching.knowledge.context`): a power plant's 飞灰 is coal fly ash.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from matching.knowledge.containment import ContainedName
from matching.knowledge.context import settle
from matching.knowledge.errors import AmbiguousMaterial, UnknownMaterial
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import Material
from matching.knowledge.qualifiers import split_qualifiers
from matching.knowledge.text import clean, lookup_key, suggest
from matching.knowledge.unclassified import unclassified_code
from geo.messages import Message, N_

__all__ = ["READINGS", "MaterialReading", "Phrase", "Resolution", "hazard_code_in", "read_material",
           "resolve_material", "resolve_material_text", "split_alternatives", "split_phrase", "use_reading",
           "wanted_reading"]

# How a name was read, most certain first.
READINGS = ("exact", "qualifier", "context", "contained", "generic", "possibly_hazardous", "unclassified")
# Confidence of each reading: how sure the platform is that the code is what the plant means.
# A "context" reading (settled by the site's sector) carries its rule's confidence instead.
CONFIDENCE = {"exact": 1.0, "qualifier": 0.9, "context": 0.8, "contained": 0.7, "generic": 0.8,
              "possibly_hazardous": 0.5, "unclassified": 0.0}
# A want read by its use ("<something> for biogas" wants digester feedstock): less sure than a name found in it.
USE_CONFIDENCE = 0.6
_HOW = {"code": "exact", "name": "exact", "qualified": "qualifier", "contained": "contained"}

# Applied to NFKC-cleaned, upper-cased text.
_CATALOGUE_CODE = re.compile(r"(\d{3})-?(\d{3})-?S(\d{2})")
_CATEGORY_CODE = re.compile(r"S(?:W)?(\d{1,2})")
_HW_CATEGORY_TEXT = re.compile(r"HW(\d{1,2})")
_HW_CODE_TEXT = re.compile(r"(\d{3})-?(\d{3})-?(\d{2})")
# Words and codes that say a lot is hazardous waste, whatever name stands next to them.
_SAYS_HAZARDOUS = re.compile(
    r"危废|危险废物|hazardous|(?<![A-Za-z])HW\s?\d{2}(?!\d)|(?<!\d)\d{3}-\d{3}-\d{2}(?!\d)", re.IGNORECASE
)


@dataclass(frozen=True)
class Resolution:
    """The material a text names, with the quality its qualifiers state and how it was found.

    ``quality`` holds category values written into the name that the material does not already
    imply (``{"grade": "II"}`` for ``II级粉煤灰``); ``how`` is ``"code"``, ``"name"`` (an exact
    name or synonym), ``"qualified"`` (a name once qualifiers were taken off) or ``"contained"``
    (a known name inside the text).
    """

    material: Material
    quality: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    how: str = "name"


def resolve_material(text: str, *, knowledge: Knowledge | None = None) -> Material:
    """Find the material a user means.

    Accepts a material code, any name or synonym in Chinese or English
    (ignoring case, full-width characters, spaces, hyphens and punctuation),
    a general-solid-waste category (``S02``, legacy ``SW02``), a 9-character
    catalogue code (``441-001-S02``), a hazardous category (``HW31``) or an
    8-digit hazardous-waste code (``900-052-31``); failing those, a name with
    grade or class qualifiers, or a text holding a known name
    (:func:`resolve_material_text` says which, and returns the grade too).

    Raises
    ------
    AmbiguousMaterial
        If the text names several materials ("gypsum", "石膏", "飞灰");
        ``.candidates`` lists their codes.
    UnknownMaterial
        If nothing matches; ``.suggestions`` holds up to five close codes.

    Examples
    --------
    >>> resolve_material("PFA").code
    'coal-fly-ash'
    >>> resolve_material("441-001-S02").code
    'coal-fly-ash'
    >>> resolve_material("900-052-31").code
    'lead-acid-battery'
    >>> resolve_material("Fly Ash (Class F)").code
    'coal-fly-ash-class-f'
    """
    return resolve_material_text(text, knowledge=knowledge).material


def resolve_material_text(text: str, *, knowledge: Knowledge | None = None) -> Resolution:
    """Find the material a user means, and the grade or class written into the name.

    Tries, in order: codes and categories; the whole text as a name or synonym; the text without
    qualifiers (grade 一级/Ⅱ级/grade II, class F类/class C, form 干排/湿排/dry/wet, bracketed
    remarks); the known names the text contains. A class or grade that a more specific material
    implies selects it (class F fly ash is ``coal-fly-ash-class-f``); one that is a quality value of
    the material is returned in ``quality``.

    Raises
    ------
    AmbiguousMaterial
        If the text names several unrelated materials, or a name that means several.
    UnknownMaterial
        If nothing matches, or the text says hazardous waste and names only a non-hazardous material.

    Examples
    --------
    >>> found = resolve_material_text("Ⅱ级粉煤灰")
    >>> found.material.code, dict(found.quality), found.how
    ('coal-fly-ash', {'grade': 'II'}, 'qualified')
    >>> resolve_material_text("电厂干排粉煤灰").how
    'qualified'
    >>> resolve_material_text("生活垃圾焚烧飞灰").material.code
    'incineration-fly-ash'
    """
    kb = knowledge or load_knowledge()
    typed = clean(str(text))
    if not typed:
        raise UnknownMaterial(Message(N_("material: empty value")), field="material")
    return _resolve(kb, typed)


# An import repeats the same few spellings thousands of times; the fallbacks cost ~0.1 ms each.
@functools.lru_cache(maxsize=4096)
def _resolve(kb: Knowledge, typed: str) -> Resolution:
    by_code = _by_code(kb, typed)
    if by_code is not None:
        return Resolution(by_code, how="code")

    named = _named(kb, typed)
    if isinstance(named, str):
        return Resolution(kb.materials[named])
    if named:
        raise AmbiguousMaterial(
            Message(N_("material: %(typed)r is ambiguous; say which of %(named)s"),
                    typed=typed, named=', '.join(named)), candidates=named
        )

    qualifiers = split_qualifiers(typed)
    code: str | None = None
    how = "qualified"
    unsure: tuple[str, ...] = ()
    if qualifiers.found and qualifiers.remainder:
        named = _named(kb, qualifiers.remainder)
        if isinstance(named, str):
            code = named
        elif named:
            unsure = named
    if code is None:
        how = "contained"
        whole: str | None = None
        whole_unsure: tuple[str, ...] = ()
        for part in dict.fromkeys((qualifiers.remainder, typed)):
            contained = _contained(kb, part) if part else None
            if isinstance(contained, str):
                whole = contained
                break
            if contained:
                whole_unsure = tuple(dict.fromkeys((*whole_unsure, *contained)))
        code, unsure = _by_head(kb, split_phrase(qualifiers.remainder or typed), whole, (*unsure, *whole_unsure))
    if code is None:
        if unsure:
            raise AmbiguousMaterial(
                Message(N_("material: %(typed)r may mean any of %(unsure)s; say which"),
                        typed=typed, unsure=', '.join(unsure)), candidates=unsure
            )
        raise UnknownMaterial(
            Message(N_("material: %(typed)r matches no material, synonym or code"), typed=typed),
            field="material",
            suggestions=suggest(typed, kb._index.labels),
        )
    _refuse_hazard_crossing(kb, code, typed)
    material, quality = _apply_qualifiers(kb, code, qualifiers.quality)
    return Resolution(material, MappingProxyType(quality), how)


def _by_code(kb: Knowledge, typed: str) -> Material | None:
    """The material a category, catalogue or hazardous-waste code names; ``None`` if the text is no code."""
    upper = typed.upper()
    index = kb._index
    catalogue = _CATALOGUE_CODE.fullmatch(upper)
    category = _CATEGORY_CODE.fullmatch(upper)
    if catalogue or category:
        number = int((catalogue or category).group(3 if catalogue else 1))  # type: ignore[union-attr]
        if not 1 <= number <= 59 or number == 8:
            raise UnknownMaterial(
                Message(N_("material: %(typed)r is not an industrial solid-waste category (S01-S59, no S08)"),
                        typed=typed),
                field="material",
                suggestions=[kb.category_head("S59").code] if "S59" in index.heads_by_category else [],
            )
        return kb.category_head(f"S{number:02d}")

    hw_category = _HW_CATEGORY_TEXT.fullmatch(upper)
    if hw_category:
        return kb.category_head(f"HW{int(hw_category.group(1)):02d}")

    hw_code = _HW_CODE_TEXT.fullmatch(upper)
    if hw_code:
        code = "-".join(hw_code.groups())
        holders = index.materials_by_hw_code.get(code, ())
        if holders:
            return _most_specific(kb, holders, typed)
        category_code = f"HW{hw_code.group(3)}"
        raise UnknownMaterial(
            Message(N_("material: hazardous-waste code %(code)s is not in the knowledge base"), code=code),
            field="material",
            suggestions=list(index.heads_by_category.get(category_code, ()))[:5],
        )
    return None


def _named(kb: Knowledge, text: str) -> str | tuple[str, ...] | None:
    """The code the text names exactly, the candidates of an ambiguous term, or ``None``."""
    index = kb._index
    keys = (lookup_key(text), lookup_key(_singular(text)))
    for key in keys:
        code = index.codes_by_key.get(key)
        if code is not None:
            return code
    return index.ambiguous_by_key.get(keys[0]) or index.ambiguous_by_key.get(keys[1])


def _contained(kb: Knowledge, text: str) -> str | tuple[str, ...] | None:
    """The one material the names inside ``text`` agree on, or all their candidates, or ``None``.

    Names agree when each stands for the chosen material, an ancestor or a descendant of it
    (``粉煤灰`` and ``F类灰`` choose class F fly ash); an ambiguous term agrees when one of its
    candidates does. Two names of unrelated materials make the text ambiguous, whatever their length.
    """
    found = kb._index.finder.find(text)
    if not found:
        return None
    definite = {name.codes[0] for name in found if len(name.codes) == 1}
    leaves = [code for code in definite if not any(code in kb.ancestors(other) for other in definite)]
    if len(leaves) == 1:
        leaf = leaves[0]
        if all(any(_related(kb, leaf, code) for code in name.codes) for name in found):
            return leaf
    head = _chinese_head(text, found)
    if head is not None:
        return head.codes[0] if len(head.codes) == 1 else head.codes
    return tuple(dict.fromkeys(code for name in found for code in name.codes))


# Words saying the text names a mixture of the streams (钢渣粉煤灰混合料, 含油污泥), not one stream and its origin.
_MIXTURE = re.compile(r"混合|混料|掺|含|夹杂|复合|mix", re.IGNORECASE)
# Between two names, these make them a list of streams (粉煤灰、矿渣), not a stream and its origin.
_LIST_MARKS = re.compile(r"[、,，/;；&+]|和|及|与|或|以及|and|or", re.IGNORECASE)


def _chinese_head(text: str, found: Sequence[ContainedName]) -> ContainedName | None:
    """The last of the Chinese names in ``text``, when nothing lists them as several streams.

    A Chinese compound names its stream last and its origin or process before it: 焦炉气制甲醇驰放气 is purge gas
    (of coke-oven-gas methanol), 高炉煤气余热 waste heat. ``None`` when an English name is among them, a list mark
    (、 , / 和 及) stands between two of them, or the text says it is a mixture (混合料, 含, 掺).
    """
    if len(found) < 2 or any(name.start < 0 for name in found) or _MIXTURE.search(text):
        return None
    key = lookup_key(text)
    ordered = sorted(found, key=lambda name: (name.end, name.end - name.start))
    for before, after in zip(ordered, ordered[1:]):
        if before.end > after.start:
            return None  # overlapping names: no order to read
        if _LIST_MARKS.search(_between(text, key, before.end, after.start)):
            return None
    return ordered[-1]


def _between(text: str, key: str, start: int, end: int) -> str:
    """The written text between the lookup key's characters ``start - 1`` and ``end``, punctuation included."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = [index for index, char in enumerate(folded) if lookup_key(char)]
    if len(kept) != len(key):
        return ""  # a character whose key is longer than itself: positions cannot be mapped
    first = kept[start - 1] + 1 if start > 0 else 0
    last = kept[end] if end < len(kept) else len(folded)
    return folded[first:last]


def _related(kb: Knowledge, first: str, second: str) -> bool:
    return first == second or first in kb.ancestors(second) or second in kb.ancestors(first)


@dataclass(frozen=True)
class Phrase:
    """A descriptive name cut at the word joining the stream to its use or origin.

    ``head`` names the stream ("fly ash" in "fly ash as cement raw material"), ``tail`` what follows the joining
    words, ``use`` whether those say what the stream is for (as, for, to, 用于, 作为) rather than where it comes
    from (from, removed from, in, 来自).
    """

    head: str
    tail: str
    use: bool


# Words that join a stream's name to its use or origin: plants write "<stream> as/for/from <use or origin>".
_USE_WORDS = frozenset({"as", "for", "to", "into", "used"})
_ORIGIN_WORDS = frozenset({"from", "in", "at", "by", "of", "with", "after", "during", "via", "removed", "recovered",
                           "separated", "extracted", "collected", "generated", "produced", "arising", "left",
                           "taken", "obtained", "derived"})
# The same in Chinese, between the stream and its use or origin: 粉煤灰用于水泥生产, 废塑料作为高炉还原剂, 来自电厂的粉煤灰.
_CHINESE_JOINS = (("用于", True), ("用作", True), ("作为", True), ("供给", True), ("送往", True),
                  ("来自", False), ("源自", False), ("产自", False))
# A use written as a process ("sulphuric acid production", 水泥生产): the product is named without these.
_PROCESS_WORDS = re.compile(r"(?:\s+(?:production|manufacture|manufacturing|making|plants?|works|use|industry|"
                            r"purposes?|processing))+$|(?:生产|制造|行业|企业|工厂|使用|利用)+$", re.IGNORECASE)
_LEADING_WORDS = re.compile(r"^(?:(?:the|a|an|use|making|producing|production|of)\s+)+", re.IGNORECASE)


def split_phrase(text: str) -> Phrase | None:
    """The stream named at the head of a descriptive name, and its use or origin; ``None`` if there is no join.

    Examples
    --------
    >>> split_phrase("fly ash as cement raw material")
    Phrase(head='fly ash', tail='cement raw material', use=True)
    >>> split_phrase("metals removed from waste paper")
    Phrase(head='metals', tail='waste paper', use=False)
    >>> split_phrase("废塑料用于高炉喷吹")
    Phrase(head='废塑料', tail='高炉喷吹', use=True)
    >>> split_phrase("used plastics") is None
    True
    """
    words = clean(text).split(" ")
    for index, word in enumerate(words):
        if index == 0 or word.casefold() not in _USE_WORDS | _ORIGIN_WORDS:
            continue
        end = index
        while end < len(words) and words[end].casefold() in _USE_WORDS | _ORIGIN_WORDS:
            end += 1
        tail = " ".join(words[end:])
        if tail:
            use = any(each.casefold() in _USE_WORDS for each in words[index:end])
            return Phrase(" ".join(words[:index]), tail, use)
    cleaned = clean(text)
    for join, use in _CHINESE_JOINS:
        at = cleaned.find(join)
        if at > 0 and cleaned[at + len(join):].strip():
            return Phrase(cleaned[:at].strip(), cleaned[at + len(join):].strip(), use)
    return None


def _read_phrase(kb: Knowledge, text: str) -> str | tuple[str, ...] | None:
    """What a short phrase names: exactly, without its qualifiers, or by the names inside it."""
    if not lookup_key(text):
        return None
    named = _named(kb, text)
    if named:
        return named
    remainder = split_qualifiers(text).remainder
    if remainder and remainder != text:
        named = _named(kb, remainder)
        if named:
            return named
    return _contained(kb, remainder or text)


def _by_head(kb: Knowledge, phrase: Phrase | None, whole: str | None,
             unsure: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The reading of a descriptive name: its head phrase names the stream; the rest is its use or origin.

    The names found in the whole text stand when they agree with the head (gypsum "from desulphurisation" is FGD
    gypsum) or when the head names nothing and the rest is an origin ("residue from PET bottle recycling"). Names
    only in a use ("... for biogas", "... as cement raw material") never say what the stream is.
    """
    if phrase is None:
        return whole, unsure
    head = _read_phrase(kb, phrase.head)
    if head is None:
        if phrase.use and whole is not None and _read_phrase(kb, phrase.tail) is not None:
            return None, ()  # the names are the use's, not the stream's
        return whole, unsure
    options = (head,) if isinstance(head, str) else head
    if whole is not None and any(_related(kb, whole, option) for option in options):
        return whole, ()
    if isinstance(head, str):
        return head, ()
    narrowed = _narrowed_by_origin(kb, phrase, options)
    if narrowed is not None:
        return narrowed, ()
    return None, head


def _narrowed_by_origin(kb: Knowledge, phrase: Phrase, options: Sequence[str]) -> str | None:
    """The one material an ambiguous head names once its origin is put before it: "ash from the boiler" is boiler
    ash, "surplus heat in the cooling water" heat in cooling water; only a kind or parent of one of the head's
    own readings (the origin narrows what the head says, never replaces it)."""
    if phrase.use:
        return None
    origin = _LEADING_WORDS.sub("", phrase.tail)
    for written in (f"{origin} {phrase.head}", f"{phrase.head} in {origin}", f"{origin}{phrase.head}"):
        found = _read_phrase(kb, written)
        if isinstance(found, str) and any(_related(kb, found, option) for option in options):
            return found
        if isinstance(found, tuple):
            unstated = _terms(kb).unstated.get(frozenset(found))
            if unstated is not None and any(_related(kb, unstated, option) for option in options):
                return unstated
    return None


def use_reading(kb: Knowledge, text: str) -> str | None:
    """The product a want's use names: "<anything> for biogas" wants biogas feedstock, "... as fuel" fuel.

    The use is read as a product of the knowledge base (category PRODUCT), itself or as "<use> feedstock",
    "<use> raw material", "<use>原料"; a use naming no product gives ``None``.

    Examples
    --------
    >>> use_reading(load_knowledge(), "rest-biomasse for biogas")
    'digester-feedstock'
    >>> use_reading(load_knowledge(), "其他生物质用于生产有机肥")
    'organic-fertiliser-feedstock'
    >>> use_reading(load_knowledge(), "fly ash from the power station") is None
    True
    """
    phrase = split_phrase(split_qualifiers(text).remainder or text)
    if phrase is None or not phrase.use:
        return None
    tail = _LEADING_WORDS.sub("", phrase.tail)
    uses = tuple(use for use in dict.fromkeys((tail, _PROCESS_WORDS.sub("", tail).strip())) if use)
    for use in uses:
        for written in (use, f"{use} feedstock", f"{use} raw material", f"{use}原料"):
            found = _read_phrase(kb, written) if written == use else _named(kb, written)
            if isinstance(found, str) and kb.materials[found].category == "PRODUCT":
                return found
    return _carried_by_use(kb, phrase.head, uses)


def _carried_by_use(kb: Knowledge, head: str, uses: Sequence[str]) -> str | None:
    """What a want for a carrier (water, gas, heat) asks for, named by its use: "water for ash sluicing" is ash
    sluicing water, "gas for drying plasterboard" drying gas, 水用于冲灰除尘 冲灰除尘用水.

    The use and the head are put together the ways plants write them (English "<use> <head>" and "<head> for
    <use>", the use shortened word by word from its end; Chinese "<use>用<head>", "<use><head>") and read as an
    exact name (a Chinese one also by the names inside it); a hazardous material is never read this way.
    """
    head = _LEADING_WORDS.sub("", head).strip()
    if not head:
        return None
    for use in uses:
        words = use.split(" ")
        for end in range(len(words), 0, -1):
            window = " ".join(words[:end])
            for written in (f"{window} {head}", f"{head} for {window}"):
                found = _named(kb, written)
                if isinstance(found, str) and not kb.materials[found].hazardous:
                    return found
        if not _ASCII_WORDS.search(use + head):
            for written in (f"{use}用{head}", f"{use}{head}"):
                found = _read_phrase(kb, written)
                if isinstance(found, str) and not kb.materials[found].hazardous:
                    return found
    return None


def wanted_reading(kb: Knowledge, text: str) -> str | None:
    """What a want written with an ambiguous term that names a use asks for: "fuel gas" (any works gas offered)
    wanted is gaseous fuel (materials.yaml ``want``); the term may be the whole text or the head of its phrase.

    Examples
    --------
    >>> wanted_reading(load_knowledge(), "燃料气")
    'gaseous-fuel'
    >>> wanted_reading(load_knowledge(), "fly ash") is None
    True
    """
    wanted = _terms(kb).wanted
    remainder = split_qualifiers(text).remainder or text
    phrase = split_phrase(remainder)
    for part in (text, remainder, phrase.head if phrase is not None else ""):
        code = wanted.get(lookup_key(part)) if part else None
        if code is not None:
            return code
    return None


# Alternatives a want names: "fly ash or slag", 复合肥/有机肥, 粉煤灰或矿渣 (a list with 、 or "and" is not this).
_ALTERNATIVES = re.compile(r"\s*(?:/|／|\band/or\b|\bor\b|或者|或)\s*", re.IGNORECASE)
_ASCII_WORDS = re.compile(r"[A-Za-z]")


def split_alternatives(text: str) -> tuple[str, ...]:
    """The alternatives a want's name lists with "/", "or", 或; the text alone when it lists none.

    Examples
    --------
    >>> split_alternatives("甘蔗专用复合肥/有机肥")
    ('甘蔗专用复合肥', '有机肥')
    >>> split_alternatives("fly ash or slag")
    ('fly ash', 'slag')
    >>> split_alternatives("ore concentrate")
    ('ore concentrate',)
    """
    cleaned = clean(text)
    parts = tuple(part.strip() for part in _ALTERNATIVES.split(cleaned))
    if len(parts) < 2 or any(not lookup_key(part) or part.isdigit() for part in parts):
        return (cleaned,)
    return parts


def _refuse_hazard_crossing(kb: Knowledge, code: str, typed: str) -> None:
    """Refuse a non-hazardous reading of text that names a hazardous material or says it is hazardous."""
    if kb.materials[code].hazardous:
        return
    # A name agrees with the reading when one of its materials is related to it ("ash" in "Ash (PFA)");
    # a name that does not agree and may mean a hazardous material makes the reading unsafe.
    hazardous = [
        other for name in kb._index.finder.find(typed)
        if not any(_related(kb, code, each) for each in name.codes)
        for other in name.codes if kb.materials[other].hazardous
    ]
    if hazardous:
        candidates = tuple(dict.fromkeys((code, *hazardous)))
        raise AmbiguousMaterial(
            Message(N_("material: %(typed)r names %(code)s, which is not hazardous, and hazardous %(candidates)s; "
                       "say which"),
                    typed=typed, code=code, candidates=', '.join(candidates[1:])),
            candidates=candidates,
        )
    if _SAYS_HAZARDOUS.search(typed):
        material = kb.materials[code]
        labels = {name: label for name, label in kb._index.labels.items() if kb.materials[label].hazardous}
        close = [label for text in (typed, material.name_zh, material.name_en) for label in suggest(text, labels)]
        raise UnknownMaterial(
            Message(N_("material: %(typed)r says hazardous waste, but the name in it, %(code)s, is not hazardous; "
                       "name the hazardous material or give its 8-digit code"),
                    typed=typed, code=code),
            field="material",
            suggestions=list(dict.fromkeys(close))[:5],
        )


def _apply_qualifiers(
    kb: Knowledge, code: str, qualities: tuple[tuple[str, str], ...]
) -> tuple[Material, dict[str, str]]:
    """The most specific material the qualifiers imply, and the qualifiers left as its quality values.

    A qualifier that is no category value of the material (a grade of a slag without grades) is dropped.
    """
    wanted = dict(qualities)
    if not wanted:
        return kb.materials[code], {}
    ranked = []
    for option in (code, *kb.descendants(code)):
        implied = kb.implied_quality(option)
        if any(key in implied and implied[key] != value for key, value in wanted.items()):
            continue
        agree = sum(implied.get(key) == value for key, value in wanted.items())
        if agree:
            ranked.append((agree, len(kb.ancestors(option)), option))
    if ranked:
        ranked.sort(reverse=True)
        best = [option for agree, depth, option in ranked if (agree, depth) == ranked[0][:2]]
        if len(best) == 1:
            code = best[0]
    implied = kb.implied_quality(code)
    attributes = {attribute.key: attribute for attribute in kb.quality_attributes(code)}
    quality = {
        key: value for key, value in wanted.items()
        if key not in implied and key in attributes and value in attributes[key].values
    }
    return kb.materials[code], quality


def _singular(text: str) -> str:
    """English plural words made singular, crudely: "batteries" -> "battery", "slags" -> "slag"."""

    def one(word: str) -> str:
        lower = word.lower()
        if lower.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if lower.endswith(("ses", "xes", "ches", "shes")):
            return word[:-2]
        if lower.endswith("s") and not lower.endswith("ss") and len(word) > 3:
            return word[:-1]
        return word

    return re.sub(r"[A-Za-z]+", lambda match: one(match.group(0)), text)


def _most_specific(kb: Knowledge, codes: Iterable[str], typed: str) -> Material:
    codes = tuple(codes)
    leaves = tuple(code for code in codes if not any(code in kb.ancestors(other) for other in codes))
    if len(leaves) == 1:
        return kb.materials[leaves[0]]
    raise AmbiguousMaterial(Message(N_("material: %(typed)r is held by %(leaves)s"),
                                    typed=typed, leaves=', '.join(leaves)), candidates=leaves)


@dataclass(frozen=True)
class MaterialReading:
    """How a written material name was read.

    ``code`` is the material code (``None`` when unclassified); ``how`` one of :data:`READINGS`;
    ``confidence`` between 0 and 1; ``suggestions`` the material codes a person confirming the reading
    should look at (the other candidates of a generic or possibly hazardous name, the closest materials
    of an unclassified one); ``quality`` what grade or class the name states (``II级粉煤灰``);
    ``candidates`` the materials the name itself may mean (its ambiguous candidates, or its one material),
    which the site's sector may choose among; ``note`` why a ``"context"`` reading was chosen and
    ``sector`` the site's GB/T 4754 code that chose it; ``alternatives`` the materials a want's name lists as
    alternatives ("fly ash or slag"), each read alone, when it lists several.

    Examples
    --------
    >>> reading = read_material("飞灰")
    >>> reading.code, reading.how, reading.possibly_hazardous
    ('incineration-fly-ash', 'possibly_hazardous', True)
    >>> read_material("Kraft sack offcuts").engine_code
    'name:kraftsackoffcut'
    """

    text: str
    code: str | None
    how: str
    confidence: float
    suggestions: tuple[str, ...] = ()
    quality: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    candidates: tuple[str, ...] = ()
    note: str = ""
    sector: str = ""
    alternatives: tuple[str, ...] = ()

    @property
    def unclassified(self) -> bool:
        return self.code is None

    @property
    def possibly_hazardous(self) -> bool:
        return self.how == "possibly_hazardous"

    @property
    def name_code(self) -> str:
        """The pseudo-code of the name as written: what an unclassified listing is matched and queued by."""
        return unclassified_code(self.text)

    @property
    def engine_code(self) -> str:
        """The material code, or for an unclassified name its pseudo-code."""
        return self.code if self.code is not None else self.name_code


def read_material(
    text: str,
    *,
    knowledge: Knowledge | None = None,
    learned: Mapping[str, str] | None = None,
    sectors: Sequence[str] = (),
    kind: str = "offer",
    sectors_confirmed: bool = True,
) -> MaterialReading:
    """Read a material name the open-vocabulary way: never refused for being unknown or ambiguous.

    Parameters
    ----------
    text
        What the plant wrote: a code, a name or synonym in zh or en, a description.
    knowledge
        The knowledge base; the shipped one when ``None``.
    learned
        Names administrators classified, by pseudo-code (:func:`~matching.knowledge.unclassified.unclassified_code`)
        -> material code; read before anything else.
    sectors
        The GB/T 4754 codes of the listing's site, the main one first. A name that may mean several
        materials, or a generic name, is then read as the one a rule of ``context.yaml`` gives the
        site's trade (``how="context"``, with the rule's confidence and a ``note`` naming the sector);
        text that says it is hazardous waste is never given a safe reading.
    kind
        ``"offer"`` or ``"want"``: most rules say what a site of a trade generates, so apply to offers.
    sectors_confirmed
        ``False`` when the site's sectors are a guess still to confirm: then no rule reads a possibly
        hazardous name as its safe reading.

    Raises
    ------
    UnknownMaterial
        For an empty text, text without letters or digits, or a malformed code (``S08``, ``S60``,
        ``HW51``): those are bad input, not names. A well-formed 8-digit code the knowledge base lacks
        is kept unclassified, like an unknown name.

    Examples
    --------
    >>> read_material("PFA").how
    'exact'
    >>> generic = read_material("石膏")
    >>> generic.code, generic.how
    ('byproduct-gypsum', 'generic')
    >>> unknown = read_material("纸塑边料")
    >>> unknown.code, unknown.how, unknown.confidence
    (None, 'unclassified', 0.0)
    >>> read_material("纸塑边料", learned={"name:纸塑边料": "waste-paper"}).code
    'waste-paper'
    >>> at_power_plant = read_material("飞灰", sectors=("4411",))
    >>> at_power_plant.code, at_power_plant.how
    ('coal-fly-ash', 'context')
    >>> read_material("飞灰(危废)", sectors=("4411",)).how
    'possibly_hazardous'
    """
    kb = knowledge or load_knowledge()
    typed = clean(str(text))
    if not typed:
        raise UnknownMaterial(Message(N_("material: empty value")), field="material")
    try:
        pseudo = unclassified_code(typed)
    except ValueError:
        raise UnknownMaterial(Message(N_("material: %(typed)r has no letters or digits"), typed=typed),
                              field="material") from None
    taught = (learned or {}).get(pseudo)
    if taught is not None and taught in kb.materials:
        how = "generic" if taught in kb._index.generic else "exact"
        return MaterialReading(typed, taught, how, CONFIDENCE[how])
    reading = _read_want(kb, typed) if kind == "want" else _read(kb, typed)
    return _in_context(kb, reading, tuple(sectors), kind, sectors_confirmed) if sectors else reading


@functools.lru_cache(maxsize=4096)
def _read_want(kb: Knowledge, typed: str) -> MaterialReading:
    """A want's name: alternatives it lists read together, else the name, else its use or wanted term."""
    if _SAYS_HAZARDOUS.search(typed):
        return _read(kb, typed)
    parts = split_alternatives(typed)
    if len(parts) > 1:
        readings = [_read_one_want(kb, part) for part in parts]
        if all(reading.code is not None for reading in readings):
            codes = tuple(dict.fromkeys(reading.code for reading in readings))
            joined = _covering(kb, codes)
            confidence = min(min(reading.confidence for reading in readings), CONFIDENCE["contained"])
            if joined is not None:  # 复合肥/有机肥: the want takes what any of them takes
                return MaterialReading(typed, joined, "contained", confidence,
                                       tuple(code for code in codes if code != joined), candidates=(joined,),
                                       alternatives=codes)
            whole = _read_one_want(kb, typed)
            return dataclasses.replace(whole, alternatives=codes)
    return _read_one_want(kb, typed)


def _read_one_want(kb: Knowledge, typed: str) -> MaterialReading:
    reading = _read(kb, typed)
    if reading.code is None and not _SAYS_HAZARDOUS.search(typed):
        # "<something> for biogas": a want for what its use takes; "fuel gas": for what the term's use takes
        product = use_reading(kb, typed) or wanted_reading(kb, typed)
        if product is not None:
            reading = MaterialReading(typed, product, "contained", USE_CONFIDENCE, reading.suggestions,
                                      candidates=(product,))
    return reading


def _covering(kb: Knowledge, codes: Sequence[str]) -> str | None:
    """The material whose want takes every one of ``codes`` as a kind: one of them above the others, or the
    nearest material above them all whose kinds are of one family and hazard (never a catch-all category)."""
    for code in codes:
        if all(other == code or code in kb.ancestors(other) for other in codes):
            return code
    for above in kb.ancestors(codes[0]):
        if all(above in kb.ancestors(other) for other in codes[1:]):
            kinds = (above, *kb.descendants(above))
            if len({kb.materials[kind].family for kind in kinds}) == 1 and \
                    len({kb.materials[kind].hazardous for kind in kinds}) == 1:
                return above
            return None
    return None


# An import reads the same few names at the same few kinds of site thousands of times.
@functools.lru_cache(maxsize=8192)
def _in_context(kb: Knowledge, reading: MaterialReading, sectors: tuple[str, ...], kind: str,
                confirmed: bool) -> MaterialReading:
    """The reading the site's sectors settle, if a context rule does; else the reading unchanged."""
    if not reading.candidates:
        return reading
    settled = settle(reading.candidates, current=reading.code, sectors=sectors, kind=kind,
                     says_hazardous=bool(_SAYS_HAZARDOUS.search(reading.text)), sectors_confirmed=confirmed,
                     knowledge=kb)
    if settled is None:
        return reading
    hazardous = kb.materials[settled.code].hazardous
    if any(kb.materials[other].hazardous != hazardous for other in settled.others):
        return reading  # the site's sectors disagree on the hazard: it stays to confirm
    others = tuple(code for code in dict.fromkeys((*reading.candidates, *settled.others)) if code != settled.code)
    return MaterialReading(reading.text, settled.code, "context", settled.confidence, others, reading.quality,
                           reading.candidates, settled.note, settled.sector)


@functools.lru_cache(maxsize=4096)
def _read(kb: Knowledge, typed: str) -> MaterialReading:
    try:
        _by_code(kb, typed)  # a malformed code (S08, S60) is bad input, not a name: let it raise
    except AmbiguousMaterial as exc:
        return _reading_of_candidates(kb, typed, exc.candidates)
    except UnknownMaterial as exc:
        if hazard_code_in(typed) is None:
            raise
        # A well-formed hazardous-waste code the knowledge base lacks: kept, like an unknown name.
        return MaterialReading(typed, None, "unclassified", CONFIDENCE["unclassified"], exc.suggestions)
    try:
        found = _resolve(kb, typed)
    except AmbiguousMaterial as exc:
        return _reading_of_candidates(kb, typed, exc.candidates)
    except UnknownMaterial as exc:
        return MaterialReading(typed, None, "unclassified", CONFIDENCE["unclassified"], exc.suggestions)
    code = found.material.code
    how = "generic" if code in kb._index.generic else _HOW[found.how]
    suggestions = kb.descendants(code)[:5] if how == "generic" else ()
    return _unless_said_hazardous(kb, MaterialReading(typed, code, how, CONFIDENCE[how], suggestions, found.quality,
                                                      (code,)))


def _unless_said_hazardous(kb: Knowledge, reading: MaterialReading) -> MaterialReading:
    """A non-hazardous reading of text that says hazardous waste (危废污泥) is no reading: unclassified."""
    if reading.code is None or kb.materials[reading.code].hazardous or not _SAYS_HAZARDOUS.search(reading.text):
        return reading
    labels = {name: label for name, label in kb._index.labels.items() if kb.materials[label].hazardous}
    close = tuple(dict.fromkeys(suggest(reading.text, labels) + [reading.code]))[:5]
    return MaterialReading(reading.text, None, "unclassified", CONFIDENCE["unclassified"], close)


def hazard_code_in(text: str) -> str | None:
    """The hazardous-waste code or category (HW01-HW50) that ``text`` is, normalised; ``None`` if it is none.

    Examples
    --------
    >>> hazard_code_in("hw 34"), hazard_code_in("90005231"), hazard_code_in("HW51"), hazard_code_in("fly ash")
    ('HW34', '900-052-31', None, None)
    """
    upper = re.sub(r"\s+", "", clean(text).upper())
    category = _HW_CATEGORY_TEXT.fullmatch(upper)
    if category and 1 <= int(category.group(1)) <= 50:
        return f"HW{int(category.group(1)):02d}"
    code = _HW_CODE_TEXT.fullmatch(upper)
    if code and 1 <= int(code.group(3)) <= 50:
        return "-".join(code.groups())
    return None


def _reading_of_candidates(kb: Knowledge, typed: str, candidates: tuple[str, ...]) -> MaterialReading:
    """A name with several readings: hazardous if any reading is (until confirmed), else the generic
    material above all of them, else unclassified with the readings as suggestions."""
    hazards = {kb.materials[code].hazardous for code in candidates}
    if hazards == {True, False}:
        hazardous = next(code for code in candidates if kb.materials[code].hazardous)
        return MaterialReading(typed, hazardous, "possibly_hazardous", CONFIDENCE["possibly_hazardous"], candidates,
                               candidates=candidates)
    first = candidates[0]
    if all(first in kb.ancestors(other) for other in candidates[1:]):
        return _unless_said_hazardous(kb, MaterialReading(typed, first, "generic", CONFIDENCE["generic"],
                                                          candidates[1:], candidates=candidates))
    unstated = _terms(kb).unstated.get(frozenset(candidates))
    if unstated is not None:  # "boiler ash": fly or bottom ash, not said which: the stream of unstated kind
        return _unless_said_hazardous(kb, MaterialReading(typed, unstated, "generic", CONFIDENCE["generic"],
                                                          candidates, candidates=(unstated, *candidates)))
    return MaterialReading(typed, None, "unclassified", CONFIDENCE["unclassified"], candidates, candidates=candidates)


@dataclass(frozen=True)
class _Terms:
    """What the ambiguous terms of a knowledge base say beyond their candidates."""

    unstated: Mapping[frozenset[str], str]  # candidates -> the material of unstated kind the bare term is read as
    wanted: Mapping[str, str]  # lookup key of a term -> the material a want written with it asks for


@functools.lru_cache(maxsize=8)
def _terms(kb: Knowledge) -> _Terms:
    unstated = {frozenset(term.candidates): term.unstated for term in kb.ambiguous if term.unstated}
    wanted = {lookup_key(word): term.want for term in kb.ambiguous if term.want for word in term.terms}
    return _Terms(MappingProxyType(unstated), MappingProxyType(wanted))
