"""The classification queue: unclassified names by frequency; classifying one moves every listing and teaches a synonym."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import LearnedSynonym, Link, Listing
from marketplace.services.accounts import issue_api_token
from marketplace.services.errors import FieldError
from marketplace.services.listing_check import ListingInput
from marketplace.services.listings import create_listing
from marketplace.services.matching import collect_inputs, start_run
from marketplace.services.vocabulary import classification_queue, classify_name, learned_synonyms


@pytest.fixture
def unclassified(make_site, make_listing):
    """Three listings naming one unknown stream (two spellings), one naming another, one known."""
    site, other = make_site(external_ref="CL-01"), make_site(external_ref="CL-02")
    return SimpleNamespace(
        trimmings=[make_listing(site=site, material="ZK-3 lamella cake", quantity=300),
                   make_listing(site=other, material="zk3 lamella cakes", quantity=20, unit="t/month"),
                   make_listing(site=other, kind="want", material="ZK-3 Lamella Cake|粉煤灰", quantity=500)],
        rare=make_listing(site=site, material="某厂QX-9残液", quantity=40, unit="m3/yr"),
        known=make_listing(site=site, material="粉煤灰"),
    )


def test_the_queue_lists_unclassified_names_most_used_first(db, unclassified):
    queue = classification_queue()
    assert [entry.listings for entry in queue] == [3, 1]
    first = queue[0]
    assert first.name_code == "name:zk3lamellacake"
    assert set(first.spellings) == {"ZK-3 lamella cake", "zk3 lamella cakes", "ZK-3 Lamella Cake"}
    assert (first.offers, first.wants) == (2, 1)
    assert queue[1].written == "某厂QX-9残液"


def test_classifying_a_name_moves_every_listing_that_uses_it_and_teaches_the_name(db, unclassified, make_user,
                                                                                  make_site):
    admin = make_user("admin")
    assert classify_name("name:zk3lamellacake", "废纸", user=admin) == 3
    for listing in unclassified.trimmings:
        db.session.refresh(listing)
        assert "waste-paper" in listing.material_codes and not listing.unclassified_names
        assert listing.material.lower().startswith("zk")       # the author's words stay
    assert unclassified.trimmings[1].annual_quantity == 240    # 20 t a month, in the material's unit
    assert [entry.name_code for entry in classification_queue()] == ["name:某厂qx9残液"]
    assert learned_synonyms() == {"name:zk3lamellacake": "waste-paper"}
    assert db.session.get(LearnedSynonym, "name:zk3lamellacake").created_by_id == admin.id
    # the resolver uses the learned name from then on: a new listing is classified as it is written
    fresh = create_listing(make_site(), ListingInput(kind="offer", material="Zk3-Lamella-Cakes", quantity=5))
    assert fresh.material_codes == ["waste-paper"] and fresh.names[0].reading == "exact"
    # and the engine gets the material, not the pseudo-code
    offers = {o.id: o.material for o in collect_inputs(latent=False, today=fresh.created_at.date()).offers}
    assert offers[str(unclassified.trimmings[0].id)] == "waste-paper"


def test_the_engine_matches_unclassified_names_by_their_pseudo_code(db, unclassified):
    inputs = collect_inputs(latent=False, today=unclassified.rare.created_at.date())
    offers = {o.id: o.material for o in inputs.offers}
    wants = {w.id: w.materials for w in inputs.wants}
    assert offers[str(unclassified.trimmings[0].id)] == offers[str(unclassified.trimmings[1].id)] \
        == "name:zk3lamellacake"
    assert wants[str(unclassified.trimmings[2].id)] == ("name:zk3lamellacake", "coal-fly-ash")
    assert offers[str(unclassified.known.id)] == "coal-fly-ash"


@pytest.mark.parametrize(("name_code", "material", "words"), [
    ("name:zk3lamellacake", "kryptonite ore", "not one material"),
    ("name:zk3lamellacake", "石膏|粉煤灰", "not one material"),
    ("name:nosuchname", "waste-paper", "no listing uses"),
    ("name:某厂qx9残液", "waste-paper", "cannot be converted"),    # m3 of a liquid cannot become tonnes of paper
])
def test_a_classification_that_does_not_fit_changes_nothing(db, unclassified, name_code, material, words):
    with pytest.raises(FieldError, match=words):
        classify_name(name_code, material)
    db.session.rollback()
    assert len(classification_queue()) == 2
    assert db.session.scalar(select(func.count()).select_from(LearnedSynonym)) == 0


def test_only_administrators_see_the_queue(client, auth, make_user, unclassified):
    auth.login(make_user("plant"))
    assert client.get("/admin/classification/").status_code == 403
    auth.logout()
    auth.login(make_user("admin"))
    page = client.get("/admin/classification/").get_data(as_text=True)
    assert "ZK-3" in page and "某厂QX-9残液" in page and 'id="classification-queue"' in page


def test_the_web_form_classifies_and_reports_a_bad_material(client, auth, db, make_user, unclassified):
    client.get("/lang/en")
    auth.login(make_user("admin"))
    response = client.post("/admin/classification/classify", data={"name_code": "name:某厂qx9残液",
                                                                   "material": "moon dust"})
    assert response.status_code == 400 and "not one material" in response.get_data(as_text=True)
    response = client.post("/admin/classification/classify", data={"name_code": "name:某厂qx9残液",
                                                                   "material": "再生水"})
    assert response.status_code == 302
    db.session.refresh(unclassified.rare)
    assert unclassified.rare.material_codes == ["treated-effluent"]


def test_the_api_lists_and_classifies(client, db, make_user, unclassified):
    admin = {"Authorization": f"Bearer {issue_api_token(make_user('admin'))}"}
    plant = {"Authorization": f"Bearer {issue_api_token(make_user('plant'))}"}
    assert client.get("/api/v1/classification", headers=plant).status_code == 403
    queue = client.get("/api/v1/classification", headers=admin).json
    assert [entry["listings"] for entry in queue] == [3, 1] and queue[0]["name_code"] == "name:zk3lamellacake"
    response = client.post("/api/v1/classification", headers=admin,
                           json={"name": "ZK-3 lamella cake", "material": "waste-paper"})
    assert response.status_code == 200, response.json
    assert response.json == {"name_code": "name:zk3lamellacake", "material_code": "waste-paper", "listings": 3}
    response = client.post("/api/v1/classification", headers=admin, json={"name": "name:某厂qx9残液", "material": "x"})
    assert response.status_code == 422 and "material" in response.json["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 5
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/classification" in spec["paths"]


def test_a_want_for_a_generic_name_takes_every_kind_and_unknown_names_meet_only_their_own(db, make_site, make_listing):
    power = make_site(sector_code="4411", lonlat=(117.20, 31.85))
    cement = make_site(sector_code="3011", lonlat=(117.25, 31.86))
    other = make_site(sector_code="3011", lonlat=(117.27, 31.84))
    gypsum = make_listing(site=power, material="脱硫石膏", quantity=20_000)
    make_listing(site=cement, kind="want", material="石膏", quantity=10_000)
    stream = make_listing(site=power, material="ZK-9 lamella mass", quantity=500)
    make_listing(site=other, kind="want", material="zk9 lamella masses", quantity=400)
    make_listing(site=other, kind="want", material="某种不相干的料", quantity=400)
    run = start_run()
    links = db.session.scalars(select(Link).where(Link.run_id == run.id)).all()
    receivers = {(link.offer_id, link.receiver_site_id) for link in links}
    assert (gypsum.id, cement.id) in receivers           # any by-product gypsum, FGD gypsum included
    taken = {link.receiver_site_id for link in links if link.offer_id == stream.id}
    assert taken == {other.id}                           # by name, to the want naming the same stream only


def test_the_materials_search_reads_a_learned_name(client, db, unclassified):
    classify_name("name:zk3lamellacake", "waste-paper")
    hits = client.get("/api/v1/materials", query_string={"q": "ZK-3 lamella cakes"}).json
    rows = hits["materials"] if isinstance(hits, dict) else hits
    assert rows[0]["code"] == "waste-paper"


def test_a_want_of_materials_in_several_units_reaches_the_engine_in_one(db, make_site, make_listing):
    want = make_listing(site=make_site(), kind="want", material="浓盐水|原盐|ZK-7 卤渣", quantity=100, unit="t/day")
    [engine_want] = collect_inputs(latent=False, today=want.created_at.date()).wants
    assert want.base_unit == "m3"
    assert engine_want.materials == ("desalination-brine", "name:zk7卤渣")   # raw salt (t) is left out


def test_the_owner_confirms_the_kind_of_a_possibly_hazardous_name(client, auth, db, make_user, make_site,
                                                                   make_listing):
    client.get("/lang/en")
    owner = make_user("plant")
    listing = make_listing(site=make_site(organisation=owner.organisation), material="飞灰", quantity=300)
    assert listing.possibly_hazardous and listing.hazard_code == "772-002-18"
    auth.login(owner)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert 'value="coal-fly-ash"' in page and 'value="incineration-fly-ash"' in page
    bad = client.post(f"/listings/{listing.id}/confirm-kind", data={"position": "0", "material": "steel-slag"})
    assert bad.status_code == 400 and "not one of the kinds" in bad.get_data(as_text=True)
    response = client.post(f"/listings/{listing.id}/confirm-kind", data={"position": "0", "material": "coal-fly-ash"})
    assert response.status_code == 302
    db.session.refresh(listing)
    assert listing.material_codes == ["coal-fly-ash"] and not listing.possibly_hazardous
    assert listing.hazard_code is None and listing.material == "飞灰"
    [offer] = collect_inputs(latent=False, today=listing.created_at.date()).offers
    assert (offer.material, offer.hazard_code) == ("coal-fly-ash", None)
