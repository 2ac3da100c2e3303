"""Generated import files: every file is either imported whole or refused by name, never half-written or a crash."""
import csv
import io

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Listing, Organisation, Site
from marketplace.services.errors import FieldError, ImportRejected
from marketplace.services.imports import import_tables
from marketplace.services.imports.files import read_import_file

LISTING_COLUMNS = ["site_id", "kind", "material", "quantity", "unit", "quality", "price_cny", "available_from",
                   "available_to", "hazard_code", "visibility", "note"]
SITE_COLUMNS = ["site_id", "name", "org", "sector", "lon", "lat", "crs", "park", "hw_permit", "transport_access"]

PLAUSIBLE = {
    "site_id": ["FZ-01", "FZ-02", "NOPE", ""],  # listings name the two sites the test makes
    "kind": ["offer", "want", "有", "sell", ""],
    "material": ["粉煤灰", "fly ash", "石膏", "whey", "废铅蓄电池", "steam", "HW34", "", "=1+1"],
    "quantity": ["1200", "-5", "0", "1e12", "5万", "abc", "", "3.5"],
    "unit": ["t/yr", "t/month", "GJ/yr", "Nm3/yr", "bushels", ""],
    "quality": ["grade=II", "loi_pct=6.5;so3_pct=2", "garbage", "=", ""],
    "price_cny": ["25", "-10", "free", ""],
    "available_from": ["2026-01-01", "2026-02-30", "tomorrow", ""],
    "available_to": ["2027-12-31", "2025-01-01", ""],
    "hazard_code": ["", "900-052-31", "HW31", "HW99", "12345678"],
    "visibility": ["named", "anonymous", "secret", ""],
    "note": ["", "干灰", "@cmd"],
    "name": ["测试工厂", "", "x" * 300],
    "org": ["模糊测试有限公司", "另一家公司", ""],
    "sector": ["3011", "C3011 水泥制造", "oil refinery", "nonsense sector", ""],
    "lon": ["117.2", "200", "abc", "", "31.8"],
    "lat": ["31.8", "-95", "", "117.2"],
    "crs": ["", "WGS84", "GCJ02", "MARS"],
    "park": ["", "NO-PARK"],
    "hw_permit": ["", "HW31", "HW31,HW49", "bad"],
    "transport_access": ["", "rail", "quay,pipeline", "teleport"],
}


# A sites file brings a new site of its own, or re-states one the test made.
SITE_IDS = ["FZ-NEW", "FZ-01", "", "FZ-NEW"]


def cell(column: str, kind: str, *, clean: bool):
    # A clean file holds good values (the first listed), so that whole files get through and are stored too.
    values = SITE_IDS if (kind, column) == ("sites", "site_id") else PLAUSIBLE.get(column, [""])
    if clean:
        return st.just(values[0])
    return st.one_of(st.just(values[0]), st.sampled_from(values), st.text(max_size=12))


@st.composite
def import_file(draw) -> bytes:
    kind = draw(st.sampled_from(["listings", "sites"]))
    columns = list(LISTING_COLUMNS if kind == "listings" else SITE_COLUMNS)
    clean = draw(st.booleans())
    if not clean and draw(st.booleans()):
        columns = draw(st.lists(st.sampled_from(columns + ["bogus"]), min_size=1, max_size=len(columns) + 1))
    rows = draw(st.lists(st.fixed_dictionaries({c: cell(c, kind, clean=clean) for c in set(columns)}), min_size=1, max_size=4))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])), "replace")


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Organisation, Site, Listing))


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.one_of(import_file(), st.binary(max_size=300)))
def test_generated_files_import_whole_or_not_at_all(app, make_org, make_site, raw):
    if not db.session.scalar(select(Site.id).where(Site.external_ref == "FZ-01")):
        organisation = make_org(name_zh="模糊测试有限公司")
        make_site(organisation=organisation, external_ref="FZ-01", lonlat=(117.2, 31.8))
        make_site(organisation=organisation, external_ref="FZ-02", lonlat=(117.3, 31.8))
    before = _counts()
    try:
        tables = read_import_file(raw, filename="generated.csv")
        result = import_tables(tables)
    except (FieldError, ImportRejected) as refused:
        event("refused")
        assert str(refused)
        db.session.rollback()
        assert _counts() == before
    else:
        event("imported")
        rows = sum(len(table.rows) for table in tables.values())
        added = [after - was for after, was in zip(_counts(), before, strict=True)]
        assert all(0 <= n <= rows for n in added[1:]), (added, rows)
        assert result is not None
