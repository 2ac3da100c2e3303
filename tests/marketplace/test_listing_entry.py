"""Data entry on the listing form: material autocomplete, quality fields with units and standard grades, keys in
any case, notes kept as typed, a warning on likely duplicates, confirmations before destructive actions."""
import datetime as dt
import html
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import LearnedSynonym, Listing
from marketplace.services.listing_duplicates import windows_overlap
from marketplace.services.listing_check import ListingInput, check_listing
from marketplace.services.material_choices import material_choices
from marketplace.services.quality_fields import quality_form
from matching.knowledge import load_knowledge
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.grades import grade_tables_for, load_grades


@pytest.fixture
def plant(client, make_user, make_site, auth):
    client.get("/lang/en")
    user = make_user("plant")
    site = make_site(organisation=user.organisation, external_ref="WH-01", name_zh="芜湖电厂")
    auth.login(user)
    return SimpleNamespace(user=user, site=site, organisation=user.organisation)


def listing_form(site_row, **overrides):
    form = {"site": str(site_row.id), "material": "粉煤灰", "quantity": "20000", "unit": "t/yr", "quality": "",
            "price_cny": "", "available_from": "2027-01-01", "available_to": "2027-12-31", "hazard_code": "",
            "visibility": "named", "note": "", "save": "Save as draft"}
    form.update(overrides)
    return form


def listing_count(db):
    return db.session.scalar(select(func.count(Listing.id)))


# ------------------------------------------------------------------------------ autocomplete

@pytest.mark.parametrize(("typed", "code", "matched"), [
    ("粉煤", "coal-fly-ash", "粉煤灰"),        # a Chinese prefix
    ("PFA", "coal-fly-ash", "PFA"),           # an English synonym
    ("ｆｌｙ　ａｓｈ", "coal-fly-ash", "fly ash"),  # full-width, any case
    ("S95矿", "ggbs", "S95矿粉"),              # a Chinese synonym
    ("coal-fly-ash", "coal-fly-ash", "coal fly ash"),  # the code, which is also its English name
])
def test_autocomplete_finds_materials_by_any_of_their_names(db, typed, code, matched):
    choices = material_choices(typed, learned={})
    assert choices[0].code == code and choices[0].matched == matched
    assert choices[0].name_zh == load_knowledge().materials[code].name_zh


def test_autocomplete_puts_names_starting_with_the_text_before_names_containing_it(db):
    choices = material_choices("石膏", learned={})
    starting = [c.matched.startswith("石膏") for c in choices]
    assert starting == sorted(starting, reverse=True) and starting[0] and not starting[-1]
    assert "fgd-gypsum" in [c.code for c in choices] and len({c.code for c in choices}) == len(choices) <= 10


def test_autocomplete_offers_names_administrators_classified(db, make_user):
    admin = make_user("admin")
    db.session.add(LearnedSynonym(name_code="name:喆昊泥料", written="喆昊泥料", material_code="sugar-filter-mud",
                                  created_by_id=admin.id))
    db.session.commit()
    [choice] = material_choices("喆昊")
    assert (choice.code, choice.matched) == ("sugar-filter-mud", "喆昊泥料")


def test_autocomplete_of_nothing_is_nothing(db):
    assert material_choices("  ", learned={}) == [] and material_choices("--", learned={}) == []


def test_autocomplete_endpoint_answers_in_the_page_language(client, plant):
    english = client.get("/listings/materials.json?q=PFA").get_json()["materials"][0]
    assert (english["code"], english["name"], english["unit"], english["hazardous"]) == (
        "coal-fly-ash", "coal fly ash", "t", False)
    client.get("/lang/zh")
    assert client.get("/listings/materials.json?q=PFA").get_json()["materials"][0]["name"] == "粉煤灰"


def test_autocomplete_endpoint_needs_a_signed_in_user(client):
    assert client.get("/listings/materials.json?q=PFA").status_code in (302, 401)


# ------------------------------------------------------------------------------ quality fields and grades

def test_fly_ash_fields_have_units_limits_first_and_the_gb_t_1596_grades(db):
    form = quality_form("coal-fly-ash")
    keys = [f.key for f in form.fields]
    assert keys[0] == "grade" and {"class", "sio2_al2o3_fe2o3_pct"} < set(keys)
    assert keys.index("sio2_al2o3_fe2o3_pct") > keys.index("loi_pct")   # unbounded keys after those limits bound
    loi = next(f for f in form.fields if f.key == "loi_pct")
    assert (loi.unit, loi.op, loi.want_key()) == ("%", "<=", "loi_pct_max")
    [table] = form.grades
    assert (table.standard, table.key, [g.name for g in table.grades]) == ("GB/T 1596-2017", "grade", ["I", "II", "III"])
    grade_ii = {limit.key: (limit.op, limit.value) for limit in table.grades[1].limits}
    assert grade_ii["loi_pct"] == ("<=", 8.0) and grade_ii["fineness_45um_pct"] == ("<=", 30.0)


def test_a_material_inherits_the_grades_of_its_parent_and_loses_keys_it_implies(db):
    assert [t.standard for t in quality_form("coal-fly-ash-class-f").grades] == ["GB/T 1596-2017"]
    assert "class" not in [f.key for f in quality_form("coal-fly-ash-class-f").fields]  # class F by definition
    assert [t.standard for t in quality_form("fgd-gypsum").grades] == ["GB/T 5483-2008"]
    s95 = next(g for g in quality_form("ggbs").grades[0].grades if g.name == "S95")
    assert {limit.key: limit.value for limit in s95.limits}["specific_surface_m2_kg"] == 400


def test_every_grade_fills_values_the_listing_check_accepts_for_an_offer_and_a_want(db):
    kb = load_knowledge()
    for table in load_grades():
        for code in table.materials:
            fields = {f.key: f for f in quality_form(code).fields}
            for grade in table.grades:
                offer = {limit.key: limit.value for limit in grade.limits}
                want = {fields[limit.key].want_key(): limit.value for limit in grade.limits}
                if table.key:
                    offer[table.key] = want[table.key] = grade.name
                for kind, quality in (("offer", offer), ("want", want)):
                    checked = check_listing(ListingInput(kind=kind, material=code, quantity=100, quality=quality),
                                            knowledge=kb)
                    assert checked.quality == quality, (table.id, grade.name, kind)


def test_grade_limits_agree_with_the_routes_that_name_the_grade(db):
    # fly-ash-concrete takes grades I and II: their values pass its limits, grade III's LOI does not
    kb = load_knowledge()
    route = next(r for r in kb.routes if r.id == "fly-ash-concrete")
    limits = {limit.key: limit for limit in route.quality_limits if limit.op != "in"}
    table = grade_tables_for("coal-fly-ash")[0]
    for grade in table.grades:
        passes = all(limits[limit.key].allows(limit.value) for limit in grade.limits if limit.key in limits)
        assert passes is (grade.name in ("I", "II")), grade.name


def test_grade_tables_are_refused_when_they_name_an_unknown_key_or_grade(tmp_path):
    bad_key = tmp_path / "grades.yaml"
    bad_key.write_text("grades:\n  - id: t\n    standard: GB/T 1596-2017\n    materials: [coal-fly-ash]\n"
                       "    key: grade\n    grades:\n      - {name: II, limits: {colour_pct: '<= 3'}}\n"
                       "    sources:\n      - {ref: R08, what: grades}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="colour_pct"):
        load_grades(bad_key)
    bad_grade = tmp_path / "grades2.yaml"
    bad_grade.write_text(bad_key.read_text(encoding="utf-8").replace("name: II, limits: {colour_pct: '<= 3'}",
                                                                     "name: IV, limits: {loi_pct: '<= 3'}"),
                         encoding="utf-8")
    with pytest.raises(KnowledgeError, match="'IV'"):
        load_grades(bad_grade)
    unsourced = tmp_path / "grades3.yaml"
    unsourced.write_text(bad_grade.read_text(encoding="utf-8").replace("IV", "II").split("    sources:")[0],
                         encoding="utf-8")
    with pytest.raises(KnowledgeError, match="sources"):
        load_grades(unsourced)


def test_quality_endpoint_reads_the_name_and_what_it_states(client, plant):
    data = client.get("/listings/quality-fields.json?kind=want&material=II级粉煤灰").get_json()
    assert data["material"] == "coal-fly-ash" and data["stated"] == {"grade": "II"}
    loi = next(f for f in data["fields"] if f["key"] == "loi_pct")
    assert (loi["write_as"], loi["unit"], loi["op"], loi["label"]) == ("loi_pct_max", "%", "<=", "loss on ignition")
    [grades] = data["grades"]
    assert grades["key"] == "grade" and "GB/T 1596-2017" in grades["label"]
    assert [o["name"] for o in grades["options"]] == ["I", "II", "III"]
    assert grades["options"][1]["values"]["loi_pct"] == 8.0
    offer = client.get("/listings/quality-fields.json?kind=offer&material=fly ash").get_json()
    assert next(f for f in offer["fields"] if f["key"] == "loi_pct")["write_as"] == "loi_pct"


def test_quality_endpoint_for_an_unknown_name_has_no_fields(client, plant):
    data = client.get("/listings/quality-fields.json?kind=offer&material=喆昊泥料QX").get_json()
    assert data["material"] is None and data["fields"] == [] and data["grades"] == []


# ------------------------------------------------------------------------------ keys in any case, old text accepted

@pytest.mark.parametrize(("kind", "written", "stored"), [
    ("offer", "LOI_PCT=5; Grade=ii; CLASS=f", {"loi_pct": 5.0, "grade": "II", "class": "F"}),
    ("want", "Loi_Pct_MAX=8；grade=Ⅱ", {"loi_pct_max": 8.0, "grade": "II"}),
    ("want", "烧失量=8", {"loi_pct": 8.0}),
])
def test_quality_keys_and_values_are_read_whatever_their_case(kind, written, stored):
    assert check_listing(ListingInput(kind=kind, material="粉煤灰", quantity=1, quality=written)).quality == stored


def test_form_stores_the_quality_the_fields_write(client, db, plant):
    response = client.post("/listings/new/want", data=listing_form(
        plant.site, quality="grade=II; fineness_45um_pct_max=30; loi_pct_max=8", price_cny="60"))
    assert response.status_code == 302
    assert db.session.scalar(select(Listing.quality)) == {"grade": "II", "fineness_45um_pct_max": 30.0,
                                                          "loi_pct_max": 8.0}


def test_form_page_carries_the_entry_script_and_its_endpoints(client, plant):
    page = client.get("/listings/new/offer").get_data(as_text=True)
    assert "js/listing_entry.js" in page and 'id="quality-fields"' in page and 'id="material-choices"' in page
    assert "/listings/materials.json" in page and "/listings/quality-fields.json" in page
    with client.get("/static/js/listing_entry.js") as script:
        assert script.status_code == 200


# ------------------------------------------------------------------------------ notes as typed

def test_note_is_kept_exactly_as_typed(client, db, plant):
    note = "汽运，散装（含税）；雨季含水率偏高！\r\n第二行：ＡＢ级"
    assert client.post("/listings/new/offer", data=listing_form(plant.site, note=note)).status_code == 302
    stored = db.session.scalar(select(Listing.note))
    assert stored == "汽运，散装（含税）；雨季含水率偏高！\n第二行：ＡＢ级"
    listing_id = db.session.scalar(select(Listing.id))
    page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    assert "汽运，散装（含税）；雨季含水率偏高！<br>第二行：ＡＢ级" in page


def test_what_is_matched_is_still_normalised_beside_a_verbatim_note():
    checked = check_listing(ListingInput(kind="offer", material="ＰＦＡ", quantity="２０，０００", unit="t/yr",
                                         note="  全角，标点。  "))
    assert checked.material_codes == ("coal-fly-ash",) and checked.quantity == 20000
    assert checked.note == "全角，标点。"


# ------------------------------------------------------------------------------ likely duplicates

def test_a_likely_duplicate_is_shown_before_saving_and_can_be_saved_anyway(client, db, plant, make_listing):
    first = make_listing(site=plant.site, material="粉煤灰", available_from="2027-01-01", available_to="2027-06-30")
    response = client.post("/listings/new/offer", data=listing_form(plant.site, material="fly ash", quantity="999"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="duplicate-warning"' in page
    assert f"/listings/{first.id}" in page and listing_count(db) == 1
    assert 'name="save_anyway"' in page
    response = client.post("/listings/new/offer", data=listing_form(plant.site, material="fly ash", quantity="999",
                                                                    save_anyway="y"))
    assert response.status_code == 302 and listing_count(db) == 2


@pytest.mark.parametrize("overrides", [
    {"available_from": "2027-07-01", "available_to": "2027-12-31"},   # the windows do not overlap
    {"material": "脱硫石膏"},                                          # another material
    {"site": None},                                                    # another site of ours
])
def test_no_warning_without_the_same_site_material_and_overlapping_window(client, db, plant, make_site,
                                                                          make_listing, overrides):
    make_listing(site=plant.site, material="粉煤灰", available_from="2027-01-01", available_to="2027-06-30")
    if "site" in overrides:
        overrides = {"site": str(make_site(organisation=plant.organisation).id)}
    response = client.post("/listings/new/offer", data=listing_form(plant.site, **overrides))
    assert response.status_code == 302 and listing_count(db) == 2


def test_closed_listings_and_the_listing_itself_are_no_duplicates(client, db, plant, make_listing):
    make_listing(site=plant.site, material="粉煤灰", status="closed")
    mine = make_listing(site=plant.site, material="粉煤灰", quantity=500, status="draft")
    response = client.post(f"/listings/{mine.id}/edit", data=listing_form(plant.site, quantity="600"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, mine.id).quantity == 600


def test_a_want_is_not_the_duplicate_of_an_offer(client, db, plant, make_listing):
    make_listing(site=plant.site, material="粉煤灰")
    assert client.post("/listings/new/want", data=listing_form(plant.site)).status_code == 302


@pytest.mark.parametrize(("first", "second", "overlap"), [
    ((None, None), (dt.date(2027, 1, 1), None), True),
    ((dt.date(2027, 1, 1), dt.date(2027, 6, 30)), (dt.date(2027, 6, 30), None), True),
    ((dt.date(2027, 1, 1), dt.date(2027, 6, 30)), (dt.date(2027, 7, 1), dt.date(2027, 9, 1)), False),
    ((None, dt.date(2026, 12, 31)), (dt.date(2027, 1, 1), None), False),
])
def test_windows_overlap(first, second, overlap):
    assert windows_overlap(*first, *second) is overlap and windows_overlap(*second, *first) is overlap


# ------------------------------------------------------------------------------ confirmations

def test_closing_and_confirming_a_kind_ask_first(client, db, plant, make_listing):
    listing = make_listing(site=plant.site, material="飞灰")   # possibly hazardous: kinds to confirm
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "js/confirm.js" in page
    close_form = page[page.index('id="close-listing"'):].split(">", 1)[0]
    assert "data-confirm=" in close_form and "proposals" in html.unescape(close_form)
    assert page.count("data-confirm=") >= 2
    with client.get("/static/js/confirm.js") as script:
        assert script.status_code == 200 and b"window.confirm" in script.data


def test_a_note_typed_with_other_punctuation_widths_is_the_same_listing(client, db, plant):
    # A listing stored before notes were kept verbatim has its full-width punctuation folded; the same row
    # imported again (now kept as typed) is recognised, not stored twice.
    folded = check_listing(ListingInput(kind="offer", material="粉煤灰", quantity=1, note="汽运,散装(含税)"))
    typed = check_listing(ListingInput(kind="offer", material="粉煤灰", quantity=1, note="汽运，散装（含税）"))
    assert typed.note == "汽运，散装（含税）" and typed.content_hash(plant.site.id) == folded.content_hash(plant.site.id)
    other = check_listing(ListingInput(kind="offer", material="粉煤灰", quantity=1, note="汽运，袋装"))
    assert other.content_hash(plant.site.id) != typed.content_hash(plant.site.id)
