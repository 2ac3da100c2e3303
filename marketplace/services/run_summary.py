"""A match run told as an official reads it: what was matched and how much (per unit family: tonnes, GJ,
Nm³ and m³ are never added together), what was left, and why — in words, not the engine's counter names.

Read from what the run recorded (``MatchRun.counts``, its links and the alternatives it kept), so a run's
summary never changes after the run. The reasons are counted as the engine counts them: offers (no known
use), offer–receiver pairs (dropped by a check, or not examined), receivers that got none of an offer.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from matching.network import UNIT_ORDER

from ..extensions import db
from ..models import Link, MatchRun
from ..models.link import RunAlternative

# The engine's drop reasons (matching.types.DROP_REASONS), grouped as a reader asks "why was it left?".
DROP_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("out_of_reach", ("distance",)),
    ("hazardous_permit", ("permit_missing", "permit_code", "permit_expired")),
    ("permit_capacity", ("permit_capacity",)),
    ("quality", ("quality_want", "quality_route", "quality_unknown")),
    ("not_worth_it", ("price", "uneconomic", "co2_negative")),
    ("timing", ("window",)),
    ("no_fitting_receiver", ("sector", "unit", "battery_listing")),
)
REASON_TEXTS = {
    "no_known_use": _l("offers of a material with no known use yet: nobody could be proposed"),
    "out_of_reach": _l("possible receivers farther than the material's economic transport distance (no receiver within reach)"),
    "hazardous_permit": _l("hazardous waste to a receiver without a valid permit for it"),
    "permit_capacity": _l("the receiver's permitted capacity for hazardous waste is used up"),
    "quality": _l("the quality offered is outside what the receiver or the use accepts"),
    "not_worth_it": _l("not worth it: the price asked is above what the receiver pays, no net benefit, or transport emits more CO₂ than the use saves"),
    "timing": _l("the periods when the material is available and wanted do not overlap"),
    "no_fitting_receiver": _l("the receiver's industry, unit or listing does not fit the material"),
    "farther_not_examined": _l("farther receivers not examined, because enough nearer ones were found"),
    "capacity_taken": _l("receivers that could have taken it, whose capacity went to other offers"),
    "better_placed": _l("receivers passed over because better-placed ones took the whole offer"),
    "posted_first": _l("receivers that posted no request, passed over because requests posted on the platform are served first"),
    "beyond_best": _l("receivers ranked below the best few weighed for each offer"),
}
# What each reason counts, so the sentence says "12 offers", "340 pairs" or "5 receivers".
REASON_COUNTS = {"no_known_use": "offers", "capacity_taken": "receivers", "better_placed": "receivers",
                 "posted_first": "receivers", "beyond_best": "receivers"}
ALTERNATIVE_GROUPS = {"capacity_taken": "capacity_taken", "lower_score": "better_placed",
                      "posted_first": "posted_first", "cut_by_k": "beyond_best"}


@dataclass(frozen=True)
class MaterialLine:
    code: str
    quantity: float
    links: int


@dataclass(frozen=True)
class FamilyLine:
    """One unit family: matched (proposed by this run), already agreed before it, left without a taker."""

    unit: str
    matched: float
    agreed_before: float
    left: float
    materials: tuple[MaterialLine, ...] = ()


@dataclass(frozen=True)
class Reason:
    key: str
    count: int
    counts: str  # "offers", "pairs" or "receivers"

    @property
    def text(self) -> str:
        return str(REASON_TEXTS[self.key])


@dataclass(frozen=True)
class RunSummary:
    offers: int
    wants: int
    sites: int
    links: int
    suppliers: int
    receivers: int
    net_benefit_cny: float | None
    co2_avoided_t: float | None
    families: tuple[FamilyLine, ...]
    reasons: tuple[Reason, ...]
    held_back: int = 0
    superseded: int = 0
    # Whether the per-material lines cover every link of the run or only those the reader may see.
    all_links: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


def _unit_order(units: Iterable[str]) -> list[str]:
    order = {unit: i for i, unit in enumerate(UNIT_ORDER)}
    return sorted(set(units), key=lambda unit: (order.get(unit, len(order)), unit))


def _alternative_reasons(run: MatchRun) -> dict[str, int]:
    rows = db.session.execute(select(RunAlternative.reason, func.count()).where(RunAlternative.run_id == run.id)
                              .group_by(RunAlternative.reason)).all()
    return {reason: count for reason, count in rows}


def summarise_run(run: MatchRun, links: Iterable[Link], *, counts: dict | None = None,
                  all_links: bool = True) -> RunSummary:
    """The summary of ``run``; ``links`` are those the reader may see (all of them when ``all_links``),
    ``counts`` the run's counts as the reader may see them (the run's own when None)."""
    counts = dict(run.counts or {}) if counts is None else counts
    links = list(links)
    allocated, landfill, agreed = (counts.get(key) or {} for key in ("allocated", "landfill", "agreed"))
    by_material: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for link in links:
        line = by_material[(link.unit, link.material_code)]
        line[0] += link.quantity
        line[1] += 1
    families = []
    for unit in _unit_order([*allocated, *landfill, *agreed, *(u for u, _ in by_material)]):
        materials = sorted((MaterialLine(code, quantity, int(n)) for (u, code), (quantity, n) in by_material.items()
                            if u == unit), key=lambda m: (-m.quantity, m.code))
        families.append(FamilyLine(unit, float(allocated.get(unit, 0.0)), float(agreed.get(unit, 0.0)),
                                   float(landfill.get(unit, 0.0)), tuple(materials)))
    dropped = counts.get("dropped") or {}
    found = [Reason("no_known_use", int(counts.get("offers_without_route") or 0), "offers")]
    found += [Reason(key, int(sum(dropped.get(code, 0) for code in codes)), "pairs") for key, codes in DROP_GROUPS]
    found.append(Reason("farther_not_examined", int(counts.get("cut_by_pool") or 0), "pairs"))
    grouped: dict[str, int] = defaultdict(int)
    for reason, n in _alternative_reasons(run).items():
        grouped[ALTERNATIVE_GROUPS.get(reason, "beyond_best")] += n
    found += [Reason(key, n, "receivers") for key, n in grouped.items()]
    reasons = tuple(sorted((r for r in found if r.count > 0), key=lambda r: -r.count))
    return RunSummary(
        offers=int(counts.get("offers") or 0), wants=int(counts.get("wants") or 0), sites=int(counts.get("sites") or 0),
        links=int(counts.get("links") or len(links)),
        suppliers=len({link.supplier_site_id for link in links}), receivers=len({link.receiver_site_id for link in links}),
        net_benefit_cny=counts.get("net_benefit_cny"), co2_avoided_t=counts.get("co2_avoided_t"),
        families=tuple(families), reasons=reasons, held_back=int(counts.get("already_proposed") or 0),
        superseded=int(counts.get("superseded") or 0), all_links=all_links)
