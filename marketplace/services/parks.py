"""Parks: boundary import, lookup, and which park contains a site."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from sqlalchemy import select

from geo.errors import GeoError
from geo.locate import PolygonIndex
from geo.messages import Message, N_

from ..extensions import db
from ..models import PARK_LEVELS, Park, Site
from .errors import FieldError
from .transaction import unit_of_work

# Property names a boundary file may use for each park field, first match wins.
PROPERTY_ALIASES = {
    "code": ("code", "park_code", "id", "CODE", "ID"),
    "name_zh": ("name_zh", "名称", "园区名称", "name", "NAME", "Name"),
    "name_en": ("name_en", "NAME_EN", "english_name"),
    "level": ("level", "级别", "LEVEL"),
    "kind": ("kind", "类型", "type", "TYPE"),
    "city_code": ("city_code", "city", "adcode", "行政区划代码"),
    "boundary_note": ("boundary_note", "note"),
    "source": ("source", "来源"),
}
LEVEL_WORDS = {"国家级": "national", "省级": "provincial", "市级": "municipal"}


@dataclass
class ParkLocator:
    """Parks by code and name, and a spatial index of their boundaries."""

    parks: list[Park]
    _index: PolygonIndex | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_database(cls) -> ParkLocator:
        return cls(list(db.session.scalars(select(Park).order_by(Park.id))))

    def by_reference(self, text: str) -> Park | None:
        wanted = text.strip().casefold()
        for park in self.parks:
            if wanted in {park.code.casefold(), park.name_zh.casefold(), (park.name_en or "").casefold()}:
                return park
        return None

    def containing(self, lon: float, lat: float) -> Park | None:
        if self._index is None:
            self._index = PolygonIndex({p.id: p.boundary for p in self.parks if p.boundary is not None})
        park_id = self._index.containing(lon, lat)
        return next((p for p in self.parks if p.id == park_id), None)


def _pick(properties: dict, name: str, override: str | None = None):
    keys = (override,) if override else PROPERTY_ALIASES[name]
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return None


@dataclass(frozen=True)
class ParkImportResult:
    created: list[str]
    updated: list[str]
    sites_assigned: int


def import_park_boundaries(path: str | os.PathLike, *, code_field: str | None = None,
                           name_field: str | None = None, is_demo: bool = False) -> ParkImportResult:
    """Create or update parks from a GeoJSON, GeoPackage or Shapefile; all or nothing.

    Parks are matched by code, so importing the same file twice changes nothing. Sites that
    have no park get the park whose boundary contains them.
    """
    from geo.io import read_boundaries  # GeoPandas: imported by an import of boundaries, not at start-up

    try:
        features = read_boundaries(path)
    except GeoError as exc:
        raise FieldError("file", str(exc)) from exc
    if not features:
        raise FieldError("file", Message(N_("the file holds no park boundaries")))

    existing = {p.code: p for p in db.session.scalars(select(Park))}
    created, updated, seen = [], [], set()
    with unit_of_work():
        for number, feature in enumerate(features, start=1):
            props = feature.properties
            name_zh = _pick(props, "name_zh", name_field)
            if not name_zh:
                raise FieldError("name", Message(N_("feature %(number)s has no name property (expected one of "
                                                    "%(PROPERTY_ALIASES)s)"),
                                                 number=number,
                                                 PROPERTY_ALIASES=', '.join(PROPERTY_ALIASES['name_zh'])), row=number)
            # A file without codes still re-imports idempotently: the code is derived from the name.
            code = _pick(props, "code", code_field) or "P-" + hashlib.sha1(name_zh.encode()).hexdigest()[:8].upper()
            if code in seen:
                raise FieldError("code", Message(N_("feature %(number)s: the code %(code)s appears twice in the "
                                                    "file"),
                                                 number=number, code=code), row=number)
            seen.add(code)
            level = _pick(props, "level") or "other"
            level = LEVEL_WORDS.get(level, level)
            if level not in PARK_LEVELS:
                raise FieldError("level", Message(N_("feature %(number)s: level %(level)r is not one of "
                                                     "%(PARK_LEVELS)s"),
                                                  number=number, level=level, PARK_LEVELS=', '.join(PARK_LEVELS)),
                                 row=number)
            park = existing.get(code)
            if park is None:
                park = Park(code=code, is_demo=is_demo)
                db.session.add(park)
                created.append(code)
            else:
                updated.append(code)
            park.name_zh = name_zh
            park.name_en = _pick(props, "name_en")
            park.level = level
            park.kind = _pick(props, "kind")
            park.city_code = _pick(props, "city_code")
            park.boundary_note = _pick(props, "boundary_note")
            park.source = _pick(props, "source")
            if park.boundary is None or not park.boundary.equals(feature.geometry):
                park.boundary = feature.geometry
        db.session.flush()
        assigned = assign_parks_to_sites()
    return ParkImportResult(created, updated, assigned)


def assign_parks_to_sites() -> int:
    """Give every site without a park the park that contains it; returns how many got one."""
    locator = ParkLocator.from_database()
    assigned = 0
    for site in db.session.scalars(select(Site).where(Site.park_id.is_(None))):
        park = locator.containing(site.lon, site.lat)
        if park is not None:
            site.park = park
            assigned += 1
    return assigned


def all_parks() -> list[Park]:
    return list(db.session.scalars(select(Park).order_by(Park.level, Park.code)))
