"""Bulk import of sites and listings (PRODUCT.md section 4): all or nothing, every bad row reported.

``files`` reads CSV and XLSX into tables, ``sites`` and ``listings`` import one table each,
``export`` and ``template`` write files in the same format; :func:`import_tables` runs a whole file.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, OperationalError
from geo.messages import Message, N_

from ...models import Organisation
from ..errors import FieldError, ImportRejected, RowProblem
from ..transaction import is_unique_violation, unit_of_work
from .files import Table
from .listings import ListingImportResult, analyse_after_bulk_load, import_listings
from .sites import SiteImportResult, import_sites


@dataclass
class ImportResult:
    sites: SiteImportResult | None = None
    listings: ListingImportResult | None = None

    @property
    def warnings(self) -> list[RowProblem]:
        """Rows stored with something to confirm (a sector read as a guess…): the report lists them."""
        found = list(self.sites.warnings) if self.sites else []
        found += list(getattr(self.listings, "warnings", None) or [])
        return sorted(found, key=lambda p: (p.sheet or "", p.row, p.column))

    def summary(self) -> str:
        parts = []
        if self.sites:
            parts.append(f"sites: {self.sites.sites_created} created, {self.sites.sites_updated} updated, "
                         f"{self.sites.sites_unchanged} unchanged; {self.sites.organisations_created} organisations "
                         "created")
        if self.listings:
            parts.append(f"listings: {self.listings.created} created, {self.listings.unchanged} unchanged")
        lines = ["; ".join(parts)]
        lines += [f"to confirm: {warning}" for warning in self.warnings]
        return "\n".join(lines)


# An import that collides with another one storing the same rows at the same moment runs again (against what
# the other stored, so its rows are then found "unchanged"); this many times at most.
IMPORT_ATTEMPTS = 3


def import_tables(tables: dict[str, Table], *, acting_organisation: Organisation | None = None,
                  publish: bool = True) -> ImportResult:
    """Import sites, then listings, in one transaction: any bad row in either and nothing is stored.

    Two imports of the same rows running at once (a double-clicked upload, two colleagues) meet at the
    unique keys: organisation name, site reference, listing content hash. The one that loses has stored
    nothing (its transaction is rolled back) and runs again, and then finds the rows the other stored.
    If it still collides, a FieldError on ``file`` says so; the file can simply be imported again.
    """
    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            return _import_once(tables, acting_organisation=acting_organisation, publish=publish)
        except (IntegrityError, OperationalError) as exc:
            # SQLite: a writer that would deadlock with the other import is refused at once ("locked").
            collided = is_unique_violation(exc) if isinstance(exc, IntegrityError) else \
                "database is locked" in str(exc.orig)
            if not collided:
                raise
            if attempt == IMPORT_ATTEMPTS:
                raise FieldError("file", Message(N_("another import was storing the same sites or listings at the "
                                                    "same moment; nothing of this one was stored. Import the file "
                                                    "again"))) from None
    raise AssertionError("unreachable")


def _import_once(tables: dict[str, Table], *, acting_organisation: Organisation | None,
                 publish: bool) -> ImportResult:
    from ..listings import after_publish_many

    result = ImportResult()
    problems: list[RowProblem] = []
    sheeted = len(tables) > 1
    with unit_of_work():
        if "sites" in tables:
            try:
                result.sites = import_sites(tables["sites"], acting_organisation=acting_organisation, commit=False,
                                            sheet="sites" if sheeted else None)
            except ImportRejected as exc:
                problems.extend(exc.problems)
        if "listings" in tables:
            sheet_orgs = {}
            if "sites" in tables and acting_organisation is None:
                sheet_orgs = {r.get("site_id", ""): r.get("org", "") for r in tables["sites"].rows if r}
            try:
                result.listings = import_listings(tables["listings"], acting_organisation=acting_organisation,
                                                  publish=publish, commit=False,
                                                  sheet="listings" if sheeted else None, sheet_orgs=sheet_orgs)
            except ImportRejected as exc:
                problems.extend(exc.problems)
        if problems:
            raise ImportRejected(problems)
    if result.listings:
        analyse_after_bulk_load(result.listings.created)
        if publish:
            after_publish_many(result.listings.created_ids)
    return result
