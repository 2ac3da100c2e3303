"""The coupling a link makes between two industries, from both sites' sectors, with the route's as a hint.

The one place that names a link's coupling. The table is reviewed data,
``matching/knowledge/couplings.yaml``: GB/T 4754-2017 code prefixes to industries (the longest prefix wins),
the couplings with their words, and ordered rules from a (supplier industry, receiver industry) pair to a
coupling. A link's coupling is

1. the first rule matching both sites' industries (and, where the rule says so, the route's coupling):
   blast-furnace gas from an ironworks to a power plant is a steel–power energy cascade, mill scale from a
   rolling mill to an ironworks steel internal recycling;
2. else the route's coupling, when it names no industries or the sites are in them;
3. else what the route's coupling falls back to (``otherwise``): a route written steel–chemical never labels
   a link whose receiver is no chemical plant steel–chemical.

Examples
--------
>>> link_coupling("steel-chemical", "3110", "4411")
'steel-power energy cascade'
>>> link_coupling("steel-building materials", "3130", "3110")
'steel internal recycling'
>>> link_coupling("steel-chemical", "3110", "2614")
'steel-chemical'
>>> industry_of("2521"), industry_of("2511"), industry_of("5191"), industry_of("1511")
('coking', 'refining', 'waste handling', None)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "COUPLINGS_FILE",
    "CouplingTable",
    "PairRule",
    "coupling_table",
    "industry_of",
    "is_waste_handler",
    "link_coupling",
    "load_coupling_table",
]

COUPLINGS_FILE = Path(__file__).with_name("knowledge") / "couplings.yaml"
WASTE_HANDLING = "waste handling"


@dataclass(frozen=True)
class PairRule:
    """Supplier industry and receiver industry -> coupling, optionally only for (or never for) some route couplings."""

    supplier: str
    receiver: str
    coupling: str
    routes: frozenset[str] | None = None
    except_routes: frozenset[str] = frozenset()

    def applies(self, supplier: str | None, receiver: str | None, route_coupling: str) -> bool:
        return (
            supplier == self.supplier and receiver == self.receiver
            and (self.routes is None or route_coupling in self.routes)
            and route_coupling not in self.except_routes
        )


@dataclass(frozen=True)
class CouplingTable:
    """The loaded ``couplings.yaml``."""

    industries: Mapping[str, str]
    words: Mapping[str, tuple[str, str]]      # coupling -> (zh, en)
    otherwise: Mapping[str, str]
    pairs: tuple[PairRule, ...]

    @functools.cached_property
    def claims(self) -> dict[str, frozenset[tuple[str, str]]]:
        """Coupling -> the industry pairs its rules give it (empty for a coupling no rule gives)."""
        claimed: dict[str, set[tuple[str, str]]] = {}
        for rule in self.pairs:
            claimed.setdefault(rule.coupling, set()).add((rule.supplier, rule.receiver))
        return {name: frozenset(pairs) for name, pairs in claimed.items()}


def load_coupling_table(path: Path = COUPLINGS_FILE) -> CouplingTable:
    """Read and check a couplings file.

    Raises
    ------
    ValueError
        Naming the entry at fault: an industry code that is not digits, a rule naming an unknown coupling or
        an industry no code maps to, a fallback to an unknown coupling.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    industries = {str(code): str(name) for code, name in (data.get("industries") or {}).items()}
    for code in industries:
        if not code.isdigit():
            raise ValueError(f"{path.name}: industries: {code!r} is not a GB/T 4754 code")
    words: dict[str, tuple[str, str]] = {}
    otherwise: dict[str, str] = {}
    for name, entry in (data.get("couplings") or {}).items():
        if not entry or not entry.get("zh") or not entry.get("en"):
            raise ValueError(f"{path.name}: couplings: {name!r} needs zh and en words")
        words[name] = (entry["zh"], entry["en"])
        if entry.get("otherwise"):
            otherwise[name] = entry["otherwise"]
    for name, fallback in otherwise.items():
        if fallback not in words:
            raise ValueError(f"{path.name}: couplings: {name!r} falls back to unknown coupling {fallback!r}")
    known_industries = set(industries.values())
    pairs = []
    for number, entry in enumerate(data.get("pairs") or (), start=1):
        rule = PairRule(
            entry["supplier"], entry["receiver"], entry["coupling"],
            frozenset(entry["routes"]) if entry.get("routes") else None, frozenset(entry.get("except_routes") or ()),
        )
        for side in (rule.supplier, rule.receiver):
            if side not in known_industries:
                raise ValueError(f"{path.name}: pairs rule {number}: no code maps to industry {side!r}")
        for name in (rule.coupling, *(rule.routes or ()), *rule.except_routes):
            if name not in words:
                raise ValueError(f"{path.name}: pairs rule {number}: unknown coupling {name!r}")
        pairs.append(rule)
    return CouplingTable(industries, words, otherwise, tuple(pairs))


@functools.cache
def coupling_table() -> CouplingTable:
    """The shipped table, read once."""
    return load_coupling_table()


@functools.lru_cache(maxsize=4096)
def industry_of(sector: str | None) -> str | None:
    """The industry of a GB/T 4754 code by its longest listed prefix; ``None`` when none is listed."""
    if not sector:
        return None
    industries = coupling_table().industries
    for length in range(len(sector), 0, -1):
        found = industries.get(sector[:length])
        if found is not None:
            return found
    return None


def is_waste_handler(sector: str) -> bool:
    """Whether a code is a waste handler's: recyclers, scrap collectors, waste treatment and sanitation.

    Examples
    --------
    >>> is_waste_handler("4210"), is_waste_handler("7724"), is_waste_handler("3011")
    (True, True, False)
    """
    return industry_of(sector) == WASTE_HANDLING


@functools.lru_cache(maxsize=65536)
def link_coupling(route_coupling: str, supplier_sector: str | None, receiver_sector: str | None) -> str:
    """The coupling of a link by a route whose coupling is ``route_coupling`` between sites of these sectors."""
    table = coupling_table()
    supplier, receiver = industry_of(supplier_sector), industry_of(receiver_sector)
    for rule in table.pairs:
        if rule.applies(supplier, receiver, route_coupling):
            return rule.coupling
    claimed = table.claims.get(route_coupling)
    if not claimed or (supplier, receiver) in claimed:
        return route_coupling
    return table.otherwise.get(route_coupling, route_coupling)
