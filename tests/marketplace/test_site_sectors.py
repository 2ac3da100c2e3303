"""Sites with sectors as plants write them, several sectors, a reading to confirm, and transport access.

A sector is never a reason to refuse a site (PRODUCT 2.2, section 4): the import, the form and the API
store the best reading, list a doubtful one as a warning naming row and column, and show it on the
site page as "to confirm" until the owner or an administrator confirms or corrects it.
"""
import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from marketplace.models import Site
from marketplace.services.accounts import issue_api_token
from marketplace.services.errors import ImportRejected
from marketplace.services.imports import import_tables
from marketplace.services.imports.export import SITE_EXPORT_COLUMNS, site_export_row
from marketplace.services.imports.files import read_import_file
from marketplace.services.matching import engine_site

HEADER = ["site_id", "name", "org", "sector", "transport_access", "lon", "lat", "city"]
ORG = "实写行业测试有限公司"


def sites_csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"org": ORG, "lon": "117.25", "lat": "31.85", "city": "340100", **row})
    return out.getvalue().encode("utf-8")


REAL_ROWS = [
    {"site_id": "R-1", "name": "水泥厂", "sector": "C3011 水泥制造", "transport_access": "rail, quay"},
    {"site_id": "R-2", "name": "盐化工厂", "sector": "盐化工"},
    {"site_id": "R-3", "name": "炼化厂", "sector": "oil refinery | CHP plant", "transport_access": "pipeline"},
    {"site_id": "R-4", "name": "某厂", "sector": "qwertyuiop"},
    {"site_id": "R-5", "name": "家具厂", "sector": "家具制造"},
    {"site_id": "R-6", "name": "错码厂", "sector": "3011 炼油厂"},
]


def site(db, ref) -> Site:
    return db.session.scalar(select(Site).where(Site.external_ref == ref))


def test_import_stores_every_real_world_sector_and_reports_those_to_confirm(db):
    result = import_tables(read_import_file(sites_csv(REAL_ROWS), filename="sites.csv"))
    assert result.sites.sites_created == len(REAL_ROWS)
    cement, salt, refinery, unknown, furniture, clash = (site(db, f"R-{n}") for n in range(1, 7))
    assert (cement.sector_codes, cement.sector_to_confirm, cement.transport_access) == (("3011",), False,
                                                                                         ["rail", "quay"])
    assert cement.sector_written == "C3011 水泥制造"
    assert (refinery.sector_code, refinery.extra_sector_codes, refinery.transport_access) == ("2511", ["4412"],
                                                                                              ["pipeline"])
    assert furniture.sector_codes == ("21",) and not furniture.sector_to_confirm
    assert salt.sector_codes == ("2612",) and salt.sector_to_confirm and salt.sector_written == "盐化工"
    assert unknown.sector_codes == () and unknown.sector_code == "" and unknown.sector_to_confirm
    assert clash.sector_codes == ("3011",) and clash.sector_to_confirm
    assert any("disagree" in note for note in clash.sector_messages)
    # the report lists exactly the rows to confirm, by row and column
    assert [(w.row, w.column) for w in result.warnings] == [(3, "sector"), (5, "sector"), (7, "sector")]
    assert "2612" in result.warnings[0].reason and "qwertyuiop" in result.warnings[1].reason
    assert "to confirm: row 3, column sector" in result.summary()


def test_reimport_changes_nothing_and_keeps_a_confirmation(db):
    raw = sites_csv(REAL_ROWS)
    import_tables(read_import_file(raw, filename="sites.csv"))
    salt = site(db, "R-2")
    salt.sector_to_confirm = False  # the owner confirmed 2612
    db.session.commit()
    again = import_tables(read_import_file(raw, filename="sites.csv"))
    assert (again.sites.sites_created, again.sites.sites_updated) == (0, 0)
    assert again.sites.sites_unchanged == len(REAL_ROWS)
    assert not site(db, "R-2").sector_to_confirm


@pytest.mark.parametrize(("value", "modes", "left_out"), [
    ("teleport", [], "'teleport'"),
    ("rail, belt conveyor", ["rail"], "'belt conveyor'"),
    ("皮带廊|铁路专用线", ["rail"], "'皮带廊'"),
])
def test_a_transport_word_naming_no_way_of_shipping_is_left_out_with_a_warning(db, value, modes, left_out):
    rows = [REAL_ROWS[0], {"site_id": "T-2", "name": "码头厂", "sector": "3011", "transport_access": value}]
    result = import_tables(read_import_file(sites_csv(rows), filename="sites.csv"))
    assert site(db, "T-2").transport_access == modes
    [warning] = [w for w in result.sites.warnings if w.column == "transport_access"]
    assert warning.row == 3 and left_out in warning.reason and "rail, quay, pipeline" in warning.reason


@pytest.mark.parametrize(("value", "modes"), [
    ("管道，码头、rail", ["rail", "quay", "pipeline"]),
    ("公路|铁路|内河港口", ["rail", "quay"]),
    ("road", []),
    ("Road; rail siding; jetty", ["rail", "quay"]),
    ("pipe rack, trucks", ["pipeline"]),
    ("barge", ["quay"]),
])
def test_transport_access_is_read_from_the_words_plants_use(db, value, modes):
    rows = [{"site_id": "T-1", "name": "港区厂", "sector": "3011", "transport_access": value}]
    result = import_tables(read_import_file(sites_csv(rows), filename="sites.csv"))
    assert site(db, "T-1").transport_access == modes
    assert not [w for w in result.sites.warnings if w.column == "transport_access"]


def test_export_round_trips_sectors_and_access(db):
    import_tables(read_import_file(sites_csv(REAL_ROWS), filename="sites.csv"))
    rows = {r.external_ref: site_export_row(r) for r in db.session.scalars(select(Site))}
    assert "transport_access" in SITE_EXPORT_COLUMNS
    assert rows["R-3"]["sector"] == "2511|4412" and rows["R-1"]["transport_access"] == "rail,quay"
    assert rows["R-2"]["sector"] == "盐化工"  # still a guess: exported as written, so it stays to confirm
    header = list(SITE_EXPORT_COLUMNS)
    again = import_tables(read_import_file(sites_csv(rows.values(), header=header), filename="sites.csv"))
    assert again.sites.sites_unchanged == len(REAL_ROWS)


def test_engine_site_carries_every_sector_and_the_access(db):
    import_tables(read_import_file(sites_csv(REAL_ROWS), filename="sites.csv"))
    refinery = engine_site(site(db, "R-3"), [], dt.date(2027, 1, 1))
    assert refinery.all_sectors == ("2511", "4412") and refinery.transport_access == ("pipeline",)
    assert engine_site(site(db, "R-4"), [], dt.date(2027, 1, 1)).all_sectors == ()


# ------------------------------------------------------------------------------------ form and page

def site_form(**overrides):
    form = {"external_ref": "HF-01", "name_zh": "合肥一厂", "sector": "3011", "crs": "WGS84",
            "lon": "117.2272", "lat": "31.8206", "city": "340100", "park": ""}
    form.update(overrides)
    return form


@pytest.fixture
def plant(make_user, auth):
    user = make_user("plant")
    auth.login(user)
    return user


def test_form_accepts_trade_names_several_sectors_and_access(client, db, plant):
    response = client.post("/org/sites/new", data={**site_form(sector="热电厂|水泥厂"),
                                                   "transport_access": ["rail", "pipeline"]})
    assert response.status_code == 302
    stored = db.session.scalar(select(Site))
    assert stored.sector_codes == ("4412", "3011") and stored.transport_access == ["rail", "pipeline"]
    client.get("/lang/en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4412 Combined heat and power generation" in page and "3011 Manufacture of cement" in page
    assert "rail siding, pipeline" in page and 'id="sector-to-confirm"' not in page


def test_form_stores_an_unknown_code_to_confirm_instead_of_refusing(client, db, plant):
    response = client.post("/org/sites/new", data=site_form(sector="9999"))
    assert response.status_code == 302
    stored = db.session.scalar(select(Site))
    assert stored.sector_codes == () and stored.sector_to_confirm and stored.sector_written == "9999"
    page = client.get(f"/sites/{stored.id}").get_data(as_text=True)
    assert "待确认" in page and "9999" in page


def test_form_refuses_an_unknown_transport_mode_by_field(client, db, plant):
    response = client.post("/org/sites/new", data={**site_form(), "transport_access": ["teleport"]})
    assert response.status_code == 400 and 'data-field="transport_access"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_owner_confirms_then_corrects_a_guess(client, db, plant, make_site):
    guess = make_site(organisation=plant.organisation, sector_code="2612", sector_written="盐化工",
                      sector_to_confirm=True, sector_notes=["'盐化工': read as 2612 (无机碱制造); please confirm"])
    client.get("/lang/en")
    page = client.get(f"/sites/{guess.id}").get_data(as_text=True)
    assert "to confirm" in page and "2612 Manufacture of inorganic alkalis" in page and "盐化工" in page
    assert client.post(f"/sites/{guess.id}/sectors", data={"sector": "2612"}).status_code == 302
    db.session.refresh(guess)
    assert not guess.sector_to_confirm and guess.sector_codes == ("2612",)
    # a correction written as a trade name is read; a clear reading counts as confirmed
    assert client.post(f"/sites/{guess.id}/sectors", data={"sector": "纯碱厂|热电厂"}).status_code == 302
    db.session.refresh(guess)
    assert guess.sector_codes == ("2612", "4412") and not guess.sector_to_confirm
    # a correction that is itself a guess stays to confirm, with its notes
    client.post(f"/sites/{guess.id}/sectors", data={"sector": "fertilser plant"})
    db.session.refresh(guess)
    assert guess.sector_code == "262" and guess.sector_to_confirm and guess.sector_notes
    # nothing readable is refused by field, and the stored reading is left as it was
    response = client.post(f"/sites/{guess.id}/sectors", data={"sector": "qwertyuiop"})
    assert response.status_code == 400 and 'data-field="sector"' in response.get_data(as_text=True)
    db.session.refresh(guess)
    assert guess.sector_code == "262"


def test_only_the_owner_or_an_admin_may_confirm(client, db, auth, make_user, make_site):
    guess = make_site(sector_code="2612", sector_to_confirm=True)
    auth.login(make_user("plant"))
    assert client.post(f"/sites/{guess.id}/sectors", data={"sector": "2612"}).status_code in (403, 404)
    db.session.refresh(guess)
    assert guess.sector_to_confirm
    auth.logout()
    auth.login(make_user("admin"))
    assert client.post(f"/sites/{guess.id}/sectors", data={"sector": "2612"}).status_code == 302
    db.session.refresh(guess)
    assert not guess.sector_to_confirm


def test_import_page_lists_rows_to_confirm(client, db, make_user, auth):
    user = make_user("plant")
    user.organisation.name_zh = ORG
    db.session.commit()
    auth.login(user)
    response = client.post("/listings/import", data={"file": (io.BytesIO(sites_csv(REAL_ROWS[:2])), "sites.csv"),
                                                     "publish": "y"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-warnings"' in page
    assert '<td class="warning-row">3</td><td class="warning-column">sector</td>' in page
    assert db.session.scalar(select(func.count(Site.id))) == 2


# ------------------------------------------------------------------------------------------------ API

@pytest.fixture
def bearer(make_user):
    return {"Authorization": f"Bearer {issue_api_token(make_user('plant'))}"}


def test_api_accepts_sector_text_and_access_then_confirms(client, db, bearer):
    response = client.post("/api/v1/sites", headers=bearer, json={"site_id": "API-9", "name": "接口厂", "sector": "sugar mill|酒精厂",
                                                  "transport_access": ["quay"], "lon": 118.5, "lat": 31.7})
    assert response.status_code == 201
    body = response.json
    assert body["sector"] == "1340" and body["sectors"] == ["1340", "1511"] and body["transport_access"] == ["quay"]
    assert body["sector_written"] == "sugar mill|酒精厂" and body["sector_to_confirm"] is False
    guess = client.post("/api/v1/sites", headers=bearer, json={"site_id": "API-10", "name": "盐厂", "sector": "盐化工",
                                               "lon": 118.5, "lat": 31.7}).json
    assert guess["sector_to_confirm"] is True and guess["sector_notes"]
    confirmed = client.post(f"/api/v1/sites/{guess['id']}/sectors", headers=bearer, json={})
    assert confirmed.status_code == 200 and confirmed.json["sector_to_confirm"] is False
    corrected = client.post(f"/api/v1/sites/{guess['id']}/sectors", headers=bearer, json={"sector": "C2613 无机盐制造"})
    assert corrected.json["sectors"] == ["2613"]
    refused = client.post(f"/api/v1/sites/{guess['id']}/sectors", headers=bearer, json={"sector": "qwertyuiop"})
    assert refused.status_code == 422 and "sector" in refused.json["errors"]["json"]


@pytest.mark.parametrize("access", ["teleport", ["rail", "hyperloop"], 5])
def test_api_refuses_unknown_access_by_field(client, db, bearer, access):
    response = client.post("/api/v1/sites", headers=bearer, json={"site_id": "API-11", "name": "接口厂", "sector": "3011",
                                                  "transport_access": access, "lon": 118.5, "lat": 31.7})
    assert response.status_code == 422 and "transport_access" in response.json["errors"]["json"]
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_cli_import_lists_rows_to_confirm(runner, db, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(sites_csv(REAL_ROWS[:2]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "to confirm: row 3, column sector: '盐化工' read as 2612 无机碱制造" in result.output
    assert "row 2" not in result.output


def test_a_long_description_is_read_whole_and_kept_shortened(db):
    long_text = "水泥厂（" + "熟料、" * 300 + "）"
    rows = [{"site_id": "L-1", "name": "长描述厂", "sector": long_text}]
    import_tables(read_import_file(sites_csv(rows), filename="sites.csv"))
    stored = site(db, "L-1")
    assert stored.sector_codes == ("3011",) and len(stored.sector_written) == 500
    again = import_tables(read_import_file(sites_csv(rows), filename="sites.csv"))
    assert again.sites.sites_unchanged == 1


def test_editing_a_site_shows_the_words_to_confirm_and_keeps_a_confirmation(client, db, plant, make_site):
    guess = make_site(organisation=plant.organisation, sector_code="2612", sector_written="盐化工",
                      sector_to_confirm=True)
    form = client.get(f"/sites/{guess.id}/edit").get_data(as_text=True)
    assert 'value="盐化工"' in form  # the user's own words while they are a guess
    client.post(f"/sites/{guess.id}/sectors", data={"sector": "2612"})
    form = client.get(f"/sites/{guess.id}/edit").get_data(as_text=True)
    assert 'value="2612"' in form and 'value="盐化工"' not in form  # confirmed: the codes
    response = client.post(f"/sites/{guess.id}/edit", data={**site_form(external_ref=guess.external_ref,
                                                                        sector="2612", name_zh="改名"),
                                                            "transport_access": ["quay"]})
    assert response.status_code == 302
    db.session.refresh(guess)
    assert (guess.name_zh, guess.sector_codes, guess.sector_to_confirm, guess.transport_access) == (
        "改名", ("2612",), False, ["quay"])


def test_organisation_page_flags_the_sites_to_confirm(client, db, plant, make_site):
    make_site(organisation=plant.organisation, external_ref="SURE", sector_code="3011")
    make_site(organisation=plant.organisation, external_ref="GUESS", sector_code="2612", sector_to_confirm=True,
              extra_sector_codes=["4412"])
    client.get("/lang/en")
    page = client.get("/org").get_data(as_text=True)
    assert page.count('class="badge text-bg-warning text-decoration-none sector-to-confirm"') == 1
    assert "+1" in page


def test_sectors_to_confirm_lists_ones_own_and_every_one_for_an_admin(client, db, auth, make_user, make_site):
    user = make_user("plant")
    mine = make_site(organisation=user.organisation, external_ref="MINE", sector_code="2612",
                     sector_written="盐化工", sector_to_confirm=True)
    make_site(organisation=user.organisation, external_ref="SURE", sector_code="3011")
    theirs = make_site(external_ref="THEIRS", sector_code="", sector_written="qwertyuiop", sector_to_confirm=True)
    auth.login(user)
    page = client.get("/sites/to-confirm").get_data(as_text=True)
    assert f"/sites/{mine.id}#site-sectors" in page and "盐化工" in page
    assert "THEIRS" not in page and "SURE" not in page
    assert 'id="sectors-to-confirm-link"' in client.get("/org").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("admin"))
    page = client.get("/sites/to-confirm").get_data(as_text=True)
    assert f"/sites/{mine.id}#" in page and f"/sites/{theirs.id}#" in page and "qwertyuiop" in page
