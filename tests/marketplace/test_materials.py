"""The materials knowledge base: search in zh and en, a material's page with its routes, and the API."""
import re

import pytest
from sqlalchemy import func, select

from marketplace.models import Material, Route
from marketplace.services.materials import (
    MaterialQueryError, category_rank, material_detail, route_view, search_materials,
)

ROW = re.compile(r'<tr data-code="([^"]+)"(?: data-match="([^"]+)")?')


def page_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return ROW.findall(response.get_data(as_text=True)), response.get_data(as_text=True)


def api_rows(client, **params):
    response = client.get("/api/v1/materials", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(("text", "code"), [
    ("粉煤灰", "coal-fly-ash"),
    ("fly ash", "coal-fly-ash"),
    ("PFA", "coal-fly-ash"),
    ("pfa", "coal-fly-ash"),
    ("S02", "coal-fly-ash"),
    ("脱硫石膏", "fgd-gypsum"),
    ("FGD gypsum", "fgd-gypsum"),
    ("ＧＧＢＳ", "ggbs"),
    ("矿渣粉", "ggbs"),
    ("900-052-31", "lead-acid-battery"),
    ("HW31", "lead-acid-battery"),
    ("废铅酸电池", "lead-acid-battery"),
    ("焚烧飞灰", "incineration-fly-ash"),
    ("MSWI fly ash", "incineration-fly-ash"),
    ("772-002-18", "incineration-fly-ash"),
])
def test_exact_name_abbreviation_or_code_comes_first(client, text, code):
    rows, html = page_rows(client, f"/materials/?q={text}")
    assert rows[0] == (code, "exact")
    assert 'id="search-exact"' in html
    hits = api_rows(client, q=text)
    assert (hits[0]["code"], hits[0]["match"]) == (code, "exact")


@pytest.mark.parametrize(("text", "code"), [("干排粉煤灰", "coal-fly-ash"), ("Fly Ash (Class F)", "coal-fly-ash-class-f"),
                                          ("wet fly ash from unit 3", "coal-fly-ash")])
def test_a_name_read_through_qualifiers_or_longer_text_is_marked_as_read(client, text, code):
    rows, _ = page_rows(client, f"/materials/?q={text}")
    assert rows[0] == (code, "interpreted")
    hits = api_rows(client, q=text)
    assert (hits[0]["code"], hits[0]["match"]) == (code, "interpreted")


def test_kinds_of_the_exact_hit_follow_it(client):
    codes = [hit["code"] for hit in api_rows(client, q="PFA")]
    assert codes[0] == "coal-fly-ash"
    assert {"coal-fly-ash-class-f", "coal-fly-ash-class-c"} <= set(codes)


@pytest.mark.parametrize(("text", "wanted", "unwanted"), [
    ("粉煤灰", "coal-fly-ash", "incineration-fly-ash"),
    ("PFA", "coal-fly-ash", "incineration-fly-ash"),
    ("焚烧飞灰", "incineration-fly-ash", "coal-fly-ash"),
    ("垃圾飞灰", "incineration-fly-ash", "coal-fly-ash"),
])
def test_coal_fly_ash_and_incineration_fly_ash_stay_apart(client, text, wanted, unwanted):
    codes = [hit["code"] for hit in api_rows(client, q=text)]
    assert codes[0] == wanted
    assert unwanted not in codes


def test_the_two_fly_ashes_share_no_route_and_differ_in_hazard(client):
    coal = client.get("/api/v1/materials/coal-fly-ash").json
    incineration = client.get("/api/v1/materials/incineration-fly-ash").json
    assert coal["routes"] and incineration["routes"]
    assert not {r["id"] for r in coal["routes"]} & {r["id"] for r in incineration["routes"]}
    assert (coal["hazardous"], coal["receiver_licence"]) == (False, "none")
    assert (incineration["hazardous"], incineration["receiver_licence"]) == (True, "hw_permit")
    assert "772-002-18" in incineration["hw_codes"]


@pytest.mark.parametrize(("text", "candidates"), [
    # a generic name: the generic material (by-product gypsum of any kind) first, then its kinds
    ("石膏", {"byproduct-gypsum", "fgd-gypsum", "phosphogypsum", "byproduct-gypsum-other"}),
    ("gypsum", {"byproduct-gypsum", "fgd-gypsum", "phosphogypsum", "byproduct-gypsum-other"}),
    ("飞灰", {"coal-fly-ash", "incineration-fly-ash"}),
])
def test_ambiguous_text_shows_the_candidates_first(client, text, candidates):
    hits = api_rows(client, q=text)
    first = hits[:len(candidates)]
    assert {hit["code"] for hit in first} == candidates
    assert {hit["match"] for hit in first} == {"candidate"}
    rows, html = page_rows(client, f"/materials/?q={text}")
    assert 'id="search-ambiguous"' in html and 'id="search-exact"' not in html
    assert {code for code, _ in rows[:len(candidates)]} == candidates


def test_unknown_text_shows_the_closest_suggestions(client):
    hits = api_rows(client, q="flyashh")
    assert hits and {hit["match"] for hit in hits} == {"suggestion"}
    assert "coal-fly-ash" in [hit["code"] for hit in hits]
    rows, html = page_rows(client, "/materials/?q=flyashh")
    assert 'id="search-unknown"' in html and ("coal-fly-ash", "suggestion") in rows


def test_text_like_nothing_at_all_says_so(client):
    assert api_rows(client, q="zzqqxx") == []
    rows, html = page_rows(client, "/materials/?q=zzqqxx")
    assert rows == [] and 'id="search-unknown"' in html


def test_a_fragment_finds_names_that_contain_it(client):
    hits = api_rows(client, q="fly")
    assert {"coal-fly-ash", "incineration-fly-ash"} <= {hit["code"] for hit in hits}
    assert {hit["match"] for hit in hits} == {"partial"}
    assert "fgd-gypsum" in {hit["code"] for hit in api_rows(client, q="脱硫")}


def test_without_text_every_material_is_listed_in_category_order(client, db):
    hits = api_rows(client)
    assert len(hits) == db.session.scalar(select(func.count()).select_from(Material))
    assert {hit["match"] for hit in hits} == {None}
    ranks = [category_rank(hit["category"]) for hit in hits]
    assert ranks == sorted(ranks)
    coal = next(hit for hit in hits if hit["code"] == "coal-fly-ash")
    assert coal["route_count"] >= 1 and "loi_pct" in coal["quality_attributes"]


@pytest.mark.parametrize(("params", "check"), [
    ({"hazardous": "true"}, lambda hit: hit["hazardous"]),
    ({"hazardous": "false"}, lambda hit: not hit["hazardous"]),
    ({"family": "gypsum"}, lambda hit: hit["family"] == "gypsum"),
    ({"bulk": "true", "q": "渣"}, lambda hit: hit["bulk"]),
])
def test_filters_apply_to_every_row(client, params, check):
    hits = api_rows(client, **params)
    assert hits and all(check(hit) for hit in hits)


def test_filters_also_drop_an_exact_hit(client):
    assert api_rows(client, q="PFA", hazardous="true") == []
    rows, _ = page_rows(client, "/materials/?q=PFA&hazardous=yes")
    assert rows == []


def test_page_filters_by_family_and_flags(client):
    rows, _ = page_rows(client, "/materials/?family=gypsum&bulk=yes")
    assert rows and {"fgd-gypsum", "phosphogypsum"} <= {code for code, _ in rows}
    assert "coal-fly-ash" not in {code for code, _ in rows}


@pytest.mark.parametrize("url", ["/materials/?family=metal", "/materials/?hazardous=maybe",
                                 "/materials/?q=" + "x" * 201])
def test_bad_page_filters_are_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)


@pytest.mark.parametrize(("params", "field"), [({"family": "metal"}, "family"), ({"hazardous": "maybe"}, "hazardous"),
                                               ({"q": "x" * 201}, "q")])
def test_bad_api_filters_are_a_422_naming_the_parameter(client, params, field):
    response = client.get("/api/v1/materials", query_string=params)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_service_refuses_an_unknown_family(app):
    with pytest.raises(MaterialQueryError, match="family: unknown family 'metal'"):
        search_materials("", family="metal")


# --------------------------------------------------------------------------- a material's page


def test_detail_page_lists_routes_with_sectors_limits_and_sources(client):
    response = client.get("/materials/coal-fly-ash")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-route="fly-ash-cement-admixture"' in html
    route = html.split('data-route="fly-ash-cement-admixture"')[1].split('class="card mb-3 route"')[0]
    assert "3011 水泥制造" in route  # using sector with its GB/T 4754 name
    assert "GB/T 1596-2017" in route  # the standard behind a quality limit
    assert 'data-ref="R08"' in route and "https://" in route  # a cited source with its address
    assert 'data-estimate="transport"' in route and 'data-estimate="co2_avoided_t_per_unit"' in route
    assert "150 km" in route
    assert 'id="quality-attributes"' in html and 'data-key="loi_pct"' in html


def test_detail_page_shows_routes_inherited_from_the_parent(client):
    html = client.get("/materials/coal-fly-ash-class-f").get_data(as_text=True)
    route = html.split('data-route="fly-ash-cement-admixture"')[1].split('class="card mb-3 route"')[0]
    assert "经由 粉煤灰 适用" in route  # "applies through" the parent material, by its name
    assert 'data-key="loi_pct"' in html  # quality attributes inherited too


def test_hazardous_material_shows_its_codes_and_the_licence_needed(client):
    html = client.get("/materials/lead-acid-battery").get_data(as_text=True)
    assert "900-052-31" in html
    assert 'id="receiver-licence" data-licence="hw_permit"' in html
    assert 'data-flag="hazardous"' in html


def test_gate_fee_is_shown_as_paid_by_the_supplier(client, db):
    fee_routes = [r for r in db.session.scalars(select(Route))
                  if (r.details.get("typical_price_cny_per_unit") or 0) < 0]
    assert fee_routes, "sludge and hazardous-waste routes charge the supplier a gate fee"
    route = fee_routes[0]
    client.get("/lang/en")
    html = client.get(f"/materials/{route.material_codes[0]}").get_data(as_text=True)
    card = html.split(f'data-route="{route.id}"')[1].split('class="card mb-3 route"')[0]
    assert "gate fee" in card


def test_detail_page_follows_the_language(client):
    assert "<h1>粉煤灰" in client.get("/materials/coal-fly-ash").get_data(as_text=True)
    client.get("/lang/en")
    assert "<h1>coal fly ash" in client.get("/materials/coal-fly-ash").get_data(as_text=True)


def test_unknown_code_is_a_404(client):
    assert client.get("/materials/no-such-material").status_code == 404
    response = client.get("/api/v1/materials/no-such-material")
    assert response.status_code == 404 and response.is_json
    assert "no-such-material" in response.json["message"]


def test_detail_for_a_name_is_not_a_code(app):
    assert material_detail("粉煤灰") is None


# --------------------------------------------------------------------------- API shapes


def test_api_list_item_shape(client):
    hit = api_rows(client, q="脱硫石膏")[0]
    assert set(hit) == {"code", "name_zh", "name_en", "synonyms", "family", "category", "parent", "unit",
                        "hazardous", "hw_codes", "bulk", "receiver_licence", "quality_attributes", "route_count",
                        "match"}
    assert (hit["code"], hit["name_zh"], hit["category"], hit["unit"]) == ("fgd-gypsum", "脱硫石膏", "S06", "t")
    assert "FGD gypsum" in hit["synonyms"] and all(isinstance(key, str) for key in hit["quality_attributes"])
    class_f = next(hit for hit in api_rows(client, q="PFA") if hit["code"] == "coal-fly-ash-class-f")
    assert "loi_pct" in class_f["quality_attributes"]  # inherited from coal fly ash


def test_api_detail_shape_with_routes(client):
    body = client.get("/api/v1/materials/coal-fly-ash-class-f").json
    assert body["parent"] == "coal-fly-ash" and body["children"] == []
    assert {a["inherited_from"] for a in body["quality_attributes"]} == {"coal-fly-ash"}
    routes = {r["id"]: r for r in body["routes"]}
    inherited = routes["fly-ash-cement-admixture"]
    assert inherited["via"] == "coal-fly-ash"
    assert routes["fly-ash-concrete"]["via"] is None  # it names class F directly
    assert inherited["user_sectors"] == ["3011"]
    assert inherited["transport_km"]["road"] > 0
    assert inherited["replaces"]["name_en"] and inherited["quality_limits"][0]["standard"]
    assert "transport" in inherited["estimate"]
    source = inherited["sources"][0]
    assert set(source) == {"ref", "what", "title", "url", "fields"} and source["title"]


def test_api_reads_need_no_sign_in_and_are_documented_as_public(client):
    assert client.get("/api/v1/materials").status_code == 200  # no session, no token
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/materials", "/api/v1/materials/{code}"} <= set(spec["paths"])
    for path in ("/api/v1/materials", "/api/v1/materials/{code}"):
        assert spec["paths"][path]["get"]["security"] == []
    assert spec["paths"]["/api/v1/me"]["get"].get("security") != []  # the rest still needs auth
    parameters = {p["name"] for p in spec["paths"]["/api/v1/materials"]["get"]["parameters"]}
    assert {"q", "family", "hazardous", "bulk"} <= parameters


# --------------------------------------------------------------------------- small pieces


@pytest.mark.parametrize(("categories", "ordered"), [
    (["GAS", "HW08", "S02", "S01"], ["S01", "S02", "HW08", "GAS"]),
    (["EOL", "ENERGY", "HW50", "HW08"], ["HW08", "HW50", "ENERGY", "EOL"]),
    (["NEW", "WATER"], ["WATER", "NEW"]),
])
def test_category_order(categories, ordered):
    assert sorted(categories, key=category_rank) == ordered


def test_route_view_reads_transport_pairs_and_marks_estimates():
    route = Route(id="r", material_codes=["m"], process_zh="用", process_en="use", coupling=None, details={
        "transport": [["road", 50], ["rail", 300.0]], "estimate": ["transport"],
        "replaces": {"name_en": "sand", "price_source": "estimate"},
        "sources": [{"ref": "R08", "what": "limits", "fields": ["co2_avoided_t_per_unit"]}],
    })
    view = route_view(route)
    assert view.transport_km == {"road": 50.0, "rail": 300.0}
    assert view.is_estimate("transport") and view.is_estimate("replaces.price")
    assert not view.is_estimate("co2_avoided_t_per_unit")
    assert view.cited_for("co2_avoided_t_per_unit") == ("R08",)
    assert view.co2_avoided_t_per_unit is None and view.receiver_licence == "none"
