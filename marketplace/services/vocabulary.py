"""The open vocabulary at run time: names administrators classified, and the queue of names still unclassified.

Listings keep names the knowledge base does not know as written (``listing_name`` rows without a material).
Administrators see them by how often they occur, with the closest materials; classifying a name gives
every listing that uses it that material and stores the name as a learned synonym, which the resolver
reads before the shipped knowledge base from then on (:func:`learned_synonyms`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from matching.knowledge import load_knowledge
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.resolver import read_material
from matching.knowledge.units import UnitError, parse_unit, units_per
from geo.messages import Listed, Message, N_

from ..extensions import db
from ..models import LearnedSynonym, Listing, ListingMaterial, ListingName, User
from .errors import FieldError, message_of
from .transaction import unit_of_work

__all__ = ["QueueEntry", "classification_queue", "classify_name", "confirm_kind", "kinds_to_confirm", "learned_synonyms",
           "resolve_target"]


@dataclass(frozen=True)
class QueueEntry:
    """One unclassified name: its pseudo-code, how it is written (most used spelling first), how many
    listings use it (offers, wants) and the materials closest to it."""

    name_code: str
    spellings: tuple[str, ...]
    listings: int
    offers: int
    wants: int
    suggestions: tuple[str, ...]

    @property
    def written(self) -> str:
        return self.spellings[0]


def learned_synonyms() -> dict[str, str]:
    """Pseudo-code of each classified name -> its material code."""
    return dict(db.session.execute(select(LearnedSynonym.name_code, LearnedSynonym.material_code)).tuples().all())


def classification_queue(*, limit: int = 500) -> list[QueueEntry]:
    """Unclassified names, the most used first (ties by name), with up to five suggestions each."""
    rows = db.session.execute(
        select(ListingName.name_code, ListingName.written, Listing.kind, Listing.id)
        .join(Listing, Listing.id == ListingName.listing_id)
        .where(ListingName.material_code.is_(None))
    ).all()
    grouped: dict[str, dict] = {}
    for name_code, written, kind, listing_id in rows:
        entry = grouped.setdefault(name_code, {"spellings": {}, "offers": set(), "wants": set()})
        entry["spellings"][written] = entry["spellings"].get(written, 0) + 1
        entry["offers" if kind == "offer" else "wants"].add(listing_id)
    knowledge = load_knowledge()
    learned = learned_synonyms()
    queue = []
    for name_code, entry in grouped.items():
        spellings = tuple(sorted(entry["spellings"], key=lambda text: (-entry["spellings"][text], text)))
        try:
            suggestions = tuple(read_material(spellings[0], knowledge=knowledge, learned=learned).suggestions)[:5]
        except KnowledgeError:
            suggestions = ()
        queue.append(QueueEntry(name_code, spellings, len(entry["offers"]) + len(entry["wants"]),
                                len(entry["offers"]), len(entry["wants"]), suggestions))
    queue.sort(key=lambda e: (-e.listings, e.written))
    return queue[:limit]


def resolve_target(text: str) -> str:
    """The material an administrator names (code or any name); it must be one known material."""
    knowledge = load_knowledge()
    try:
        reading = read_material(text, knowledge=knowledge)
    except KnowledgeError as exc:
        raise FieldError("material", str(exc).removeprefix("material: ")) from None
    if reading.code is None or reading.how not in ("exact", "qualifier", "generic"):
        raise FieldError("material", Message(N_("%(text)r is not one material of the knowledge base; give its code"),
                                             text=text),
                         suggestions=list(reading.suggestions))
    return reading.code


def classify_name(name_code: str, material: str, *, user: User | None = None) -> int:
    """Classify an unclassified name as a material: every listing using it follows, and the name is learned.

    Returns how many listings were reclassified. Raises :class:`FieldError` for an unknown name or
    material, or when a listing's unit cannot be converted to the material's (nothing is changed then).
    """
    knowledge = load_knowledge()
    code = resolve_target(material)
    target = knowledge.materials[code]
    names = db.session.scalars(select(ListingName).where(
        ListingName.name_code == name_code, ListingName.material_code.is_(None))).all()
    if not names:
        raise FieldError("name", Message(N_("no listing uses the unclassified name %(name_code)r"),
                                         name_code=name_code))
    with unit_of_work():
        problems = []
        for name in names:
            listing = db.session.get(Listing, name.listing_id)
            try:
                _reclassify(listing, name, target, knowledge)
            except (UnitError, FieldError) as exc:
                problems.append(Message(N_("listing %(id)s: %(problem)s"), id=listing.id,
                                        problem=exc.message if isinstance(exc, FieldError) else message_of(exc)))
        if problems:
            raise FieldError("material", Message(N_("%(code)s does not fit every listing using this name: "
                                                    "%(problems)s"), code=target.code,
                                                 problems=Listed(problems, "; ")))
        learned = db.session.get(LearnedSynonym, name_code)
        if learned is None:
            db.session.add(LearnedSynonym(name_code=name_code, written=names[0].written, material_code=code,
                                          created_by_id=user.id if user is not None else None))
        else:
            learned.material_code = code
    return len({name.listing_id for name in names})


def _reclassify(listing: Listing, name: ListingName, material, knowledge) -> None:
    """Give one listing's name the material, in the material's unit, with a hazard code if it is hazardous."""
    others = [n.material_code for n in listing.names if n.material_code is not None and n is not name]
    if not others:
        # The name now decides what the listing's quantity is counted in.
        written = parse_unit(listing.unit)
        factor = units_per(material.code, written.unit, knowledge=knowledge)
        listing.annual_quantity = listing.quantity * written.per_year * factor
        listing.committed_quantity = min(listing.committed_quantity, listing.annual_quantity)
        listing.base_unit = material.unit
    # A want's further material counted in another unit is kept, and matched in a want of its own.
    name.material_code = material.code
    name.reading = "classified"
    name.confidence = 1.0
    if material.code not in listing.material_codes:
        listing.materials.append(ListingMaterial(material_code=material.code, position=name.position))
    if listing.kind == "offer" and material.hazardous and not listing.hazard_code:
        listing.hazard_code = material.hw_codes[0] if len(material.hw_codes) == 1 else material.category


def kinds_to_confirm(name: ListingName) -> tuple[str, ...]:
    """The materials a possibly hazardous name may mean, the hazardous reading first (its owner picks one)."""
    if name.reading != "possibly_hazardous":
        return ()
    knowledge = load_knowledge()
    try:
        suggestions = read_material(name.written, knowledge=knowledge).suggestions
    except KnowledgeError:
        suggestions = ()
    kinds = [code for code in (name.material_code, *suggestions) if code in knowledge.materials]
    return tuple(dict.fromkeys(kinds))


def confirm_kind(listing: Listing, position: int, material: str) -> Listing:
    """The listing's owner says which kind a possibly hazardous name means: one of :func:`kinds_to_confirm`.

    The listing takes that material (in its unit) and, for a hazardous kind, its hazard code; a kind that is not
    hazardous drops the code the hazardous reading implied.
    """
    name = next((n for n in listing.names if n.position == position), None)
    if name is None or name.reading != "possibly_hazardous":
        raise FieldError("material", Message(N_("this name needs no confirmation")))
    kinds = kinds_to_confirm(name)
    if material not in kinds:
        raise FieldError("material", Message(N_("%(material)r is not one of the kinds %(written)r may mean: "
                                                "%(kinds)s"),
                                             material=material, written=name.written, kinds=', '.join(kinds)),
                                     suggestions=list(kinds))
    knowledge = load_knowledge()
    target = knowledge.materials[material]
    with unit_of_work():
        if name.material_code in listing.material_codes:
            listing.materials = [m for m in listing.materials if m.material_code != name.material_code]
            db.session.flush()
        if listing.hazard_code and not target.hazardous:
            listing.hazard_code = None
        elif listing.hazard_code and target.category != f"HW{listing.hazard_code[-2:]}":
            listing.hazard_code = None
        name.material_code = None
        _reclassify(listing, name, target, knowledge)
        name.reading = "exact"
    return listing
