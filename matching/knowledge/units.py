"""Units a listing is written in (``units.yaml``), and the conversion to its material's own unit.

A quantity is read as a number in a written unit (``万吨/年``, ``GJ/yr``, ``Nm3/day``): a base unit, a
multiplier and a period. It is then converted to the material's own unit: by a factor true of every
material (MWh and GJ), by the conversion the material itself states (steam by pressure level, a gas by
its density: :meth:`~matching.knowledge.knowledge_base.Knowledge.units_per`), or failing those by the
conversion of its family (water: 1 m³ is 1 t). A unit of another kind with no conversion is an error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from matching.knowledge.entries import read_yaml
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.text import clean
from geo.messages import Message, N_

__all__ = ["UNITS_FILE", "UnitError", "Units", "WrittenUnit", "load_units", "parse_unit", "units_per"]

UNITS_FILE = Path(__file__).with_name("units.yaml")
# The units a quantity is stored in; a written kg, MJ, kWh or L is counted in the unit beside it.
STORED_UNITS = {"t": "t", "kg": "t", "GJ": "GJ", "MJ": "GJ", "MWh": "MWh", "kWh": "MWh", "m3": "m3", "L": "m3",
                "Nm3": "Nm3"}
_SEPARATOR = re.compile(r"\s*(?:/|每|per)\s*", re.IGNORECASE)


class UnitError(KnowledgeError):
    """A unit that is unknown, or of another kind than the material with no conversion; ``field`` is ``unit``."""

    def __init__(self, message: str, *, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, field="unit", suggestions=suggestions)


@dataclass(frozen=True)
class Units:
    """The contents of ``units.yaml``, validated."""

    base_units: frozenset[str]
    periods: Mapping[str, int]
    written_units: Mapping[str, tuple[str, float]]
    written_periods: Mapping[str, str]
    exact: Mapping[tuple[str, str], float]
    families: Mapping[tuple[str, str, str], float]
    # Written units that carry their period (a power: MW is MWh per hour).
    implied_periods: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class WrittenUnit:
    """A unit as a listing gives it: ``unit`` (a base unit), ``multiplier`` (万 = 10 000) and ``period``.

    Examples
    --------
    >>> written = parse_unit("万吨/年")
    >>> written.canonical, written.multiplier, written.per_year
    ('t/yr', 10000.0, 1)
    """

    unit: str
    period: str
    multiplier: float = 1.0

    @property
    def canonical(self) -> str:
        return f"{self.unit}/{self.period}"

    @property
    def per_year(self) -> int:
        return load_units().periods[self.period]


@functools.lru_cache(maxsize=4)
def load_units(path: Path | str | None = None) -> Units:
    """Read and check ``units.yaml``; raises :class:`~matching.knowledge.errors.KnowledgeError` on a bad entry."""
    file = Path(path) if path is not None else UNITS_FILE
    raw = read_yaml(file)

    def fail(message: str) -> None:
        raise KnowledgeError(Message(N_("%(name)s: %(message)s"), name=file.name, message=message), file=file.name)

    base = frozenset(raw.get("base_units") or ())
    periods = {str(k): v for k, v in (raw.get("periods") or {}).items()}
    if not base or not periods or any(not isinstance(v, int) or v < 1 for v in periods.values()):
        fail("base_units and periods (name: how many make a year) are required")
    written: dict[str, tuple[str, float]] = {}
    implied: dict[str, str] = {}
    for name, value in (raw.get("written_units") or {}).items():
        if not isinstance(value, list) or len(value) not in (2, 3) or value[0] not in base \
                or not _positive(value[1]) or (len(value) == 3 and value[2] not in periods):
            fail(f"written_units {name}: give [base unit, multiplier] or [base unit, multiplier, period]")
        written[_key(str(name))] = (value[0], float(value[1]))
        if len(value) == 3:
            implied[_key(str(name))] = str(value[2])
    for unit in base:
        written.setdefault(_key(unit), (unit, 1.0))
    written_periods = {_key(str(k)): str(v) for k, v in (raw.get("written_periods") or {}).items()}
    if any(period not in periods for period in written_periods.values()):
        fail("written_periods must map to a period under periods")
    exact: dict[tuple[str, str], float] = {}
    for item in raw.get("exact") or ():
        if item.get("from") not in base or item.get("to") not in base or not _positive(item.get("factor")) \
                or not item.get("source"):
            fail(f"exact {item}: give from, to (base units), a positive factor and its source")
        exact[(item["from"], item["to"])] = float(item["factor"])
        exact[(item["to"], item["from"])] = 1 / float(item["factor"])
    families: dict[tuple[str, str, str], float] = {}
    for item in raw.get("families") or ():
        if item.get("from") not in base or item.get("to") not in base or not _positive(item.get("factor")) \
                or not item.get("family") or not item.get("source"):
            fail(f"families {item}: give family, from, to, a positive factor and its source")
        families[(item["family"], item["from"], item["to"])] = float(item["factor"])
        families[(item["family"], item["to"], item["from"])] = 1 / float(item["factor"])
    return Units(base, MappingProxyType(periods), MappingProxyType(written), MappingProxyType(written_periods),
                 MappingProxyType(exact), MappingProxyType(families), MappingProxyType(implied))


def parse_unit(text: str | None, *, default: str = "t/yr") -> WrittenUnit:
    """Read a written unit: a base unit (with 万, k … multipliers) per year, month or day.

    A unit without a period is per year, as the import format's default ``t/yr`` is.

    Raises
    ------
    UnitError
        For a unit or period the table does not know; the message lists the accepted ones.

    Examples
    --------
    >>> parse_unit("t/a").canonical, parse_unit(" Nm³ / day ").canonical, parse_unit(None).canonical
    ('t/yr', 'Nm3/day', 't/yr')
    >>> parse_unit("万kWh/月")
    WrittenUnit(unit='kWh', period='month', multiplier=10000.0)
    >>> parse_unit("蒸吨/小时").canonical, parse_unit("MW").canonical, parse_unit("Nm³/h").per_year
    ('t/h', 'MWh/h', 8000)
    """
    units = load_units()
    written = clean(text or "") or default
    parts = _SEPARATOR.split(written, maxsplit=1)
    amount, period_text = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], None)
    name = next((candidate for candidate in (_key(amount), _key(amount).casefold()) if candidate in units.written_units),
                None) or next((written_name for written_name in units.written_units
                               if written_name.casefold() == _key(amount).casefold()), None)
    found = units.written_units.get(name) if name is not None else None
    if period_text is None:
        period_text = units.implied_periods.get(name, "yr") if name is not None else "yr"
    elif name in units.implied_periods:
        found = None  # "MW/年": a power has no period of its own
    period = units.written_periods.get(_key(period_text).casefold())
    if found is None or period is None:
        accepted = ", ".join(f"{unit}/{p}" for unit in ("t", "GJ", "MWh", "m3", "Nm3") for p in ("yr",))
        raise UnitError(Message(N_("unit: unknown unit %(written)r; write a unit per year, month, day or hour, e.g. "
                                   "%(accepted)s"),
                                written=written, accepted=accepted))
    return WrittenUnit(found[0], period, found[1])


def units_per(code: str, unit: str, *, knowledge: Knowledge) -> float:
    """How many of the material's own units one ``unit`` of it is.

    Raises
    ------
    UnitError
        If the unit is of another kind and neither the material nor its family states a conversion.

    Examples
    --------
    >>> from matching.knowledge import load_knowledge
    >>> kb = load_knowledge()
    >>> units_per("coal-fly-ash", "kg", knowledge=kb)
    0.001
    >>> units_per("waste-heat", "MWh", knowledge=kb)
    3.6
    """
    material = knowledge.material(code)
    own = material.unit
    if unit == own:
        return 1.0
    units = load_units()
    if (unit, own) in units.exact:
        return units.exact[(unit, own)]
    stated = getattr(knowledge, "units_per", None)
    if stated is not None:
        try:
            return float(stated(code, unit))
        except KnowledgeError:
            pass
    for step_unit, step in ((unit, 1.0), *(((to, f) for (fr, to), f in units.exact.items() if fr == unit))):
        factor = units.families.get((material.family, step_unit, own))
        if factor is not None:
            return step * factor
    raise UnitError(
        Message(N_("unit: %(name)s (%(code)s) is measured in %(own)s; a quantity in %(unit)s cannot be converted "
                   "to it (no conversion is stated for this material)"),
                name=material.name_en, code=code, own=own, unit=unit),
        suggestions=(own,),
    )


def stored_unit(unit: str) -> tuple[str, float]:
    """The unit a quantity without a material is stored in, and the factor to it (1 kg is 0.001 t).

    Examples
    --------
    >>> stored_unit("kWh"), stored_unit("Nm3")
    (('MWh', 0.001), ('Nm3', 1.0))
    """
    target = STORED_UNITS[unit]
    return target, 1.0 if target == unit else load_units().exact[(unit, target)]


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _key(text: str) -> str:
    return re.sub(r"\s+", "", clean(text))
