"""Listing validation rules (services/listing_check.check_listing), without the web layer."""
import datetime as dt

import pytest

from marketplace.services.listing_check import ListingInput, ListingInvalid, check_listing


def check(**fields):
    values = {"kind": "offer", "material": "粉煤灰", "quantity": "1000"}
    values.update(fields)
    return check_listing(ListingInput(**values))


def errors_of(**fields):
    with pytest.raises(ListingInvalid) as caught:
        check(**fields)
    return {e.field: e for e in caught.value.errors}


@pytest.mark.parametrize(("quantity", "unit", "annual"), [
    ("1000", "t/yr", 1000), ("1,000", "吨/年", 1000), ("１０００", "t/a", 1000), ("100", "t/month", 1200),
    ("10", "t/day", 3650), ("2.5", "万吨/年", 25000), ("3", "kt/yr", 3000),
])
def test_units_as_plants_write_them(quantity, unit, annual):
    assert check(quantity=quantity, unit=unit).annual_quantity == pytest.approx(annual)


def test_energy_in_mwh_converts_to_the_materials_gj():
    heat = check(material="余热", quantity="1000", unit="MWh/yr")
    assert heat.base_unit == "GJ" and heat.annual_quantity == pytest.approx(3600)


def test_unit_that_does_not_fit_the_material():
    assert "measured in t" in errors_of(unit="GJ/yr")["unit"].message


def test_quality_aliases_become_canonical_keys():
    gypsum = check(material="脱硫石膏", quality="moisture_pct=9;caso4_2h2o_pct=92")
    assert gypsum.quality == {"free_water_pct": 9.0, "caso4_2h2o_pct": 92.0}


def test_quality_category_values_are_checked():
    assert check(quality="class=F;grade=II").quality == {"class": "F", "grade": "II"}
    assert "not one of" in errors_of(quality="grade=IV")["quality"].message
    assert "must be a number" in errors_of(quality="loi_pct=low")["quality"].message


def test_limits_belong_to_wants():
    assert check(kind="want", quality="loi_pct_max=8;grade=II").quality == {"loi_pct_max": 8.0, "grade": "II"}
    assert "limits are for wants" in errors_of(quality="loi_pct_max=8")["quality"].message


def test_words_in_the_quality_column_describe_the_lot_and_are_kept_in_the_note():
    checked = check(quality="洗选副产煤泥；loi_pct=5", note="自提")
    assert checked.quality == {"loi_pct": 5.0}
    assert checked.note == "洗选副产煤泥\n自提"
    [warning] = [w for w in checked.warnings if w.field == "quality"]
    assert "洗选副产煤泥" in warning.message and "note" in warning.message


def test_a_grade_written_alone_in_the_quality_column_is_read_as_the_grade():
    checked = check(quality="II级；干排")
    assert checked.quality == {"grade": "II"} and checked.note == "干排"


def test_unknown_quality_key_lists_the_known_ones():
    message = errors_of(quality="colour=grey")["quality"].message
    assert "colour" in message and "loi_pct" in message


def test_coal_fly_ash_is_not_incineration_fly_ash():
    assert check(material="粉煤灰").material_codes != check(material="焚烧飞灰", hazard_code="772-002-18").material_codes


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"material": "废铅蓄电池", "hazard_code": "900-052-3"}, "hazard_code", "8-digit"),
    ({"material": "废铅蓄电池", "hazard_code": "HW51"}, "hazard_code", "HW01-HW50"),
    ({"material": "废铅蓄电池", "hazard_code": "lead"}, "hazard_code", "8-digit"),
    ({"material": "废酸", "hazard_code": "HW35"}, "hazard_code", "HW34"),
    ({"material": "废铅蓄电池", "hazard_code": "900-214-08"}, "hazard_code", "HW08"),
    ({"hazard_code": "900-052-31"}, "hazard_code", "not hazardous"),
    ({"material": "粉煤灰|脱硫石膏"}, "material", "one material"),
    ({"material": "---"}, "material", "no letters or digits"),
    ({"material": "S08"}, "material", "S01-S59"),
    ({"material": "粉煤灰", "unit": "GJ/yr"}, "unit", "cannot be converted"),
    ({"material": "石膏", "unit": "Nm3/yr"}, "unit", "cannot be converted"),
    ({"quantity": "-5"}, "quantity", "more than zero"),
    ({"quantity": ""}, "quantity", "required"),
    ({"quantity": "0"}, "quantity", "more than zero"),
    ({"quantity": "2e9"}, "quantity", "more than any site"),
    ({"quantity": "lots"}, "quantity", "not a number"),
    ({"available_from": "2027-01-01", "available_to": "2026-01-01"}, "available_to", "before it starts"),
    ({"available_from": "2026-13-01"}, "available_from", "not a date"),
    ({"visibility": "hidden"}, "visibility", "named or anonymous"),
    ({"kind": "swap"}, "kind", "offer or want"),
    ({"unit": "barrels"}, "unit", "unknown unit"),
    ({"price_cny": "cheap"}, "price_cny", "not a number"),
])
def test_bad_fields_are_named(fields, field, words):
    errors = errors_of(**fields)
    assert field in errors and words in errors[field].message


def test_unknown_material_is_kept_unclassified_with_suggestions():
    listing = check(material="粉煤", quantity="800")
    assert listing.material == "粉煤" and listing.material_codes == ()
    [name] = listing.names
    assert (name.reading, name.material_code, name.name_code) == ("unclassified", None, "name:粉煤")
    [warning] = listing.warnings
    assert warning.field == "material" and "unclassified" in warning.message
    assert any("coal-fly-ash" in s for s in warning.suggestions)
    # counted in the written unit's kind, since no material says otherwise
    assert (listing.base_unit, listing.annual_quantity) == ("t", 800)


@pytest.mark.parametrize(("material", "code", "kinds"), [
    ("石膏", "byproduct-gypsum", {"fgd-gypsum", "phosphogypsum"}),
    ("污泥", "sludge-any-kind", {"industrial-sludge", "sewage-sludge"}),
    ("industrial wastewater", "wastewater-any-kind", {"treated-effluent"}),
])
def test_generic_names_are_the_generic_material(material, code, kinds):
    from matching.knowledge import load_knowledge

    unit = "m3/yr" if "water" in material else "t/yr"
    listing = check(kind="want", material=material, unit=unit)
    assert listing.material_codes == (code,) and listing.names[0].reading == "generic"
    assert not listing.warnings
    assert kinds <= set(load_knowledge().descendants(code))


def test_possibly_hazardous_names_are_stored_as_the_hazardous_reading():
    listing = check(material="飞灰", quantity="200")
    assert listing.material_codes == ("incineration-fly-ash",)
    assert listing.names[0].reading == "possibly_hazardous"
    assert listing.hazard_code == "772-002-18"    # the hazardous reading's only code, inferred
    assert {w.field for w in listing.warnings} == {"material", "hazard_code"}
    assert "coal-fly-ash" in " ".join(listing.warnings[0].suggestions)


@pytest.mark.parametrize(("material", "hazard_code", "stored"), [
    ("废酸", "HW34", "HW34"), ("废酸", "hw 34", "HW34"), ("废酸", "", "HW34"),      # several codes: the category
    ("废铅蓄电池", "", "900-052-31"), ("废铅蓄电池", "90005231", "900-052-31"),  # one code: inferred
    ("废铅蓄电池", "HW31", "HW31"),
])
def test_hazard_codes_by_category_or_code_and_inferred(material, hazard_code, stored):
    assert check(material=material, hazard_code=hazard_code).hazard_code == stored


@pytest.mark.parametrize(("material", "quantity", "unit", "base", "annual"), [
    ("低压蒸汽", "2700", "GJ/yr", "t", 1000),       # steam by level: 2.7 GJ per t of low-pressure steam
    ("二氧化碳", "506", "Nm3/yr", "t", 1),           # a gas by its density
    ("再生水", "100", "t/day", "m3", 36500),          # water: 1 t is 1 m3
    ("余热", "1", "万kWh/yr", "GJ", 36),              # MWh and GJ
    ("粉煤灰", "500", "kg/day", "t", 182.5),
])
def test_units_of_the_materials_kind_convert(material, quantity, unit, base, annual):
    listing = check(material=material, quantity=quantity, unit=unit)
    assert listing.base_unit == base and listing.annual_quantity == pytest.approx(annual, rel=1e-3)


def test_lithium_batteries_need_no_hazard_code():
    battery = check(material="退役动力电池", quantity="500")
    assert battery.hazard_code is None and battery.material_codes


def test_same_content_same_fingerprint():
    assert check().content_hash(1) == check().content_hash(1) != check().content_hash(2)
    assert check(note="a").content_hash(1) != check(note="b").content_hash(1)


def test_cannot_go_below_committed_quantity(make_listing, db):
    from marketplace.services.listings import apply_checked

    listing = make_listing(quantity=1000)
    listing.committed_quantity = 800
    db.session.commit()
    with pytest.raises(ListingInvalid, match="already promised"):
        apply_checked(listing, check(quantity="500"), listing.site)


@pytest.mark.parametrize(("material", "stored"), [("900-999-49", "900-999-49"), ("HW49", "HW49"), ("hw 45", "HW45")])
def test_a_hazardous_code_as_material_is_kept_and_becomes_the_hazard_code(material, stored):
    listing = check(material=material, quantity="20")
    assert listing.material_codes == () and listing.names[0].reading == "unclassified"
    assert listing.hazard_code == stored


@pytest.mark.parametrize(("kind", "quality", "stored"), [
    ("offer", "loi_pct=4.5%", {"loi_pct": 4.5}),
    ("offer", "loi_pct=约 5 %", {"loi_pct": 5.0}),
    ("want", "loi_pct=≤8%", {"loi_pct_max": 8.0}),
    ("want", "loi_pct=8%以下", {"loi_pct_max": 8.0}),
    ("want", "loi_pct=不低于2%", {"loi_pct_min": 2.0}),
])
def test_numbers_written_with_their_unit_or_a_bound(kind, quality, stored):
    assert check(kind=kind, quality=quality).quality == stored


@pytest.mark.parametrize("quality", ["loi_pct=5 MJ/kg", "loi_pct=5-8%", "loi_pct=low"])
def test_a_number_in_another_unit_or_a_range_is_named(quality):
    assert "must be a number (%)" in errors_of(quality=quality)["quality"].message


@pytest.mark.parametrize(("material", "unit", "hazard_code", "codes", "reading"), [
    ("废动力电池", "t/yr", "HW49", ("nicd-battery",), "possibly_hazardous"),  # the code picks the battery it means
    ("含油废水", "m3/yr", "HW08", (), "unclassified"),                        # a hazardous lot is never generic wastewater
    ("废水", "m3/yr", "HW34", (), "unclassified"),                            # spent acid is counted in t, not m3
    ("飞灰", "t/yr", "HW18", ("incineration-fly-ash",), "possibly_hazardous"),
])
def test_a_stated_hazard_code_settles_a_loose_reading(material, unit, hazard_code, codes, reading):
    listing = check(material=material, unit=unit, hazard_code=hazard_code)
    assert (listing.material_codes, listing.names[0].reading, listing.hazard_code) == (codes, reading, hazard_code)
    assert listing.warnings


def test_a_hazard_code_contradicting_an_exact_name_stays_an_error():
    assert "HW31" in errors_of(material="废铅蓄电池", hazard_code="HW49")["hazard_code"].message
    assert "not hazardous" in errors_of(material="粉煤灰", hazard_code="HW18")["hazard_code"].message


@pytest.mark.parametrize(("material", "unit", "base", "annual"), [
    ("浓盐水|原盐", "t/day", "m3", 100 * 365 / 1.05),   # brine states its density
    ("浓盐水|原盐", "m3/yr", "m3", 100),                # salt has no m3: kept, matched in a want of its own
    ("温海水|蒸汽", "m3/yr", "m3", 100),
])
def test_a_want_may_accept_materials_counted_in_other_units(material, unit, base, annual):
    want = check(kind="want", material=material, quantity="100", unit=unit)
    assert len(want.material_codes) == 2 and want.base_unit == base
    assert want.annual_quantity == pytest.approx(annual, rel=0.02)
    [warning] = want.warnings
    assert warning.field == "unit" and f"counted in {base}" in warning.message


def test_a_want_whose_main_material_cannot_take_the_unit_is_refused():
    assert "cannot be converted" in errors_of(kind="want", material="原盐|浓盐水", unit="m3/yr")["unit"].message


@pytest.mark.parametrize(("written", "stored"), [("HW11 252-002-11", "252-002-11"), ("252-002-11（HW11）", "252-002-11"),
                                                 ("HW11/252-002-11", "252-002-11"), ("危废 HW11", "HW11")])
def test_a_hazard_code_written_with_its_category_keeps_the_code(written, stored):
    from marketplace.services.listing_values import parse_hazard_code

    assert parse_hazard_code(written) == stored


def test_a_hazard_code_and_a_category_that_disagree_are_named():
    from marketplace.services.listing_values import parse_hazard_code
    from marketplace.services.errors import FieldError

    with pytest.raises(FieldError) as caught:
        parse_hazard_code("HW08 252-002-11")
    assert caught.value.field == "hazard_code" and "HW11" in caught.value.message and "HW08" in caught.value.message


@pytest.mark.parametrize(("quantity", "unit", "annual", "ranged"), [
    ("5万", "t/yr", 50_000, False), ("约5万吨", "", 50_000, False), ("3000吨/天", None, 3000 * 365, False),
    ("≈1,200", "t/yr", 1200, False), ("50-80", "t/yr", 65, True), ("1.2 million", "tpa", 1_200_000, False),
    ("20", "t/h", 20 * 8000, False),
])
def test_quantities_as_plants_write_them(quantity, unit, annual, ranged):
    checked = check(quantity=quantity, unit=unit)
    assert checked.annual_quantity == pytest.approx(annual)
    assert any(w.field == "quantity" and "range" in w.message for w in checked.warnings) == ranged


@pytest.mark.parametrize(("quantity", "unit", "words"), [
    ("3000 bags", "t/yr", "not a unit"), ("5万吨/天", "t/yr", "the unit says"), ("80-50", "t/yr", "range ends"),
])
def test_a_quantity_that_cannot_be_read_names_the_field(quantity, unit, words):
    assert words in errors_of(quantity=quantity, unit=unit)["quantity"].message


@pytest.mark.parametrize(("written", "start", "end"), [
    ("2026年3月", dt.date(2026, 3, 1), dt.date(2026, 3, 31)), ("2026/1/5", dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
    ("2027", dt.date(2027, 1, 1), dt.date(2027, 12, 31)), ("Feb 2028", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
])
def test_dates_as_plants_write_them_month_and_year_span_their_whole_period(written, start, end):
    checked = check(available_from=written, available_to=written)
    assert (checked.available_from, checked.available_to) == (start, end)


@pytest.mark.parametrize(("price", "stored"), [("50元/吨", 50.0), ("￥50", 50.0), ("-20 CNY/t", -20.0), ("面议", None)])
def test_prices_as_plants_write_them(price, stored):
    assert check(price_cny=price).price_cny == stored


def test_a_price_per_another_unit_is_named():
    assert "CNY per unit" in errors_of(price_cny="50元/kg")["price_cny"].message


@pytest.mark.parametrize("code", ["EWC 13 02 05*", "130205*", "K048"])
def test_a_waste_code_of_another_countrys_list_is_kept_in_the_note_and_the_material_says_the_hazard(code):
    checked = check(kind="want", material="废矿物油", hazard_code=code, note="re-refining")
    assert checked.hazard_code is None and code in checked.note and "re-refining" in checked.note
    assert any(w.field == "hazard_code" and "another country" in w.message for w in checked.warnings)


@pytest.mark.parametrize(("written", "codes"), [("fly ash or slag", {"coal-fly-ash", "smelting-slag"}),
                                                ("粉煤灰或钢渣", {"coal-fly-ash", "steel-slag"})])
def test_a_want_naming_two_streams_as_alternatives_takes_each(written, codes):
    checked = check(kind="want", material=written)
    assert set(checked.material_codes) == codes and checked.material == written
