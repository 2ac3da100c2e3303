"""Hazard codes by category (HW34) or 8-digit code, inferred from the material, and the permit checks that use them."""
import datetime as dt

import numpy as np
import pytest

from matching.feasibility import permit_covers
from matching.types import Permit, Site
from marketplace.services.matching import collect_inputs


@pytest.mark.parametrize(("material", "given", "stored"), [
    ("废酸", "HW34", "HW34"),               # a category alone is enough
    ("废酸", "", "HW34"),                   # several codes: the material's category is inferred
    ("废铅蓄电池", "", "900-052-31"),        # one code: that code is inferred
    ("废铅蓄电池", "900-052-31", "900-052-31"),
    ("飞灰", "", "772-002-18"),              # possibly hazardous: the hazardous reading's code
])
def test_the_stored_code_reaches_the_engine(db, make_listing, material, given, stored):
    listing = make_listing(material=material, quantity=100, hazard_code=given)
    assert listing.hazard_code == stored
    [offer] = collect_inputs(latent=False, today=dt.date.today()).offers
    assert offer.hazard_code == stored


@pytest.mark.parametrize(("permit", "lot", "covered"), [
    (("HW34",), "HW34", True),                   # category permit, category lot
    (("HW34",), "251-014-34", True),             # category permit, a code of it
    (("251-014-34",), "251-014-34", True),
    (("251-014-34",), "HW34", False),            # a permit for one code does not cover a lot of unstated code
    (("HW08", "HW31"), "HW34", False),
    (("HW18",), "772-002-18", True),             # possibly hazardous fly ash needs an HW18 permit
    (("HW08",), "772-002-18", False),
])
def test_permit_checks_work_with_categories(permit, lot, covered):
    sites = [Site("R", 117.0, 31.0, "7724", permit=Permit(permit, 1000.0)), Site("N", 117.0, 31.0, "7724")]
    assert Permit(permit, 1000.0).covers(lot) is covered
    assert permit_covers(sites, np.array([0, 1]), [lot], np.array([0, 0])).tolist() == [covered, False]
