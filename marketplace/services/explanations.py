"""A link's explanation: kept as a template naming nobody, rendered for each reader.

The engine's sentences name both sites; what is stored with a link is the template of
:func:`matching.explain.explain_template`, written from the link's figures, whose slots (the two
sides, the road distance and the figures that follow from it) are filled for one reader by
:func:`explanation`, with the names and figures that reader may see (:mod:`.disclosure`): when a side is
hidden, the distance rounded like every other distance to a hidden site, and the money and CO2 for that.
"""
from __future__ import annotations

from matching import types as engine
from matching.explain import explain_template, facts_of, figure_words, render
from matching.knowledge import Knowledge
from matching.knowledge.unclassified import UNCLASSIFIED_PREFIX, is_unclassified

from ..models import Link
from .disclosure import link_figures

# Stand-ins for a hidden side: each template is in one language whatever the page's, so these are
# literal rather than translated. The supplier opens the sentence.
HIDDEN_SUPPLIER = {"zh": "一家匿名供方", "en": "An anonymous supplier"}
HIDDEN_RECEIVER = {"zh": "一家匿名需方", "en": "an anonymous buyer"}


_ROUTE_INDEX: dict[int, tuple[Knowledge, dict]] = {}


def _routes_by_id(knowledge: Knowledge) -> dict:
    """The knowledge base's routes by id, built once per knowledge base (a run asks for every link's)."""
    held = _ROUTE_INDEX.get(id(knowledge))
    if held is None or held[0] is not knowledge:
        _ROUTE_INDEX.clear()
        held = _ROUTE_INDEX[id(knowledge)] = (knowledge, {route.id: route for route in knowledge.routes})
    return held[1]


def templates_of(link: engine.Link, *, knowledge: Knowledge, offers: dict[str, engine.Offer],
                 wants: dict[str, engine.Want]) -> tuple[str, str]:
    """``(zh, en)`` templates for an engine link, from its figures: what is stored on the link."""
    routes = _routes_by_id(knowledge)
    if link.route_id is None and is_unclassified(link.material):
        offer = offers.get(link.offer_id)
        words = (offer.material_name if offer else "") or link.material.removeprefix(UNCLASSIFIED_PREFIX)
        want = wants.get(link.want_id) if link.want_id else None
        priced = offer is not None and offer.price_cny is not None and want is not None \
            and want.max_price_cny is not None
        return explain_template(facts_of(link, material_zh=words, material_en=words), by_name=True, priced=priced)
    route = routes.get(link.route_id or "")
    material = knowledge.materials.get(link.material)
    if route is None or material is None:
        return "", ""  # an agreement no route serves any more: the engine has no sentence for it either
    return explain_template(facts_of(link, material_zh=material.name_zh, material_en=material.name_en,
                                     replaces_zh=route.replaces.name_zh, replaces_en=route.replaces.name_en))


def _name(site, language: str) -> str:
    return (site.name_en or site.name_zh) if language == "en" else site.name_zh


def explanation(link: Link, language: str, *, supplier_shown: bool = True, receiver_shown: bool = True) -> str:
    """The link's explanation in ``language`` (``zh`` or ``en``), naming only the sides shown to the reader,
    with the figures that reader may see (:func:`.disclosure.link_figures`)."""
    template = link.explanation_en if language == "en" else link.explanation_zh
    figures = link_figures(link, revealed=supplier_shown and receiver_shown)
    transport, net_per_unit = figures.per_unit(link.quantity)
    return render(
        template or "",
        supplier=_name(link.supplier_site, language) if supplier_shown else HIDDEN_SUPPLIER[language],
        receiver=_name(link.receiver_site, language) if receiver_shown else HIDDEN_RECEIVER[language],
        **figure_words(language, road_km=figures.road_km, transport_per_unit=transport, net_per_unit=net_per_unit,
                       net=figures.net_benefit_cny, co2_t=figures.co2_avoided_t))


def both(link: Link, *, supplier_shown: bool = True, receiver_shown: bool = True) -> dict[str, str]:
    """``{"zh": …, "en": …}`` for one reader."""
    return {language: explanation(link, language, supplier_shown=supplier_shown, receiver_shown=receiver_shown)
            for language in ("zh", "en")}
