"""A listing as written, checked: every field read and validated at once, names read with a confidence,
hazard codes settled, quality checked against the materials' attributes (one check for form, API and import)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from matching.knowledge.errors import KnowledgeError
from matching.knowledge import Knowledge, load_knowledge
from matching.knowledge.qualifiers import split_qualifiers
from matching.knowledge.resolver import MaterialReading, hazard_code_in, read_material, split_alternatives
from matching.knowledge.units import UnitError, stored_unit, units_per
from geo.messages import Message, N_, Names

from ..models import LISTING_KINDS, VISIBILITIES
from .errors import FieldError, field_error_from
from .listing_values import (clean_text, foreign_waste_code, hazard_category, parse_date, parse_hazard_code,
                             parse_price, parse_quality, parse_written_unit, read_amount, read_measure,
                             verbatim_note)

# The units the listing form offers; any unit of units.yaml is accepted (万吨/年, Nm3/day, kWh/month ...).
UNITS = ("t/yr", "t/month", "t/day", "GJ/yr", "MWh/yr", "m3/yr", "Nm3/yr", "m3/day", "Nm3/day")
# More than any single site could generate or take in a year (China's whole industrial solid waste is ~4e9 t/yr).
ABSURD_PER_YEAR = {"t": 1e8, "GJ": 1e9, "MWh": 3e8, "m3": 1e10, "Nm3": 1e11}
MAX_NOTE = 2000


class ListingInvalid(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class ListingInput:
    """A listing as written in a form, an API call or an import row (strings allowed)."""

    kind: str
    material: str | list[str]
    quantity: str | float
    unit: str | None = None
    quality: str | dict | None = None
    price_cny: str | float | None = None
    available_from: str | dt.date | None = None
    available_to: str | dt.date | None = None
    hazard_code: str | None = None
    visibility: str | None = None
    note: str | None = None
    transport_modes: str | None = None


@dataclass(frozen=True)
class NameReading:
    """One written material name and how it was read (a row of ``listing_name``)."""

    written: str
    name_code: str
    reading: str
    confidence: float
    material_code: str | None
    suggestions: tuple[str, ...] = ()
    # Grades and classes the name states ("II级粉煤灰" -> grade II).
    quality: dict = field(default_factory=dict, hash=False, compare=False)
    # Why a name was read in the light of its site's sector ("context" readings).
    note: str = field(default="", compare=False)

    @property
    def engine_code(self) -> str:
        return self.material_code or self.name_code


@dataclass(frozen=True)
class CheckedListing:
    kind: str
    material_codes: tuple[str, ...]
    quantity: float
    unit: str
    annual_quantity: float
    base_unit: str
    quality: dict
    price_cny: float | None
    available_from: dt.date | None
    available_to: dt.date | None
    hazard_code: str | None
    visibility: str
    note: str | None
    transport_modes: str | None = None
    # The material as written, and each name's reading (unclassified names have no material code).
    material: str = ""
    names: tuple[NameReading, ...] = ()
    # What the author should look at, though nothing is wrong: unclassified or possibly hazardous names,
    # an inferred hazard code. FieldErrors, so they name their field like errors do.
    warnings: tuple[FieldError, ...] = field(default=())

    # The listing columns a checked listing sets as they are (materials and the hash are set apart).
    COLUMNS = ("kind", "material", "quantity", "unit", "annual_quantity", "base_unit", "quality", "price_cny", "available_from",
               "available_to", "hazard_code", "visibility", "note", "transport_modes")

    def columns(self) -> dict:
        return {name: getattr(self, name) for name in self.COLUMNS}

    def content_hash(self, site_id: int) -> str:
        content = [site_id, self.kind, [n.written for n in self.names] or list(self.material_codes), self.quantity, self.unit,
                   sorted(self.quality.items()), self.price_cny, str(self.available_from or ""),
                   str(self.available_to or ""), self.hazard_code, self.visibility,
                   # The note is stored as typed but compared folded: a file imported again, or a listing stored
                   # before notes were kept verbatim (full-width punctuation folded), is the same listing.
                   clean_text(self.note or "")]
        return hashlib.sha1(json.dumps(content, ensure_ascii=False, default=str).encode()).hexdigest()


def _check_quality(quality: dict, materials: list, kind: str, knowledge: Knowledge) -> dict:
    """Validate keys and values against the materials' attributes; keys come back canonical.

    Plants write keys their own way (``moisture_pct`` for FGD gypsum's free water): aliases are
    resolved, so matching compares like with like. Wants may give limits as ``key_min`` / ``key_max``.
    """
    checked = {}
    for key, value in quality.items():
        base, suffix = re.match(r"^(.*?)(_min|_max)?$", key, re.IGNORECASE).groups()
        suffix = suffix.lower() if suffix else suffix
        attribute, first_error = None, None
        for material in materials:
            try:
                attribute = knowledge.quality_attribute(material.code, _key_as_known(base, material.code, knowledge))
                break
            except KnowledgeError as exc:
                first_error = first_error or exc
        if attribute is None:
            known = ", ".join(a.key for a in knowledge.quality_attributes(materials[0].code)) or "none"
            hint = Message(N_(" (did you mean %(keys)s?)"), keys=", ".join(first_error.suggestions)) \
                if first_error.suggestions else ""
            raise FieldError("quality", Message(N_("unknown quality key %(key)r for %(name)s%(hint)s; known keys: "
                                                   "%(known)s"),
                                                key=key, name=Names(materials[0].name_zh, materials[0].name_en),
                                                hint=hint, known=known))
        if suffix and kind == "offer":
            raise FieldError("quality", Message(N_("%(key)r: an offer states its quality (%(base)s=…); limits are "
                                                   "for wants"),
                                                key=key, base=base))
        if attribute.kind == "category":
            # "ii", "f" are the values II and F: values, like keys, are matched whatever their case.
            value = next((v for v in attribute.values if v.casefold() == str(value).casefold()), value)
            if str(value) not in attribute.values:
                raise FieldError("quality", Message(N_("%(key)s=%(value)r is not one of %(values)s"),
                                                    key=key, value=value, values=', '.join(attribute.values)))
            value = str(value)
        elif attribute.kind == "number":
            if not isinstance(value, float):
                read = read_measure(str(value), attribute.unit)
                if read is None:
                    raise FieldError("quality", Message(N_("%(key)s=%(value)r must be a number (%(unit)s)"),
                                                        key=key, value=value, unit=attribute.unit))
                value, bound = read
                # A want's "≥ 90 %" or "20 °C 以下" is a limit; an offer's states its value.
                if kind == "want" and not suffix and bound:
                    suffix = "_min" if bound == "lower" else "_max"
        else:
            value = _number_text_or_str(value)
        checked[attribute.key + (suffix or "")] = value
    return checked


def _key_as_known(written: str, code: str, knowledge: Knowledge) -> str:
    """The material's own spelling of a key written in another case ("LOI_pct" -> "loi_pct"); else as written."""
    folded = written.strip().casefold()
    for attribute in knowledge.quality_attributes(code):
        for name in (attribute.key, *attribute.aliases):
            if name.casefold() == folded:
                return name
    return written


def _quality_from_names(named: list[dict]) -> dict:
    """Grades and classes written into the material names ("II级粉煤灰"), for keys the row does not state.

    For a want they read as "this grade or better", as a stated grade does. A key two names give
    different values is left out: the row has to say which it means.
    """
    merged: dict = {}
    clashing = set()
    for quality in named:
        for key, value in quality.items():
            if merged.setdefault(key, value) != value:
                clashing.add(key)
    return {key: value for key, value in merged.items() if key not in clashing}


def _check_not_contradicting(quality: dict, material, knowledge: Knowledge) -> None:
    """An offer may not state a value its material rules out (chemistry=LFP on an NCM battery)."""
    for key, value in knowledge.implied_quality(material.code).items():
        if key in quality and str(quality[key]) != value:
            raise FieldError("quality", Message(N_("%(key)s=%(quality)s contradicts the material: %(name)s is "
                                                   "%(key)s=%(value)s; choose the material that matches the lot"),
                                                key=key, quality=quality[key],
                                                name=Names(material.name_zh, material.name_en), value=value))


def _number_text_or_str(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_names(texts: list[str], *, knowledge: Knowledge, learned: dict[str, str] | None = None,
               sectors: Sequence[str] = (), kind: str = "offer", sectors_confirmed: bool = True
               ) -> tuple[list[NameReading], list[FieldError]]:
    """Each written name read the open-vocabulary way; errors only for empty text or a malformed code.

    ``sectors`` (the site's GB/T 4754 codes, main first) let a name the site's trade settles be read so:
    a power plant's 飞灰 is coal fly ash (matching.knowledge.context). ``sectors_confirmed=False`` (the site's
    sector is itself a guess to confirm) lets no guess read a possibly hazardous name as its safe reading.
    """
    readings, errors = [], []
    for text in texts:
        try:
            found: MaterialReading = read_material(text, knowledge=knowledge, learned=learned, sectors=sectors,
                                                   kind=kind, sectors_confirmed=sectors_confirmed)
        except KnowledgeError as exc:
            errors.append(field_error_from(exc, default_field="material"))
            continue
        if kind == "want" and found.code is None and len(found.alternatives) > 1:
            # "fly ash or slag": two streams no one material covers; the want takes each, as "粉煤灰|钢渣" would.
            more, more_errors = read_names(list(split_alternatives(text)), knowledge=knowledge, learned=learned,
                                           sectors=sectors, kind=kind, sectors_confirmed=sectors_confirmed)
            readings.extend(more)
            errors.extend(more_errors)
            continue
        readings.append(NameReading(found.text, found.name_code, found.how, found.confidence, found.code,
                                    tuple(found.suggestions), dict(found.quality), found.note))
    return readings, errors


def reading_warnings(names: list[NameReading], knowledge: Knowledge) -> list[FieldError]:
    """What the author should confirm: names kept unclassified, names read as possibly hazardous."""
    warnings = []
    for name in names:
        labels = [f"{code} ({knowledge.materials[code].name_zh})" for code in name.suggestions
                  if code in knowledge.materials][:5]
        if name.reading == "unclassified":
            warnings.append(FieldError("material", Message(N_("%(written)r is not in the knowledge base yet: kept "
                                                              "as written (unclassified), matched only with "
                                                              "listings naming the same stream, and queued for "
                                                              "classification"),
                                                           written=name.written),
                                       suggestions=labels))
        elif name.reading == "possibly_hazardous":
            material = knowledge.materials[name.material_code]
            warnings.append(FieldError("material", Message(N_("%(written)r may mean a hazardous waste: read as "
                                                              "%(name)s (%(code)s, %(category)s) until the kind "
                                                              "is confirmed"),
                                                           written=name.written,
                                                           name=Names(material.name_zh, material.name_en),
                                                           code=material.code, category=material.category),
                                                   suggestions=labels))
        elif name.reading == "context":
            warnings.append(FieldError("material", Message(N_("%(written)r %(note)s; confirm if wrong (name the "
                                                              "kind to change it)"),
                                                           written=name.written, note=name.note), suggestions=labels))
    return warnings


def _settled_by_hazard_code(name: NameReading, hazard_code: str | None, knowledge: Knowledge) -> NameReading:
    """A name read only loosely (generic, possibly hazardous, found in longer text) whose stated hazard code
    contradicts the reading: the code, the plant's legal declaration, settles it.

    The reading becomes the one material the code points to (a candidate of the name in the code's
    category, else the only material holding the code or heading its category), marked possibly hazardous
    to confirm; failing one, the name is kept unclassified with the code. An exact name is left alone:
    a contradiction with it is reported as an error.
    """
    if hazard_code is None or name.material_code is None or name.reading in ("exact", "classified"):
        return name
    material = knowledge.materials[name.material_code]
    category = hazard_category(hazard_code)
    if material.hazardous and material.category == category:
        return name
    index = knowledge._index
    fitting = [code for code in name.suggestions if code in knowledge.materials
               and knowledge.materials[code].category == category]
    held = index.materials_by_hw_code.get(hazard_code, ()) if not hazard_code.startswith("HW") else ()
    options = fitting or [code for code in held if not any(code in knowledge.ancestors(other) for other in held)] \
        or list(index.heads_by_category.get(category, ()))
    suggestions = tuple(dict.fromkeys((*options, *name.suggestions)))[:5]
    # Only a material counted like the name's reading: the quantity was written for that.
    if len(options) == 1 and knowledge.materials[options[0]].unit == material.unit:
        return NameReading(name.written, name.name_code, "possibly_hazardous", 0.5, options[0], suggestions,
                           name.quality)
    return NameReading(name.written, name.name_code, "unclassified", 0.0, None, suggestions, name.quality)


def _check_hazard(kind: str, hazard_code: str | None, materials: list, names: list[NameReading],
                  warnings: list[FieldError]) -> str | None:
    """The hazard code to store: as given, or inferred from a hazardous material (its one code, else its category)."""
    classified = bool(materials) and len(materials) == len(names)
    if kind == "offer" and materials:
        material = materials[0]
        if material.hazardous and not hazard_code:
            inferred = material.hw_codes[0] if len(material.hw_codes) == 1 else material.category
            warnings.append(FieldError("hazard_code", Message(N_("no hazard code given: %(inferred)s inferred "
                                                                 "from %(name)s"),
                                                              inferred=inferred,
                                                              name=Names(material.name_zh, material.name_en))))
            return inferred
        if hazard_code and not material.hazardous:
            raise FieldError("hazard_code", Message(N_("%(name)s is not hazardous waste; choose the hazardous "
                                                       "material or leave hazard_code empty"),
                                                    name=Names(material.name_zh, material.name_en)))
        if hazard_code and material.category.startswith("HW") and hazard_category(hazard_code) != material.category:
            raise FieldError("hazard_code", Message(N_("%(hazard_code)s is category %(hazard_category)s, but "
                                                       "%(name)s is %(category)s"),
                                                    hazard_code=hazard_code,
                                                    hazard_category=hazard_category(hazard_code),
                                                    name=Names(material.name_zh, material.name_en),
                                                    category=material.category))
    elif kind == "want" and hazard_code and classified and not any(m.hazardous for m in materials):
        raise FieldError("hazard_code", Message(N_("none of the accepted materials is hazardous waste")))
    return hazard_code


def check_listing(listing: ListingInput, *, knowledge: Knowledge | None = None,
                  today: dt.date | None = None, learned: dict[str, str] | None = None,
                  sectors: Sequence[str] = (), sectors_confirmed: bool = True) -> CheckedListing:
    """Validate every field; raise :class:`ListingInvalid` listing each bad one.

    A material name the knowledge base does not know is no error: it is kept as written, unclassified,
    with a warning. ``learned`` maps names administrators classified (by pseudo-code) to material codes.
    ``sectors`` are the GB/T 4754 codes of the listing's site (main first): a name its trade settles is
    read so, with a warning to confirm; a hazard_code stated on the listing still overrides that reading.
    ``sectors_confirmed=False`` when the site's sector is a guess still to confirm.
    """
    knowledge = knowledge or load_knowledge()
    errors: list[FieldError] = []
    warnings: list[FieldError] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except FieldError as exc:
            errors.append(exc)
            return None

    # A waste code of another country's list (EWC 13 02 05*) is kept in the note; the material says the hazard.
    foreign_code = foreign_waste_code(listing.hazard_code)
    hazard_text = None if foreign_code else listing.hazard_code
    kind = clean_text(listing.kind).lower()
    if kind not in LISTING_KINDS:
        errors.append(FieldError("kind", Message(N_("kind must be offer or want"))))

    texts = [clean_text(t) for t in listing.material] if isinstance(listing.material, list) else \
        [t for t in re.split(r"\s*[|｜]\s*", clean_text(listing.material)) if t]
    texts = [t for t in texts if t]
    if not texts:
        errors.append(FieldError("material", Message(N_("a material is required (code or name)"))))
    elif kind == "offer" and len(texts) > 1:
        errors.append(FieldError("material", Message(N_("an offer is one material; list several only in a want"))))
    elif any(len(t) > 300 for t in texts):
        errors.append(FieldError("material", Message(N_("a material name is at most 300 characters"))))
    names, name_errors = read_names(texts, knowledge=knowledge, learned=learned, sectors=sectors,
                                    kind=kind if kind in LISTING_KINDS else "offer",
                                    sectors_confirmed=sectors_confirmed)
    errors.extend(name_errors)
    named_quality = [name.quality for name in names]
    # One reading per stream: the same name twice, or two names read as one material, count once.
    unique: dict[str, NameReading] = {}
    for name in names:
        unique.setdefault(name.engine_code, name)
    names = list(unique.values())
    if kind == "offer" and len(names) == 1:
        try:
            names = [_settled_by_hazard_code(names[0], parse_hazard_code(hazard_text), knowledge)]
        except FieldError:
            pass  # a malformed code is reported below, with the other fields
    warnings.extend(reading_warnings(names, knowledge))
    materials = [knowledge.materials[n.material_code] for n in names if n.material_code is not None]
    codes = tuple(dict.fromkeys(m.code for m in materials))

    amount = attempt(read_amount, listing.quantity, "quantity")
    quantity = amount.value if amount is not None else None
    if quantity is not None and quantity <= 0:
        errors.append(FieldError("quantity", Message(N_("the quantity must be more than zero"))))
        quantity = None
    if amount is not None and amount.ranged:
        warnings.append(FieldError("quantity", Message(N_("%(text)r is a range: counted as its middle, %(value)s"),
                                                       text=clean_text(listing.quantity), value=f"{amount.value:,g}")))
    written = attempt(_written_unit, listing.unit, amount.unit if amount is not None else None)
    if written is not None and written.per_year > 365:
        warnings.append(FieldError("unit", Message(N_("an hourly figure is counted at %(hours)s operating hours a "
                                                      "year; write the yearly quantity if the plant runs otherwise"),
                                                   hours=f"{written.per_year:,}")))
    annual = base_unit = unit = None
    if written is not None and names:
        unit = written.canonical
        factor = None
        if materials:
            material_unit = materials[0].unit
            other_units = {m.unit for m in materials} - {material_unit}
            # A want may accept materials counted in different units (brine in m3, salt in t): its quantity is
            # counted in its first (main) material's unit, which the written unit must convert to; the others
            # are kept as accepted, and the engine matches those counted in the same unit (warned).
            try:
                factor = units_per(materials[0].code, written.unit, knowledge=knowledge)
                base_unit = material_unit
            except UnitError as exc:
                errors.append(FieldError("unit", str(exc).removeprefix("unit: ")))
            if other_units and factor is not None:
                apart = sorted({m.name_zh for m in materials[1:] if m.unit != material_unit})
                warnings.append(FieldError("unit", Message(N_("the quantity is counted in %(material_unit)s, the "
                                                              "unit of %(name)s; %(apart)s (measured in "
                                                              "%(other_units)s) are kept as accepted but matched "
                                                              "only in a want of their own"),
                                                           material_unit=material_unit,
                                                           name=Names(materials[0].name_zh, materials[0].name_en),
                                                           apart=', '.join(apart),
                                                           other_units=', '.join(sorted(other_units)))))
        else:  # unclassified: counted in the written unit's kind
            base_unit, factor = stored_unit(written.unit)
        if factor is not None and quantity is not None:
            quantity = quantity * written.multiplier
            annual = quantity * written.per_year * factor
            if annual > ABSURD_PER_YEAR.get(base_unit, math.inf):
                errors.append(FieldError("quantity", Message(N_("%(annual)s %(base_unit)s a year is more than any "
                                                                "site handles; check the unit"),
                                                             annual=f"{annual:,.0f}", base_unit=base_unit)))

    quality = {}
    described: list[str] = []
    try:
        quality = parse_quality(listing.quality, described=described)
        for part in list(described):
            # A grade or class written alone ("II级", "F类", "Class F") reads as a name's would.
            qualifiers = split_qualifiers(part)
            if qualifiers.quality and not qualifiers.remainder.strip():
                named_quality.append(dict(qualifiers.quality))
                described.remove(part)
        if materials and len(materials) == len(names):
            quality = _check_quality(quality, materials, kind, knowledge)
        elif materials:  # unclassified names have no attributes to check against: keep what is stated
            try:
                quality = _check_quality(quality, materials, kind, knowledge)
            except FieldError:
                pass
        if materials:
            stated = {re.sub(r"_(min|max)$", "", key) for key in quality}
            quality = {**{key: value for key, value in _quality_from_names(named_quality).items()
                          if key not in stated}, **quality}
            if kind == "offer":
                _check_not_contradicting(quality, materials[0], knowledge)
    except FieldError as exc:
        errors.append(exc)

    price = None
    if listing.price_cny not in (None, ""):
        price = attempt(parse_price, listing.price_cny, "price_cny")
        if price is not None and abs(price) > 1e6:
            errors.append(FieldError("price_cny", Message(N_("%(price)g CNY per unit is not plausible"),
                                                          price=price)))

    start = attempt(parse_date, listing.available_from, "available_from")
    end = attempt(lambda value, name: parse_date(value, name, end=True), listing.available_to, "available_to")
    if start and end and end < start:
        errors.append(FieldError("available_to", Message(N_("ends (%(end)s) before it starts (%(start)s)"),
                                                         end=end, start=start)))

    hazard_code = attempt(parse_hazard_code, hazard_text)
    if hazard_code is None and not hazard_text:
        # A material written as a hazardous-waste code the knowledge base lacks still says what the lot is.
        hazard_code = next((hazard_code_in(n.written) for n in names
                            if n.material_code is None and hazard_code_in(n.written)), None)
    if not any(e.field == "hazard_code" for e in errors):
        hazard_code = attempt(_check_hazard, kind, hazard_code, materials, names, warnings)

    visibility = clean_text(listing.visibility).lower() or "named"
    if visibility not in VISIBILITIES:
        errors.append(FieldError("visibility", Message(N_("visibility must be named or anonymous"))))
    note = verbatim_note(listing.note) or None
    if foreign_code:
        warnings.append(FieldError("hazard_code", Message(N_("%(code)r is a waste code of another country's list: "
                                                             "kept in the note; the hazard is read from the "
                                                             "material"), code=foreign_code)))
    if described or foreign_code:
        # Words written where the quality goes describe the lot: kept, in the note, rather than refused.
        note = "\n".join([*described, *([foreign_code] if foreign_code else []), *([note] if note else [])])
        warnings.append(FieldError("quality", Message(N_("%(text)r is no key=value quality; kept in the note as "
                                                         "written"), text="; ".join(described))))
    if note and len(note) > MAX_NOTE:
        errors.append(FieldError("note", Message(N_("at most %(MAX_NOTE)s characters"), MAX_NOTE=MAX_NOTE)))

    if errors:
        raise ListingInvalid(errors)
    return CheckedListing(kind, codes, quantity, unit, annual, base_unit, quality, price, start, end, hazard_code,
                          visibility, note, clean_text(listing.transport_modes) or None,
                          material=_written_material(listing.material, texts), names=tuple(names),
                          warnings=tuple(warnings))


def _written_unit(unit_text, after_amount: str | None):
    """The unit column, or the unit written after the quantity ("3000吨/年") when the column is empty; both given,
    they must agree."""
    if after_amount is None:
        return parse_written_unit(unit_text)
    try:
        inline = parse_written_unit(after_amount)
    except FieldError:
        raise FieldError("quantity", Message(N_("%(text)r after the number is not a unit"),
                                             text=after_amount)) from None
    if not clean_text(unit_text):
        return inline
    column = parse_written_unit(unit_text)
    if (column.unit, column.period, column.multiplier) != (inline.unit, inline.period, inline.multiplier):
        raise FieldError("quantity", Message(N_("the quantity says %(inline)s but the unit says %(column)s"),
                                             inline=after_amount, column=clean_text(unit_text)))
    return column


def _written_material(material, texts: list[str]) -> str:
    """The material field as the author wrote it (a want's list joined by "|"), within the column's length."""
    written = clean_text(material) if isinstance(material, str) else "|".join(texts)
    return written[:1000]


def name_values(name: NameReading) -> dict:
    """Column values of a ``listing_name`` row, without listing and position."""
    return {"written": name.written, "name_code": name.name_code, "reading": name.reading,
            "confidence": name.confidence, "material_code": name.material_code}
