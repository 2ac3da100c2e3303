"""The Anhui demo data set: real parks with approximate boundaries, fictional companies, demo accounts."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Listing, Organisation, Park, Site, User
from .accounts import find_user
from .imports import import_tables
from .imports.files import read_csv
from .knowledge import sync_knowledge
from .parks import import_park_boundaries
from .transaction import unit_of_work

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo" / "data"
DEMO_PASSWORD = "demo"
PARK_MANAGER_ORG = "安徽省园区管理演示机构（演示）"
PLATFORM_ORG = "平台运营（演示）"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    roles: tuple[str, ...]
    organisation: str


@dataclass(frozen=True)
class DemoResult:
    parks: int
    organisations: int
    sites: int
    listings: int
    accounts: list[DemoAccount]


def _pick_org(sector_prefixes: tuple[str, ...], *, battery: bool = False) -> Organisation:
    """The demo organisation (lowest id) with a site in one of these sectors."""
    query = select(Organisation).join(Site).where(Organisation.is_demo)
    organisations = db.session.scalars(query.order_by(Organisation.id)).unique().all()
    for organisation in organisations:
        if any(site.sector_code.startswith(sector_prefixes) for site in organisation.sites):
            if not battery or any(lic.kind == "battery_listing" for lic in organisation.licences):
                return organisation
    raise LookupError(f"the demo data has no organisation in sectors {sector_prefixes}")


def _ensure_org(name: str, name_en: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name_zh == name))
    if organisation is None:
        organisation = Organisation(name_zh=name, name_en=name_en, is_demo=True, verified=True)
        db.session.add(organisation)
    return organisation


def _ensure_account(email: str, roles: set[str], organisation: Organisation | None,
                    parks: list[Park] | None = None) -> DemoAccount:
    user = find_user(email)
    if user is None:
        user = User(email=email)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    user.organisation = organisation
    user.set_roles(roles)
    if parks is not None:
        user.managed_parks = parks
    return DemoAccount(email, tuple(sorted(roles)), organisation.name_zh if organisation else "—")


def load_demo() -> DemoResult:
    """Load (or refresh) the demo set; running it twice changes nothing."""
    with unit_of_work():
        sync_knowledge(db.session.connection())
    import_park_boundaries(DEMO_DATA / "parks.geojson", is_demo=True)
    import_tables({"sites": read_csv(DEMO_DATA / "sites.csv"), "listings": read_csv(DEMO_DATA / "listings.csv")})
    with unit_of_work():
        for organisation in db.session.scalars(select(Organisation).join(Site).where(Site.external_ref.isnot(None))):
            if organisation.name_zh.endswith("（演示）"):
                organisation.is_demo = True
        steel = _pick_org(("311", "312"))
        recycler = _pick_org(("42", "772"), battery=True)
        parks = db.session.scalars(select(Park).where(Park.is_demo).order_by(Park.code)).all()
        managed = [p for p in parks if p.city_code == steel.sites[0].city_code] or parks[:1]
        accounts = [
            _ensure_account("plant@demo.local", {"plant"}, steel),
            _ensure_account("recycler@demo.local", {"recycler"}, recycler),
            _ensure_account("park@demo.local", {"park_manager"},
                            _ensure_org(PARK_MANAGER_ORG, "Demo park administration"), managed),
            _ensure_account("admin@demo.local", {"admin"}, _ensure_org(PLATFORM_ORG, "Demo platform operator")),
        ]
    count = lambda model: len(db.session.scalars(select(model.id)).all())  # noqa: E731
    return DemoResult(count(Park), count(Organisation), count(Site), count(Listing), accounts)


def demo_is_loaded() -> bool:
    return find_user("admin@demo.local") is not None
