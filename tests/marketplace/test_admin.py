"""Administration on the web: organisations (search, paging, credit-code warnings before verifying), users created
by an administrator, and knowledge-base edits validated by the data files' loader and used by the app."""
from __future__ import annotations

import copy

import pytest
import yaml

from matching.knowledge import KnowledgeError, load_knowledge


def _flagged_code(valid: str) -> str:
    """The same code with a wrong check character."""
    wrong = "0" if valid[-1] != "0" else "1"
    return valid[:-1] + wrong


# --- organisations ---------------------------------------------------------------------------------

def test_search_finds_by_zh_name_en_name_and_credit_code_and_filters_by_status(app, make_org):
    from marketplace.services.orgs import search_organisations

    steel = make_org(name_zh="马鞍山钢铁", name_en="Ma Steel", verified=True)
    power = make_org(name_zh="淮南电厂", name_en="Huainan Power")
    assert [o.id for o in search_organisations("钢铁").items] == [steel.id]
    assert [o.id for o in search_organisations("huainan").items] == [power.id]
    assert [o.id for o in search_organisations(power.credit_code.lower()).items] == [power.id]
    assert [o.id for o in search_organisations(status="verified").items] == [steel.id]
    assert [o.id for o in search_organisations(status="unverified").items] == [power.id]


def test_organisations_are_paged(app, make_org):
    from marketplace.services.orgs import search_organisations

    made = {make_org().id for _ in range(7)}
    pages = [search_organisations(page=n, per_page=3) for n in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert {o.id for p in pages for o in p.items} == made
    assert pages[0].pages == 3 and pages[0].total == 7
    # A page past the end shows the last one.
    assert [o.id for o in search_organisations(page=9, per_page=3).items] == [o.id for o in pages[2].items]


@pytest.mark.parametrize("code", ["flagged", None])
def test_a_doubtful_or_missing_code_is_verified_only_when_confirmed(app, make_org, code):
    from marketplace.services.errors import FieldError
    from marketplace.services.orgs import credit_code_warning, verify_organisation

    org = make_org()
    org.credit_code = _flagged_code(org.credit_code) if code == "flagged" else None
    assert credit_code_warning(org) == ("check" if code == "flagged" else "missing")
    with pytest.raises(FieldError) as refused:
        verify_organisation(org, True)
    assert refused.value.field == "confirm"
    assert org.verified is False
    verify_organisation(org, True, confirmed=True)
    assert org.verified is True


def test_a_good_code_is_verified_without_confirmation(app, make_org):
    from marketplace.services.orgs import credit_code_warning, verify_organisation

    org = make_org()
    assert credit_code_warning(org) is None
    verify_organisation(org, True)
    assert org.verified is True


def test_the_detail_page_warns_and_verifying_needs_the_confirmation_box(client, auth, make_org, make_user, db):
    admin = make_user("admin")
    org = make_org()
    org.credit_code = _flagged_code(org.credit_code)
    db.session.commit()
    auth.login(admin)
    page = client.get(f"/admin/orgs/{org.id}")
    assert page.status_code == 200 and b'id="credit-code-warning"' in page.data
    refused = client.post(f"/admin/orgs/{org.id}/verify", data={"verified": "1"})
    assert refused.status_code == 400 and b'data-field="confirm"' in refused.data
    db.session.refresh(org)
    assert org.verified is False
    assert client.post(f"/admin/orgs/{org.id}/verify", data={"verified": "1", "confirm": "y"}).status_code == 302
    db.session.refresh(org)
    assert org.verified is True


def test_the_list_searches_and_pages_on_the_web(client, auth, make_org, make_user):
    auth.login(make_user("admin"))
    make_org(name_zh="铜陵有色冶炼厂")
    for _ in range(26):
        make_org()
    found = client.get("/admin/?q=铜陵")
    assert "铜陵有色冶炼厂".encode() in found.data and found.data.count(b"data-org=") == 1
    first = client.get("/admin/")
    assert first.data.count(b"data-org=") == 25 and b'id="next-page"' in first.data


# --- users -----------------------------------------------------------------------------------------

def test_an_administrator_creates_a_user_with_a_random_password_shown_once(app, make_org):
    from marketplace.services.accounts import authenticate, create_user_by_admin

    org = make_org()
    user, password = create_user_by_admin("New@Example.com", roles={"plant"}, organisation=org, parks=[])
    assert len(password) >= 12
    assert authenticate("new@example.com", password).id == user.id
    assert user.organisation_id == org.id and user.roles == {"plant"}


def test_a_park_manager_needs_parks_and_parks_need_the_role(app, make_park):
    from marketplace.services.accounts import create_user_by_admin, find_user
    from marketplace.services.errors import FieldError

    park = make_park()
    with pytest.raises(FieldError) as no_parks:
        create_user_by_admin("pm@example.com", roles={"park_manager"}, organisation=None, parks=[])
    assert no_parks.value.field == "parks"
    with pytest.raises(FieldError) as parks_without_role:
        create_user_by_admin("pm@example.com", roles={"plant"}, organisation=None, parks=[park])
    assert parks_without_role.value.field == "parks"
    with pytest.raises(FieldError) as short:
        create_user_by_admin("pm@example.com", roles={"park_manager"}, organisation=None, parks=[park],
                             password="short")
    assert short.value.field == "password"
    assert find_user("pm@example.com") is None
    user, password = create_user_by_admin("pm@example.com", roles={"park_manager"}, organisation=None,
                                          parks=[park], password="a-long-password")
    assert password == "a-long-password" and [p.id for p in user.managed_parks] == [park.id]


def test_creating_a_user_on_the_web_shows_the_password_and_it_signs_in(client, auth, make_user, make_park):
    auth.login(make_user("admin"))
    park = make_park()
    page = client.post("/admin/users/new", data={"email": "officer@example.com", "roles": ["park_manager"],
                                                  "organisation": "", "parks": [str(park.id)]})
    assert page.status_code == 200
    password = page.data.split(b'id="initial-password">')[1].split(b"<")[0].decode()
    auth.logout()
    assert auth.login("officer@example.com", password).status_code == 302
    assert client.get("/parks/").status_code == 200


def test_a_disabled_user_cannot_sign_in_and_an_admin_cannot_disable_itself(client, auth, make_user, db):
    admin, plant = make_user("admin"), make_user("plant")
    auth.login(admin)
    client.post(f"/admin/users/{plant.id}/active")
    client.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(plant)
    db.session.refresh(admin)
    assert plant.active is False and admin.active is True
    auth.logout()
    assert auth.login(plant).status_code != 302  # refused: the form comes back


# --- knowledge base --------------------------------------------------------------------------------

ROUTE = "fly-ash-concrete"


def _route_entry() -> dict:
    from marketplace.services.knowledge import file_entry

    return copy.deepcopy(file_entry("route", ROUTE).entry)


def test_an_edit_is_validated_by_the_loader_and_its_error_names_the_field(app):
    from marketplace.services.knowledge import find_edit, save_entry

    entry = _route_entry()
    entry["transport"] = {"road": -5}
    with pytest.raises(KnowledgeError) as bad_radius:
        save_entry("route", entry, key=ROUTE)
    assert bad_radius.value.field == "transport" and "negative radius" in str(bad_radius.value)
    entry = _route_entry()
    entry["user_sectors"] = ["9999"]
    with pytest.raises(KnowledgeError) as bad_sector:
        save_entry("route", entry, key=ROUTE)
    assert bad_sector.value.field == "user_sectors"
    entry = _route_entry()
    entry["estimate"] = [name for name in entry["estimate"] if name != "transport"]
    with pytest.raises(KnowledgeError) as unsourced:
        save_entry("route", entry, key=ROUTE)
    assert unsourced.value.field == "transport"
    assert find_edit("route", ROUTE) is None


def test_a_saved_edit_is_the_running_knowledge_base_and_exports_as_yaml(app):
    from marketplace.services.knowledge import discard_edit, effective_knowledge, export_edits, save_entry

    entry = _route_entry()
    entry["transport"] = {"road": 40}
    entry["user_sectors"] = ["3021"]
    save_entry("route", entry, key=ROUTE)
    route = next(r for r in effective_knowledge().routes if r.id == ROUTE)
    assert route.transport_km == {"road": 40.0} and route.user_sectors == ("3021",)
    # The shipped files are untouched.
    assert next(r for r in load_knowledge().routes if r.id == ROUTE).transport_km["road"] == 300.0
    exported = [doc for doc in yaml.safe_load_all(export_edits())]
    assert exported == [{"routes": [entry]}]
    assert export_edits().startswith("# routes.yaml")
    discard_edit("route", ROUTE)
    assert next(r for r in effective_knowledge().routes if r.id == ROUTE).transport_km["road"] == 300.0


def test_a_material_edit_adds_a_synonym_the_knowledge_base_resolves(app):
    from marketplace.services.knowledge import current_entry, effective_knowledge, save_entry

    entry = current_entry("material", "coal-fly-ash")
    entry["synonyms_zh"] = [*entry.get("synonyms_zh", []), "电厂灰渣粉"]
    save_entry("material", entry, key="coal-fly-ash")
    assert "电厂灰渣粉" in effective_knowledge().materials["coal-fly-ash"].synonyms_zh


def test_an_entry_keeps_its_code_and_a_new_one_cannot_take_an_existing_code(app):
    from marketplace.services.errors import FieldError
    from marketplace.services.knowledge import save_entry

    entry = _route_entry()
    entry["id"] = "fly-ash-concrete-2"
    with pytest.raises(FieldError) as renamed:
        save_entry("route", entry, key=ROUTE)
    assert renamed.value.field == "id"
    with pytest.raises(FieldError) as taken:
        save_entry("route", _route_entry(), key=None)
    assert taken.value.field == "id"


def test_a_new_route_is_added_to_the_running_knowledge_base(app):
    from marketplace.services.knowledge import effective_knowledge, save_entry

    entry = _route_entry()
    entry["id"] = "fly-ash-test-new-route"
    save_entry("route", entry)
    assert "fly-ash-test-new-route" in {r.id for r in effective_knowledge().routes}


def test_the_web_form_shows_the_loaders_error_by_field(client, auth, make_user):
    auth.login(make_user("admin"))
    entry = _route_entry()
    entry["transport"] = {"lorry": 100}
    page = client.post(f"/admin/knowledge/route/{ROUTE}", data={"entry": yaml.safe_dump(entry, allow_unicode=True)})
    assert page.status_code == 400
    assert b'data-field="entry">transport:' in page.data and b"lorry" in page.data
    broken = client.post(f"/admin/knowledge/route/{ROUTE}", data={"entry": "id: [unclosed"})
    assert broken.status_code == 400 and "entry: 不是有效的 YAML：" in broken.get_data(as_text=True)  # default zh
    client.get("/lang/en")
    broken = client.post(f"/admin/knowledge/route/{ROUTE}", data={"entry": "id: [unclosed"})
    assert broken.status_code == 400 and b"entry: not valid YAML" in broken.data


def test_the_common_fields_write_into_the_entry_and_errors_go_beside_their_field(client, auth, make_user):
    from marketplace.services.knowledge import current_entry, effective_knowledge, find_edit, route_fields

    auth.login(make_user("admin"))
    fields = {name: "" if value is None else value for name, value in route_fields(_route_entry()).items()}
    refused = client.post(f"/admin/knowledge/route/{ROUTE}",
                          data={**fields, "part": "fields", "user_sectors": "3021, 0000"})
    assert refused.status_code == 400 and b'data-field="user_sectors"' in refused.data
    assert find_edit("route", ROUTE) is None
    saved = client.post(f"/admin/knowledge/route/{ROUTE}", data={
        **fields, "part": "fields", "user_sectors": "3021，3022", "road_km": "55", "rail_km": "", "barge_km": ""})
    assert saved.status_code == 302
    route = next(r for r in effective_knowledge().routes if r.id == ROUTE)
    assert route.transport_km == {"road": 55.0} and route.user_sectors == ("3021", "3022")
    # What the fields do not hold (sources, limits, notes) is kept.
    assert current_entry("route", ROUTE)["sources"] == _route_entry()["sources"]

    names = client.post("/admin/knowledge/material/coal-fly-ash", data={
        "part": "fields", "name_zh": "粉煤灰", "name_en": "coal fly ash", "synonyms_zh": "电厂飞灰粉\n燃煤灰",
        "synonyms_en": "PFA"})
    assert names.status_code == 302
    assert effective_knowledge().materials["coal-fly-ash"].synonyms_zh[:2] == ("电厂飞灰粉", "燃煤灰")


def test_an_edit_other_edits_rely_on_cannot_be_discarded(app):
    from marketplace.services.errors import FieldError
    from marketplace.services.knowledge import current_entry, discard_edit, effective_knowledge, find_edit, save_entry

    material = current_entry("material", "coal-fly-ash")
    material["quality_attributes"] = [*material.get("quality_attributes", []), {
        "key": "test_whiteness_pct", "unit": "%", "name_zh": "白度", "name_en": "whiteness"}]
    save_entry("material", material, key="coal-fly-ash")
    route = _route_entry()
    route["quality_limits"] = [*route["quality_limits"], {"key": "test_whiteness_pct", "op": ">=", "value": 60,
                                                          "standard": "estimate"}]
    save_entry("route", route, key=ROUTE)
    with pytest.raises(FieldError) as refused:
        discard_edit("material", "coal-fly-ash")
    assert refused.value.field == "entry" and "test_whiteness_pct" in refused.value.message
    assert find_edit("material", "coal-fly-ash") is not None
    discard_edit("route", ROUTE)
    discard_edit("material", "coal-fly-ash")
    assert effective_knowledge() is load_knowledge()
