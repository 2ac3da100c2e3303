"""One sentence per link, in Chinese and in English, carrying the link's numbers.

The sentence says who sends what to whom, what it replaces, how far and by which mode, the net
benefit per unit and per year after transport, the CO2 avoided, and the park and coupling flags.

Who the two sides are, and how exactly the distance may be given, depends on who reads it (an
anonymous side is not named to everyone), so a link's explanation is kept as a **template**: the
sentence with the sides, the road distance and every figure that follows from the distance (transport
cost, net benefit, CO2 balance) as slots (:func:`explain_template`, from the link's figures via
:func:`facts_of`), which :func:`render` fills for one reader with the words of :func:`figure_words`. A
reader who may not know the exact distance gets figures worked out from the rounded one; a figure baked
into the sentence would give the distance back. Any other brace in the sentence is doubled, so that words
a user typed never act as a slot.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from matching.couplings import coupling_table

__all__ = ["COUPLING_ZH", "LinkFacts", "SLOTS", "explain", "explain_by_name", "explain_en", "explain_template",
           "explain_zh", "facts_of", "figure_words", "render"]

# The parts of a template that a reader's view fills in: the sides, and the figures that depend on the distance.
SLOTS = ("supplier", "receiver", "road_km", "transport", "net_per_unit", "net", "co2")
_SLOT = re.compile(r"\{\{|\}\}|\{(" + "|".join(SLOTS) + r")\}")

# The coupling names in Chinese come from the one table of couplings (matching/knowledge/couplings.yaml).
COUPLING_ZH = {name: zh for name, (zh, _en) in coupling_table().words.items()}
UNIT_ZH = {"t": "吨", "GJ": "吉焦", "Nm3": "标准立方米", "m3": "立方米", "MWh": "兆瓦时"}
MODE_ZH = {"road": "公路", "rail": "铁路", "barge": "水运", "pipeline": "管道"}
MODE_EN = {"road": "by road", "rail": "by rail", "barge": "by barge", "pipeline": "by pipeline"}


@dataclass(frozen=True)
class LinkFacts:
    """What a sentence needs about a link; quantities per year, money in CNY."""

    supplier_zh: str
    supplier_en: str
    receiver_zh: str
    receiver_en: str
    material_zh: str
    material_en: str
    replaces_zh: str
    replaces_en: str
    quantity: float
    unit: str
    road_km: float
    mode: str | None
    transport_cny_per_unit: float
    net_benefit_cny_per_unit: float
    net_benefit_cny: float
    co2_avoided_t: float
    same_park: bool = False
    cross_park: bool = False
    coupling: str | None = None
    latent: bool = False
    substitute: bool = False


def explain(facts: LinkFacts) -> tuple[str, str]:
    """``(zh, en)`` sentences for a link.

    Examples
    --------
    >>> zh, en = explain(_example())
    >>> en
    'Plant A can send 12,000 t/yr of coal fly ash to Cement B to replace cement clinker, 85 km by road: net benefit 2.76 million CNY/yr (230 CNY/t after 38 CNY/t transport), 9,200 t CO2 avoided a year; same park; power-building materials coupling.'
    >>> zh
    '甲电厂每年可向乙水泥供应粉煤灰12,000吨，替代水泥熟料，公路运距约85公里：扣除每吨38元运费后每吨净效益230元，年净效益276.0万元，年减排二氧化碳9,200吨；同一园区；电力—建材耦合。'
    """
    return explain_zh(facts), explain_en(facts)


def explain_en(f: LinkFacts) -> str:
    """The English sentence (see :func:`explain`)."""
    unit = f.unit
    receiver = f.receiver_en
    if f.latent:
        receiver += ", whose sector uses it though it posted no want,"
    how = f"{_km(f)} km {MODE_EN.get(f.mode or '', 'away')}"
    use = f"as a substitute to replace {f.replaces_en}" if f.substitute else f"to replace {f.replaces_en}"
    co2 = (f"{_co2(f)} t CO2 avoided a year" if not _emits(f)
           else f"transport emits {_co2(f)} t CO2 a year more than the use saves")
    tail = "".join(f"; {flag}" for flag in _flags(f, same="same park", across="across parks",
                                                      coupling=f"{f.coupling} coupling"))
    return (
        f"{f.supplier_en} can send {_number(f.quantity)} {unit}/yr of {f.material_en} to {receiver} {use}, {how}: "
        f"net benefit {_net(f, 'en')}/yr ({_net_per_unit(f)} CNY/{unit} after {_transport(f)} CNY/{unit} transport), "
        f"{co2}{tail}."
    )


def _flags(f: LinkFacts, *, same: str, across: str, coupling: str | None) -> list[str]:
    """Where the link runs (same park or across parks) and its coupling, in one language's words."""
    flags = [same] if f.same_park else [across] if f.cross_park else []
    return flags + ([coupling] if f.coupling else [])


def explain_zh(f: LinkFacts) -> str:
    """The Chinese sentence (see :func:`explain`)."""
    unit = UNIT_ZH.get(f.unit, f.unit)
    receiver = f.receiver_zh
    if f.latent:
        receiver += "（该企业未发布需求，但其所属行业使用此类物料）"
    mode = MODE_ZH.get(f.mode or "", "")
    how = f"{mode}运距约{_km(f)}公里"
    use = f"作为替代料替代{f.replaces_zh}" if f.substitute else f"替代{f.replaces_zh}"
    co2 = f"年减排二氧化碳{_co2(f)}吨" if not _emits(f) else f"运输排放比利用减排多{_co2(f)}吨二氧化碳/年"
    tail = "".join(f"；{flag}" for flag in _flags(f, same="同一园区", across="跨园区",
                                                      coupling=COUPLING_ZH.get(f.coupling or "", f.coupling)))
    return (
        f"{f.supplier_zh}每年可向{receiver}供应{f.material_zh}{_number(f.quantity)}{unit}，{use}，{how}："
        f"扣除每{unit}{_transport(f)}元运费后每{unit}净效益{_net_per_unit(f)}元，"
        f"年净效益{_net(f, 'zh')}，{co2}{tail}。"
    )


def explain_by_name(facts: LinkFacts, *, priced: bool) -> tuple[str, str]:
    """``(zh, en)`` sentences for a link of an unclassified stream, matched by name only.

    ``material_zh`` / ``material_en`` carry the user's own words; ``priced`` says whether both sides gave
    a price (otherwise the net benefit is only minus transport, and the sentence says the value is unknown).

    Examples
    --------
    >>> facts = LinkFacts("甲乳品厂", "Dairy A", "乙猪场", "Pig farm B", "乳清", "whey", "", "", 3000.0, "t",
    ...                   26.0, "road", 11.7, 38.3, 114900.0, 0.0)
    >>> zh, en = explain_by_name(facts, priced=True)
    >>> en
    'Dairy A can send 3,000 t/yr of “whey” to Pig farm B, which asks for a stream of the same name, 26 km by road: matched by name only — the stream is not yet classified, so no use route, quality standard or CO2 saving applies; net benefit 114,900 CNY/yr from the prices given (38 CNY/t after 12 CNY/t transport).'
    >>> zh
    '甲乳品厂每年可向乙猪场供应“乳清”3,000吨，对方发布了同名物料的需求，公路运距约26公里：仅按名称匹配——该物料尚未归类，不适用利用途径、质量标准和减排核算；按双方报价，扣除每吨12元运费后每吨净效益38元，年净效益11.5万元。'
    """
    unit, unit_zh = facts.unit, UNIT_ZH.get(facts.unit, facts.unit)
    if priced:
        money_en = (f"net benefit {_net(facts, 'en')}/yr from the prices given "
                    f"({_net_per_unit(facts)} CNY/{unit} after {_transport(facts)} CNY/{unit} transport)")
        money_zh = (f"按双方报价，扣除每{unit_zh}{_transport(facts)}元运费后每{unit_zh}净效益"
                    f"{_net_per_unit(facts)}元，年净效益{_net(facts, 'zh')}")
    else:
        money_en = (f"no price on both sides, so the value is unknown; transport costs about "
                    f"{_transport(facts)} CNY/{unit}")
        money_zh = f"双方未都给出价格，效益无法估算；运费约每{unit_zh}{_transport(facts)}元"
    tail_en = "".join(f"; {flag}" for flag in _flags(facts, same="same park", across="across parks", coupling=None))
    tail_zh = "".join(f"；{flag}" for flag in _flags(facts, same="同一园区", across="跨园区", coupling=None))
    en = (f"{facts.supplier_en} can send {_number(facts.quantity)} {unit}/yr of “{facts.material_en}” to "
          f"{facts.receiver_en}, which asks for a stream of the same name, {_km(facts)} km by road: "
          f"matched by name only — the stream is not yet classified, so no use route, quality standard or CO2 "
          f"saving applies; {money_en}{tail_en}.")
    zh = (f"{facts.supplier_zh}每年可向{facts.receiver_zh}供应“{facts.material_zh}”{_number(facts.quantity)}{unit_zh}，"
          f"对方发布了同名物料的需求，公路运距约{_km(facts)}公里：仅按名称匹配——该物料尚未归类，"
          f"不适用利用途径、质量标准和减排核算；{money_zh}{tail_zh}。")
    return zh, en


# In a template (see explain_template) the distance and the figures that follow from it are NaN: each of
# these writes its slot there, for the reader's view to fill (figure_words), and the figure otherwise.
def _km(f: LinkFacts) -> str:
    return "{road_km}" if math.isnan(f.road_km) else _road_km(f.road_km)


def _transport(f: LinkFacts) -> str:
    return "{transport}" if math.isnan(f.transport_cny_per_unit) else _per_unit(f.transport_cny_per_unit)


def _net_per_unit(f: LinkFacts) -> str:
    return "{net_per_unit}" if math.isnan(f.net_benefit_cny_per_unit) else _per_unit(f.net_benefit_cny_per_unit)


def _net(f: LinkFacts, language: str) -> str:
    if math.isnan(f.net_benefit_cny):
        return "{net}"
    return _money_zh(f.net_benefit_cny) if language == "zh" else _money_en(f.net_benefit_cny)


def _emits(f: LinkFacts) -> bool:
    # The sign picks the sentence; a template keeps it on its NaN (math.copysign), the size is the slot's.
    return math.copysign(1.0, f.co2_avoided_t) < 0 and f.co2_avoided_t != 0


def _co2(f: LinkFacts) -> str:
    return "{co2}" if math.isnan(f.co2_avoided_t) else _number(abs(f.co2_avoided_t))


def _road_km(km: float) -> str:
    return f"{km:,.0f}"


def figure_words(language: str, *, road_km: float, transport_per_unit: float, net_per_unit: float, net: float,
                 co2_t: float) -> dict[str, str]:
    """The words for a template's figure slots in ``language`` (``zh`` or ``en``), written as :func:`explain`
    writes them; the CO2 slot takes the size (the template's sentence already says which way it goes).

    Examples
    --------
    >>> figure_words("zh", road_km=85.0, transport_per_unit=38.25, net_per_unit=230.0, net=2_760_000.0, co2_t=9200.0)
    {'road_km': '85', 'transport': '38', 'net_per_unit': '230', 'net': '276.0万元', 'co2': '9,200'}
    """
    return {"road_km": _road_km(road_km), "transport": _per_unit(transport_per_unit),
            "net_per_unit": _per_unit(net_per_unit), "net": _money_zh(net) if language == "zh" else _money_en(net),
            "co2": _number(abs(co2_t))}


def _escaped(facts: LinkFacts) -> LinkFacts:
    """The facts with every brace in their words doubled, and the names and distance as slots."""
    words = {name: getattr(facts, name).replace("{", "{{").replace("}", "}}")
             for name in ("material_zh", "material_en", "replaces_zh", "replaces_en")}
    coupling = facts.coupling.replace("{", "{{").replace("}", "}}") if facts.coupling else facts.coupling
    nan = float("nan")
    return dataclasses.replace(facts, supplier_zh="{supplier}", supplier_en="{supplier}", receiver_zh="{receiver}",
                               receiver_en="{receiver}", road_km=nan, transport_cny_per_unit=nan,
                               net_benefit_cny_per_unit=nan, net_benefit_cny=nan,
                               co2_avoided_t=math.copysign(nan, facts.co2_avoided_t), coupling=coupling, **words)


def explain_template(facts: LinkFacts, *, by_name: bool = False, priced: bool = True) -> tuple[str, str]:
    """``(zh, en)`` templates for a link: its sentences with the sides, the road distance and the figures that
    follow from it as slots.

    The names in ``facts`` are not used: a template names nobody. ``by_name`` (a stream matched by
    name only) writes the sentences of :func:`explain_by_name`.

    Examples
    --------
    >>> zh, en = explain_template(_example())
    >>> en[:61]
    '{supplier} can send 12,000 t/yr of coal fly ash to {receiver}'
    >>> figures = figure_words("en", road_km=85.0, transport_per_unit=38.25, net_per_unit=230.0, net=2_760_000.0,
    ...                        co2_t=9200.0)
    >>> render(en, supplier="Plant A", receiver="Cement B", **figures) == explain(_example())[1]
    True
    """
    escaped = _escaped(facts)
    if by_name:
        return explain_by_name(escaped, priced=priced)
    return explain_zh(escaped), explain_en(escaped)


def render(template: str, *, supplier: str, receiver: str, **figures: str) -> str:
    """A template (:func:`explain_template`) for one reader: the sides as that reader may name them, and the
    figure slots (``road_km``, ``transport``, ``net_per_unit``, ``net``, ``co2``; see :func:`figure_words`).

    Filled in one pass, so a name that looks like a slot stays as written.

    Examples
    --------
    >>> render("{supplier} sends {{x}} to {receiver}, {road_km} km", supplier="{receiver}", receiver="B",
    ...        road_km="5")
    '{receiver} sends {x} to B, 5 km'
    """
    values = {"supplier": supplier, "receiver": receiver, **figures}
    return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)) if m.group(1) else m.group(0)[0], template)


def facts_of(link, *, material_zh: str, material_en: str, replaces_zh: str = "", replaces_en: str = "") -> LinkFacts:
    """The facts of a :class:`matching.types.Link` for :func:`explain_template`, without names.

    ``material_*`` and ``replaces_*`` are the words for its material and for what its route replaces
    (the knowledge base's names; for a stream matched by name, the user's own words and nothing).

    Examples
    --------
    >>> from matching.types import Link
    >>> link = Link("1", "s1", "2", "s2", "coal-fly-ash", "r", 100.0, "t", 10.0, 13.0, "road", 500.0, 2000.0,
    ...             20.0, 30.0, 20.0, True, False, None, False)
    >>> explain_template(facts_of(link, material_zh="粉煤灰", material_en="fly ash", replaces_zh="黏土",
    ...                           replaces_en="clay"))[1][:53]
    '{supplier} can send 100 t/yr of fly ash to {receiver}'
    """
    quantity = link.quantity or 1.0
    return LinkFacts(
        "", "", "", "", material_zh, material_en, replaces_zh, replaces_en, link.quantity, link.unit, link.road_km,
        link.mode, link.transport_cost_cny / quantity, link.net_benefit_cny_per_unit, link.net_benefit_cny,
        link.co2_avoided_t, link.same_park, link.cross_park, link.coupling, link.latent, link.substitute)


def _number(value: float) -> str:
    # Two significant figures below 10, written out (never 1e-05).
    if abs(value) >= 10 or value == 0:
        return f"{value:,.0f}"
    return f"{value:.{max(1, 1 - math.floor(math.log10(abs(value))))}f}".rstrip("0").rstrip(".")


def _per_unit(value: float) -> str:
    # Gas and water cost fractions of a yuan per unit; tonnes cost tens to thousands.
    if abs(value) >= 10 or value == 0:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.4f}"


def _money_en(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} million CNY"
    return f"{value:,.0f} CNY"


def _money_zh(value: float) -> str:
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.2f}亿元"
    if abs(value) >= 1e4:
        return f"{value / 1e4:,.1f}万元"
    return f"{value:,.0f}元"


def _example() -> LinkFacts:
    return LinkFacts(
        supplier_zh="甲电厂", supplier_en="Plant A", receiver_zh="乙水泥", receiver_en="Cement B",
        material_zh="粉煤灰", material_en="coal fly ash", replaces_zh="水泥熟料", replaces_en="cement clinker",
        quantity=12000.0, unit="t", road_km=85.0, mode="road", transport_cny_per_unit=38.25,
        net_benefit_cny_per_unit=230.0, net_benefit_cny=2_760_000.0, co2_avoided_t=9200.0, same_park=True,
        coupling="power-building materials",
    )
