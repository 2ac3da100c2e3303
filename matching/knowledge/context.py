"""What a material name means at a site of a given trade (``context.yaml``).

A power plant that offers 飞灰 means coal fly ash; a waste-to-energy plant means incineration fly ash
(HW18); a phosphate-fertiliser works' 石膏 is phosphogypsum. :func:`load_context` reads the reviewed
rules and refuses any it cannot vouch for; :func:`settle` picks the reading a site's sectors give to
the materials a name may mean. The resolver applies it (``read_material(..., sectors=...)``).

A rule may read a name as a non-hazardous material where it may also mean a hazardous one only when
it is ``basis: documented`` (its sources show the sector makes the safe reading the documented one);
text that says it is hazardous waste is never given a safe reading.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matching.knowledge.citations import REFERENCE_ID, parse_sources, side_file_references
from matching.knowledge.entries import Entry, read_entries, read_yaml
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import SourceRef
from matching.knowledge.sectors import load_sectors
from geo.messages import Listed, Message, N_, Phrase

__all__ = ["CONTEXT_FILE", "ContextReading", "ContextRule", "load_context", "settle"]

CONTEXT_FILE = Path(__file__).with_name("context.yaml")
BASES = ("documented", "judgement")
KINDS = ("offer", "want")
_FIELDS = frozenset({"id", "sectors", "among", "reading", "kinds", "confidence", "basis", "because", "because_zh",
                     "judgement", "sources"})
_NUMERIC_SECTOR = re.compile(r"\d{2,4}")
# A reading another of the site's sectors disputes is a guess: at most this sure.
DISPUTED_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ContextRule:
    """One reviewed rule: at a site of ``sectors``, a name meaning any of ``among`` means ``reading``."""

    id: str
    sectors: tuple[str, ...]
    among: tuple[str, ...]
    reading: str
    kinds: tuple[str, ...]
    confidence: float
    basis: str
    because: str
    judgement: str
    sources: tuple[SourceRef, ...]
    because_zh: str = ""

    def covers(self, sector_code: str) -> bool:
        """Whether a site of ``sector_code`` is of this rule's sectors (the same code or one under it)."""
        return any(sector_code.startswith(code) for code in self.sectors)


@dataclass(frozen=True)
class ContextReading:
    """The material a site's sector gives a name: which rule, for which of the site's sectors, and why.

    ``others`` holds the readings the site's other sectors would give, when they differ.
    """

    code: str
    confidence: float
    rule: ContextRule
    sector: str
    note: Message
    others: tuple[str, ...] = ()


def load_context(path: Path | str | None = None, *, knowledge: Knowledge | None = None) -> tuple[ContextRule, ...]:
    """Read and validate the context rules (the shipped ones once per knowledge base).

    Raises
    ------
    KnowledgeError
        Naming file, rule and field: an unknown material or sector, a reading outside ``among``, a safe
        reading of a possibly hazardous name without ``basis: documented``, a rule without sources.

    Examples
    --------
    >>> rules = load_context()
    >>> next(rule.reading for rule in rules if rule.id == "coal-plant-fly-ash")
    'coal-fly-ash'
    """
    kb = knowledge or load_knowledge()
    if path is None:
        return _load_shipped(kb)
    return _load(Path(path), kb)


# Read once per knowledge base: every name of an import is read against the shipped rules.
@functools.lru_cache(maxsize=4)
def _load_shipped(kb: Knowledge) -> tuple[ContextRule, ...]:
    return _load(CONTEXT_FILE, kb)


def _load(path: Path, kb: Knowledge) -> tuple[ContextRule, ...]:
    document = read_yaml(path)
    file = path.name
    references = side_file_references(document, file, kb.references, section="rules")
    sectors = load_sectors()
    rules = []
    for rule_id, entry in read_entries(document, file=file, section="rules", kind="rule", id_field="id",
                                       allowed=_FIELDS):
        rules.append(_rule(rule_id, entry, kb, sectors, references))
    return tuple(rules)


def _rule(rule_id: str, entry: Entry, kb: Knowledge, sectors: dict, references: dict) -> ContextRule:
    codes = entry.texts("sectors", required=True)
    for code in codes:
        if not _NUMERIC_SECTOR.fullmatch(code) or code not in sectors:
            entry.fail("sectors", f"{code!r} is not a GB/T 4754-2017 division, group or class code")
    among = entry.texts("among", required=True)
    for code in among:
        if code not in kb.materials:
            entry.fail("among", f"unknown material {code!r}")
    reading = entry.text("reading")
    if reading not in kb.materials:
        entry.fail("reading", f"unknown material {reading!r}")
    if reading not in _closure(kb, among):
        entry.fail("reading", f"{reading} is neither one of among nor a kind under one of them")
    kinds = entry.texts("kinds") or ("offer",)
    if any(kind not in KINDS for kind in kinds):
        entry.fail("kinds", f"must be among {', '.join(KINDS)}")
    confidence = entry.number("confidence", minimum=0.0, strictly=True)
    if confidence > 1:
        entry.fail("confidence", "must be at most 1")
    basis = entry.text("basis")
    if basis not in BASES:
        entry.fail("basis", f"must be one of {', '.join(BASES)}")
    judgement = entry.text("judgement", required=False)
    if basis == "judgement" and not judgement:
        entry.fail("judgement", "a rule resting on project judgement says what the judgement is")
    sources = parse_sources(entry, references)
    hazards = {kb.materials[code].hazardous for code in _closure(kb, among)}
    if not kb.materials[reading].hazardous and True in hazards:
        if basis != "documented":
            entry.fail("basis", f"{reading} is not hazardous but the name may mean a hazardous material: a safe "
                                "reading needs basis documented, with the sources that document it")
        if not any(REFERENCE_ID.fullmatch(source.ref) or source.ref.startswith("http") for source in sources):
            entry.fail("sources", "a documented safe reading cites a reference, not only a standard number")
    return ContextRule(rule_id, codes, among, reading, kinds, confidence, basis, entry.text("because"), judgement,
                       sources, entry.text("because_zh", required=False) or "")


def _closure(kb: Knowledge, codes: Iterable[str]) -> frozenset[str]:
    """The materials and every kind under them."""
    return _closure_of(kb, tuple(codes))


@functools.lru_cache(maxsize=1024)
def _closure_of(kb: Knowledge, codes: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for code in codes:
        found.add(code)
        found.update(kb.descendants(code))
    return frozenset(found)


def settle(
    candidates: Sequence[str],
    *,
    current: str | None,
    sectors: Sequence[str],
    kind: str = "offer",
    says_hazardous: bool = False,
    sectors_confirmed: bool = True,
    knowledge: Knowledge | None = None,
    rules: Sequence[ContextRule] | None = None,
) -> ContextReading | None:
    """The reading a site's sectors give a name that may mean any of ``candidates``; ``None`` if none does.

    Parameters
    ----------
    candidates
        The materials the name may mean (its ambiguous candidates; for a generic or exact name, its
        one material, whose kinds a rule may choose among).
    current
        The material the name is read as without context; a rule that merely repeats it for a name
        with one candidate changes nothing.
    sectors
        The site's GB/T 4754 codes, the main one first.
    kind
        ``"offer"`` or ``"want"``.
    says_hazardous
        The text says it is hazardous waste: no rule may give it a non-hazardous reading.
    sectors_confirmed
        ``False`` when the site's sectors are themselves a guess still to confirm: a guessed trade
        documents nothing, so no rule may then settle a hazard question on the safe side (a choice
        between kinds of equal hazard, or towards the hazardous reading, still applies).

    Examples
    --------
    >>> found = settle(("coal-fly-ash", "incineration-fly-ash"), current="incineration-fly-ash", sectors=("4411",))
    >>> found.code, found.sector
    ('coal-fly-ash', '4411')
    >>> settle(("coal-fly-ash", "incineration-fly-ash"), current="incineration-fly-ash", sectors=("4417",)).code
    'incineration-fly-ash'
    >>> settle(("coal-fly-ash", "incineration-fly-ash"), current="incineration-fly-ash", sectors=("3011",)) is None
    True
    >>> settle(("coal-fly-ash", "incineration-fly-ash"), current="incineration-fly-ash", sectors=("4411",),
    ...        sectors_confirmed=False) is None
    True
    """
    kb = knowledge or load_knowledge()
    rules = load_context(knowledge=kb) if rules is None else rules
    candidates = tuple(dict.fromkeys(candidates))
    if not candidates or not sectors:
        return None
    allowed = _closure(kb, candidates)
    hazard_question = len({kb.materials[code].hazardous for code in allowed}) > 1
    found: list[tuple[ContextRule, str]] = []
    for sector in dict.fromkeys(sectors):
        for rule in rules:
            if kind not in rule.kinds or not rule.covers(sector) or rule.reading not in allowed:
                continue
            if not set(candidates) <= _closure(kb, rule.among):
                continue
            if len(candidates) == 1 and rule.reading == current:
                continue
            safe = not kb.materials[rule.reading].hazardous
            if safe and (says_hazardous or (hazard_question and not sectors_confirmed)):
                continue
            found.append((rule, sector))
            break  # the first rule that applies to a sector is that sector's reading
    if not found:
        return None
    # Never silently the safe reading: one of the site's sectors reading the name as hazardous wins.
    chosen = next(((rule, sector) for rule, sector in found if kb.materials[rule.reading].hazardous), found[0])
    rule, sector = chosen
    others = tuple(dict.fromkeys(other.reading for other, _ in found if other.reading != rule.reading))
    confidence = min(rule.confidence, DISPUTED_CONFIDENCE) if others else rule.confidence
    return ContextReading(rule.reading, confidence, rule, sector, _note(kb, rule, sector, others), others)


def _note(kb: Knowledge, rule: ContextRule, sector: str, others: tuple[str, ...]) -> Message:
    """Why the name was read so, in the reader's language (the English one for logs and the command line)."""
    material = kb.materials[rule.reading]
    entry = load_sectors().get(sector)
    site = Phrase(f"{entry.name_zh}（{sector}）", f"{entry.name_en.lower()} ({sector})") if entry is not None \
        else sector
    reason = {"material": Phrase(material.name_zh, material.name_en), "code": material.code, "site": site,
              "because": Phrase(rule.because_zh or rule.because, rule.because)}
    if others:
        suggested = [Phrase(kb.materials[code].name_zh, kb.materials[code].name_en) if code in kb.materials
                     else code for code in others]
        return Message(N_("read as %(material)s (%(code)s) because the site is %(site)s: %(because)s; the site's "
                          "other sectors suggest %(others)s"), **reason, others=Listed(suggested))
    return Message(N_("read as %(material)s (%(code)s) because the site is %(site)s: %(because)s"), **reason)
