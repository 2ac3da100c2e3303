"""Listing validation rules (services/listings.check_listing), without the web layer."""
import pytest

from marketplace.services.listings import ListingInput, ListingInvalid, check_listing


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


def test_unknown_quality_key_lists_the_known_ones():
    message = errors_of(quality="colour=grey")["quality"].message
    assert "colour" in message and "loi_pct" in message


def test_coal_fly_ash_is_not_incineration_fly_ash():
    assert check(material="粉煤灰").material_codes != check(material="焚烧飞灰", hazard_code="772-002-18").material_codes


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"material": "废铅蓄电池"}, "hazard_code", "hazardous"),
    ({"material": "废铅蓄电池", "hazard_code": "900-052-3"}, "hazard_code", "8-digit"),
    ({"material": "废铅蓄电池", "hazard_code": "900-214-08"}, "hazard_code", "HW08"),
    ({"hazard_code": "900-052-31"}, "hazard_code", "not hazardous"),
    ({"material": "粉煤灰|脱硫石膏"}, "material", "one material"),
    ({"material": "kryptonite"}, "material", "matches no"),
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


def test_unknown_material_comes_with_suggestions():
    error = errors_of(material="粉煤")["material"]
    assert "coal-fly-ash" in error.suggestions or any("粉煤灰" in s for s in error.suggestions)


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
