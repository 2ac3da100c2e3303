"""What a viewer sees of a link, on the pages and in the API alike.

Which sides a viewer may name is :mod:`marketplace.services.disclosure`'s decision (an anonymous side
is named to the other party once it accepts the link or answers its enquiry); the explanation is
rendered for the viewer from the link's template (:mod:`marketplace.services.explanations`), and the
map puts a hidden site on the same grid as every other page.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask_babel import format_decimal, get_locale, gettext as _, lazy_gettext as _l


from sqlalchemy import select

from ..services.explanations import explanation
from ..services.disclosure import (AlternativeFigures, LinkFigures, alternative_figures, link_end_revealed,
                                   link_figures, listing_revealed, site_geojson, site_revealed, site_view)

from ..labels import coupling_label, material_label  # noqa: F401 - coupling_label is re-exported
from ..models import Link, Site, User
from ..models.link import RunAlternative
from ..permissions import can
from ..services.matching import SIDES, DecisionRefused, alternative_json, answers_open, link_json, side_of

LINK_STATUS_LABELS = {"proposed": _l("proposed"), "agreed": _l("agreed"), "active": _l("active"),
                      "declined": _l("declined"), "superseded": _l("superseded")}
DECISION_LABELS = {"accepted": _l("accepted"), "declined": _l("declined"), None: _l("no answer yet")}
SIDE_LABELS = {"supplier": _l("supplier"), "receiver": _l("receiver")}
# The engine's reasons for dropping a candidate pair (matching.types.DROP_REASONS), in words.
DROP_REASON_LABELS = {
    "same_site": _l("offer and want at the same site"),
    "window": _l("availability windows do not overlap"),
    "price": _l("the offer asks more than the want pays"),
    "permit_missing": _l("hazardous waste, receiver holds no permit"),
    "permit_code": _l("the receiver's permit does not cover the waste code"),
    "permit_expired": _l("the receiver's permit has expired"),
    "permit_capacity": _l("the receiver's permitted capacity is used up"),
    "quality_want": _l("quality outside the want's limits"),
    "quality_unknown": _l("quality unknown where a limit applies"),
    "sector": _l("no utilisation route fits the receiver's sector"),
    "battery_listing": _l("retired batteries to a site without the right listing"),
    "quality_route": _l("quality outside every route's limits"),
    "distance": _l("farther than the route's transport radius"),
    "uneconomic": _l("no net benefit"),
    "unit": _l("offered and wanted in units of different kinds"),
    "co2_negative": _l("transport emits more CO2 than the use avoids"),
}
# Why another receiver got none of an offer (matching.types.ALTERNATIVE_REASONS), in words.
ALTERNATIVE_REASON_LABELS = {
    "capacity_taken": _l("its open quantity went to other offers"),
    "lower_score": _l("the offer went to receivers ranked above it"),
    "posted_first": _l("posted wants were served first"),
    "cut_by_k": _l("ranked below the receivers the allocation weighed"),
}

def page_language() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


# The links pages' names for a material and a coupling are the app's (labels.py owns them).
material_name = material_label




@dataclass(frozen=True)
class LinkView:
    """A link as one user may see it: which side they are on, which names they may see, what they may answer."""

    link: Link
    side: str | None  # "supplier", "receiver", "both" (its organisation's own two sites) or None
    supplier_shown: bool
    receiver_shown: bool
    answers: tuple[str, ...]  # "accept" and/or "decline" (the latter alone withdraws an acceptance)

    @property
    def may_decide(self) -> bool:
        return bool(self.answers)

    @property
    def sides(self) -> tuple[str, ...]:
        return SIDES if self.side == "both" else ((self.side,) if self.side else ())

    @cached_property  # a page asks for several of them per link
    def figures(self) -> LinkFigures:
        """Distance, transport, net benefit, CO2 and score: exact between two named sides; when one is hidden,
        for the rounded distance (whole km, 5 km steps)."""
        return link_figures(self.link, revealed=self.supplier_shown and self.receiver_shown)

    @property
    def distance_km(self) -> float:
        return self.figures.distance_km

    @property
    def my_decision(self) -> str | None:
        """The viewer's answer; one holding both sides gave it for both."""
        given = {getattr(self.link, f"{side}_decision") for side in self.sides}
        return given.pop() if len(given) == 1 else None

    def explanation(self, language: str | None = None) -> str:
        """The link's explanation in ``language`` (default: the page's), naming only the sides shown."""
        return explanation(self.link, language or page_language(), supplier_shown=self.supplier_shown,
                           receiver_shown=self.receiver_shown)


def supplier_shown(user: User, link: Link) -> bool:
    return link_end_revealed(user, link, "supplier")


def receiver_shown(user: User, link: Link) -> bool:
    return link_end_revealed(user, link, "receiver")


def view_of(user: User, link: Link) -> LinkView:
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    answers = answers_open(link, organisation)
    if answers and not can(user, "link.decide", link):
        answers = ()
    return LinkView(link=link, side=side_of(link, organisation), supplier_shown=supplier_shown(user, link),
                    receiver_shown=receiver_shown(user, link), answers=answers)


def link_geojson(view: LinkView) -> dict:
    """The two sites (a hidden one on the grid, without its name) and a line between them."""
    link = view.link
    ends = [site_geojson(site_view(site, revealed=shown), role=role, detail=str(SIDE_LABELS[role]))
            for site, shown, role in ((link.supplier_site, view.supplier_shown, "supplier"),
                                      (link.receiver_site, view.receiver_shown, "receiver"))]
    line = {"type": "Feature", "properties": {"name": material_name(link.material_code),
                                              "detail": f"{link.quantity:,.0f} {link.unit}"},
            "geometry": {"type": "LineString", "coordinates": [f["geometry"]["coordinates"] for f in ends]}}
    return {"type": "FeatureCollection", "features": [*ends, line]}


def shown_totals(views: list[LinkView]) -> dict[str, float]:
    """A run's net benefit and CO2 as one reader may see them: the sums of the figures that reader is shown
    on each link (a total over one link with a hidden side would give its exact figure back)."""
    figures = [view.figures for view in views]
    return {"net_benefit_cny": float(sum(f.net_benefit_cny for f in figures)),
            "co2_avoided_t": float(sum(f.co2_avoided_t for f in figures))}


def run_totals(user: User, run) -> dict[str, float]:
    """:func:`shown_totals` over the links of ``run`` that ``user`` may see; an administrator sees the run's own."""
    counts = run.counts or {}
    if can(user, "admin"):
        return {key: counts.get(key) for key in ("net_benefit_cny", "co2_avoided_t")}
    return shown_totals([view_of(user, link) for link in run.links if can(user, "link.view", link)])


def link_payload(view: LinkView) -> dict:
    """The link in the shape of PRODUCT.md section 5, plus both answers, the viewer's side and the answers
    open to it now, with hidden names left out."""
    link = view.link
    data = link_json(link)
    receiver_key = "want" if link.want_id else "receiver"
    for key, shown in (("offer", view.supplier_shown), (receiver_key, view.receiver_shown)):
        data[key]["anonymous"] = not shown
        if not shown:
            data[key] |= {"site_id": None, "site_name": None, "organisation": None}
    data["explanation"] = {"zh": view.explanation("zh"), "en": view.explanation("en")}
    figures = view.figures
    data |= {"distance_km": figures.distance_km, "transport_cost_cny": figures.transport_cost_cny,
             "net_benefit_cny": figures.net_benefit_cny, "co2_avoided_t": figures.co2_avoided_t,
             "score": figures.score}
    data |= {"run_id": link.run_id, "supplier_decision": link.supplier_decision,
             "receiver_decision": link.receiver_decision, "your_side": view.side,
             "your_answers": list(view.answers)}
    return data


@dataclass(frozen=True)
class AlternativeView:
    """Another receiver that could take an offer, as one user may see it (anonymous sides as on links)."""

    alternative: RunAlternative
    supplier_shown: bool
    receiver_shown: bool

    @cached_property
    def figures(self) -> AlternativeFigures:
        return alternative_figures(self.alternative, revealed=self.supplier_shown and self.receiver_shown)

    @property
    def distance_km(self) -> float:
        return self.figures.distance_km


def may_see_alternatives(user: User, alternative: RunAlternative, *, whole_run: bool) -> bool:
    """Who else could take an offer is the supplier's business: its own people, its park's managers,
    administrators, and whoever may see the whole run. A receiver never sees its competitors."""
    return whole_run or can(user, "site.view", alternative.supplier_site)


def visible_sites(user: User):
    """A select of the sites ``user`` may see in full (``site.view``): its organisation's, those in the parks it
    manages; every site for an administrator. For narrowing a query before :func:`may_see_alternatives`."""
    query = select(Site.id)
    if can(user, "admin"):
        return query
    organisation_id = getattr(user, "organisation_id", None)
    managed = [park.id for park in getattr(user, "managed_parks", [])] if getattr(user, "has_role", None) \
        and user.has_role("park_manager") else []
    return query.where((Site.organisation_id == organisation_id) | Site.park_id.in_(managed))


def alternative_views(user: User, alternatives: list[RunAlternative], *, whole_run: bool) -> list[AlternativeView]:
    """The alternatives ``user`` may see, each with which of its sides it may name."""
    return [AlternativeView(a, supplier_shown=listing_revealed(user, a.offer),
                            receiver_shown=site_revealed(user, a.receiver_site) if a.want is None
                            else listing_revealed(user, a.want))
            for a in alternatives if may_see_alternatives(user, a, whole_run=whole_run)]


def alternative_payload(view: AlternativeView) -> dict:
    """An alternative in the shape of PRODUCT.md section 5, hidden names left out."""
    alternative = view.alternative
    data = alternative_json(alternative)
    receiver_key = "want" if alternative.want_id else "receiver"
    for key, shown in (("offer", view.supplier_shown), (receiver_key, view.receiver_shown)):
        data[key]["anonymous"] = not shown
        if not shown:
            data[key] |= {"site_id": None, "site_name": None, "organisation": None}
    figures = view.figures
    data |= {"distance_km": figures.distance_km, "net_benefit_cny": figures.net_benefit_cny,
             "net_benefit_cny_per_unit": figures.net_benefit_cny_per_unit, "score": figures.score}
    return data


def refusal_text(refused: DecisionRefused) -> str:
    """Why an answer was not recorded, in the reader's language."""
    p = refused.params
    if refused.reason == "not_party":
        return _("your organisation is not a party to this link")
    if refused.reason == "closed":
        return _("the link is %(status)s; it can no longer be answered",
                 status=LINK_STATUS_LABELS.get(p["status"], p["status"]))
    if refused.reason == "listing_gone":  # its offer or want was closed or has expired
        return _("the offer is no longer published; the link can no longer be answered") if p["kind"] == "offer" \
            else _("the want is no longer published; the link can no longer be answered")
    if refused.reason == "short":
        return _("only %(left)s %(unit)s a year are left on listing %(listing)s; the link needs %(needed)s",
                 left=format_decimal(p["left"], format="#,##0"), unit=p["unit"], listing=p["listing"],
                 needed=format_decimal(p["needed"], format="#,##0"))
    return _("no such link")
