"""API documentation people can read: the browsable page, a schema for every answer, errors in the reader's language.

The page is Swagger UI from the npm package, served by the app (no CDN, no inline script); every operation of
the OpenAPI document declares the shape of its success answer, and real answers of the network, indicator,
boundary and link endpoints match it; error messages follow Accept-Language (or the session's choice).
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from jsonschema_rs import Draft202012Validator

from marketplace.services.accounts import issue_api_token
from marketplace.services.search import MAX_LIMIT, MAX_RADIUS_KM
from marketplace.services.matching import start_run

JSON_TYPES = ("application/json", "application/geo+json")


def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


# --- the page -------------------------------------------------------------------------------------------------

def test_the_docs_page_loads_swagger_ui_from_the_app_and_no_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    # The Content-Security-Policy allows only the app's own script files: no inline code, no other host.
    assert scripts and all('src="/' in attributes and not body.strip() for attributes, body in scripts)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert not re.search(r"<style\b| style=", page)
    for url in re.findall(r"""(?:src|href)="(/(?:vendor|static)/[^"]+)\"""", page):
        asset = client.get(url)
        body = asset.get_data()
        asset.close()  # a file response: close it, or its handle leaks
        assert asset.status_code == 200 and body, url
    assert "/vendor/npm/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/vendor/npm/swagger-ui-dist/swagger-ui.css" in page


def test_the_docs_page_speaks_the_sites_language_and_every_page_links_to_it(client):
    home = client.get("/").get_data(as_text=True)
    assert 'id="footer-api-docs" href="/api/v1/docs"' in home
    # The site's choice, not the browser's Accept-Language: a Chinese-first product for pages.
    assert "<h1 class=\"h3\">API 文档</h1>" in client.get("/api/v1/docs",
                                                          headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.get("/lang/en")
    assert "<h1 class=\"h3\">API documentation</h1>" in client.get("/api/v1/docs").get_data(as_text=True)


def test_the_page_is_not_an_operation_of_the_api(client):
    assert not [path for path in _document(client)["paths"] if path.endswith("/docs")]


# --- every answer with its schema -----------------------------------------------------------------------------

def test_every_operation_declares_the_schema_of_its_success_answer(client):
    missing = []
    for label, operation in _operations(_document(client)):
        successes = {code: answer for code, answer in operation["responses"].items() if code.startswith("2")}
        if not successes:
            missing.append(f"{label}: no 2xx answer")
            continue
        for code, answer in successes.items():
            content = answer.get("content") or {}
            if not content:
                missing.append(f"{label} {code}: no content")
            for media_type, body in content.items():
                # A file download declares its media type (text/csv, an XLSX …); JSON answers need a schema.
                if media_type in JSON_TYPES and "schema" not in body:
                    missing.append(f"{label} {code}: {media_type} without a schema")
    assert missing == []


def _validator(document: dict, schema: dict) -> Draft202012Validator:
    # References point into the document's components: validate with the components at the root.
    return Draft202012Validator({**schema, "components": document["components"]})


def _answer_schema(document: dict, path: str, method: str = "get", code: str = "200") -> dict:
    (body,) = document["paths"][path][method]["responses"][code]["content"].values()
    return body["schema"]


@pytest.fixture
def linked(make_park, make_site, make_listing, make_user):
    """A fly-ash link proposed between a power plant in a park and a cement works, and who may see it."""
    park = make_park(code="DOCS", centre=(117.2, 31.8))
    power = make_site(sector_code="4411", park=park, lonlat=(117.21, 31.81), name_zh="甲电厂", external_ref="PWR-1")
    cement = make_site(sector_code="3011", lonlat=(117.5, 31.8), name_zh="乙水泥厂", external_ref="CEM-1")
    make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000, visibility="anonymous")
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    (link,) = start_run().links
    tokens = {"manager": issue_api_token(make_user("park_manager", parks=[park])),
              "receiver": issue_api_token(make_user("plant", organisation=cement.organisation)),
              "plant": issue_api_token(make_user("plant", organisation=power.organisation))}
    return SimpleNamespace(park=park, link=link, headers={role: {"Authorization": f"Bearer {token}"}
                                                          for role, token in tokens.items()})


@pytest.mark.parametrize(("who", "url", "template"), [
    ("manager", "/api/v1/parks/{park}/network", "/api/v1/parks/{park_id}/network"),
    ("receiver", "/api/v1/parks/{park}/network", "/api/v1/parks/{park_id}/network"),
    ("manager", "/api/v1/network", "/api/v1/network"),
    ("manager", "/api/v1/parks/{park}/indicators", "/api/v1/parks/{park_id}/indicators"),
    ("manager", "/api/v1/network/indicators", "/api/v1/network/indicators"),
    ("plant", "/api/v1/parks/{park}/boundary", "/api/v1/parks/{park_id}/boundary"),
    ("receiver", "/api/v1/links", "/api/v1/links"),
    ("receiver", "/api/v1/links/{link}", "/api/v1/links/{link_id}"),
])
def test_real_answers_match_the_documented_schema(client, linked, who, url, template):
    document = _document(client)
    response = client.get(url.format(park=linked.park.id, link=linked.link.id), headers=linked.headers[who])
    assert response.status_code == 200, response.json
    data = response.get_json(force=True)
    errors = [f"{list(error.instance_path)}: {error.message}"
              for error in _validator(document, _answer_schema(document, template)).iter_errors(data)]
    assert errors == []
    # The schemas describe; they never drop a field the service built.
    if template.endswith("/network"):
        link_features = [f for f in data["features"] if f["properties"]["kind"] == "link"]
        assert link_features and {"explanation_zh", "material_family", "net_benefit_cny"} <= \
            set(link_features[0]["properties"])
    if template.endswith("/indicators"):
        assert {"families", "meets_target", "estimates"} <= set(data)
    if template.startswith("/api/v1/links"):
        (first, *_) = data if isinstance(data, list) else [data]
        assert first["offer"]["anonymous"] is True and first["your_side"] == "receiver" and first["explanation"]


def test_the_schema_catches_an_answer_of_the_wrong_shape(client):
    # The check above can fail: an indicators answer whose rate is text, or a feature without geometry, is refused.
    document = _document(client)
    indicators = _validator(document, _answer_schema(document, "/api/v1/network/indicators"))
    assert not indicators.is_valid({"utilisation_rate_pct": "62 %"})
    network = _validator(document, _answer_schema(document, "/api/v1/network"))
    assert not network.is_valid({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]})
    assert network.is_valid({"type": "FeatureCollection", "features": []})


def test_the_network_is_documented_as_geojson(client):
    document = _document(client)
    for path in ("/api/v1/network", "/api/v1/parks/{park_id}/network"):
        assert list(document["paths"][path]["get"]["responses"]["200"]["content"]) == ["application/geo+json"]


# --- errors in the reader's language ----------------------------------------------------------------------------

def _message(client, method: str, url: str, language: str, **kwargs) -> tuple[int, dict]:
    headers = {**kwargs.pop("headers", {}), "Accept-Language": language}
    response = client.open(url, method=method, headers=headers, **kwargs)
    return response.status_code, response.json


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", {
        401: "请先登录，或在请求头 Authorization 中发送 Bearer 加您的 API 令牌。",
        403: "您无权查看此处的完整共生网络及其指标。",
        404: "没有编号为 999999 的场地。",
        "404 unknown": "未找到：该对象不存在，或此地址下没有内容。",
    }),
    ("en-GB,en;q=0.9", {
        401: "Sign in, or send the header Authorization: Bearer followed by your API token.",
        403: "You may not see the whole network and its indicators here.",
        404: "No site 999999.",
        "404 unknown": "Not found: there is no such object, or nothing at this address.",
    }),
])
def test_401_403_and_404_answer_in_the_requested_language(client, linked, language, expected):
    assert _message(client, "GET", "/api/v1/network/indicators", language) == (401, {
        "code": 401, "status": "Unauthorized", "message": expected[401]})
    status, body = _message(client, "GET", f"/api/v1/parks/{linked.park.id}/indicators", language,
                            headers=linked.headers["plant"])
    assert (status, body["message"]) == (403, expected[403])
    status, body = _message(client, "GET", "/api/v1/sites/999999/closure", language, headers=linked.headers["plant"])
    assert (status, body["message"]) == (404, expected[404])
    status, body = _message(client, "GET", "/api/v1/links/999999", language, headers=linked.headers["plant"])
    assert (status, body["message"], body["status"]) == (404, expected["404 unknown"], "Not Found")


@pytest.mark.parametrize(("language", "message", "errors"), [
    ("zh", "以下字段无效：latent, colour。", {"colour": ["未知字段。"], "latent": ["必须是 true 或 false。"]}),
    ("en", "Not valid: latent, colour.", {"colour": ["Unknown field."], "latent": ["Must be true or false."]}),
])
def test_422_field_errors_answer_in_the_requested_language(client, linked, language, message, errors):
    status, body = _message(client, "POST", "/api/v1/match-runs", language, headers=linked.headers["manager"],
                            json={"park": "DOCS", "latent": "yes", "colour": "red"})
    assert status == 422 and body["message"] == message and body["errors"]["json"] == errors


@pytest.mark.parametrize(("language", "radius", "limit", "sort"), [
    ("zh", f"必须大于 0 且不大于 {MAX_RADIUS_KM:.1f}。", f"必须在 1 到 {MAX_LIMIT} 之间。", "必须是以下之一："),
    # marshmallow's "Must be greater than or equal to 1 and less than or equal to …" said plainly, as the
    # catalogue's English has it.
    ("en", f"Must be more than 0 and at most {MAX_RADIUS_KM:.1f}.", f"Must be between 1 and {MAX_LIMIT}.",
     "Must be one of: "),
])
def test_field_errors_keep_their_values_in_either_language(client, linked, language, radius, limit, sort):
    status, body = _message(client, "GET", "/api/v1/offers/search?lon=117.2&lat=31.8&material=coal-fly-ash"
                                           "&radius_km=-5&limit=0&sort=colour", language,
                            headers=linked.headers["receiver"])
    assert status == 422, body
    query = body["errors"]["query"]
    assert query["radius_km"] == [radius] and query["limit"] == [limit] and query["sort"][0].startswith(sort)
    assert "distance" in query["sort"][0]  # the allowed values are kept


def test_the_session_choice_counts_for_a_browser_reading_the_api(client, auth, linked, make_user):
    # A browser sends its own Accept-Language with every fetch; the language chosen on the site wins.
    user = make_user("recycler")
    auth.login(user)
    client.get("/lang/en")
    status, body = _message(client, "GET", f"/api/v1/parks/{linked.park.id}/indicators", "zh-CN")
    assert (status, body["message"]) == (403, "You may not see the whole network and its indicators here.")
    client.get("/lang/zh")
    status, body = _message(client, "GET", f"/api/v1/parks/{linked.park.id}/indicators", "en-US")
    assert (status, body["message"]) == (403, "您无权查看此处的完整共生网络及其指标。")


@pytest.mark.parametrize(("header", "expected"), [
    ("fr-FR, zh-TW;q=0.8, en;q=0.5", "zh"),   # the first language the product speaks, by quality
    ("en;q=0.5, zh-Hans;q=0.8", "zh"),
    ("zh;q=0, en", "en"),                      # q=0: not this one
    ("fr", "default"),
    ("*", "default"),
])
def test_accept_language_is_read_by_quality_and_primary_tag(app, header, expected):
    from flask_babel import get_locale

    with app.test_request_context("/api/v1/me", headers={"Accept-Language": header}):
        chosen = str(get_locale())
    assert chosen == (app.config["DEFAULT_LOCALE"] if expected == "default" else expected)


def test_nested_field_errors_are_named_by_their_path_and_translated_with_their_values(app):
    from werkzeug.exceptions import UnprocessableEntity

    from marketplace.api.errors import localise

    errors = {"json": {"query": ["Not a valid string."], "items": {"0": {"unit": ["Must be one of: t, GJ."]}}}}
    with app.test_request_context("/api/v1/listings", headers={"Accept-Language": "zh"}):
        payload = localise({"code": 422, "status": "Unprocessable Entity", "errors": errors}, UnprocessableEntity())
    # A field may be called like a location ("query"): only the top level names where the value was.
    assert payload["message"] == "以下字段无效：query, items.0.unit。"
    assert payload["errors"] == {"json": {"query": ["不是有效的文本。"], "items": {"0": {"unit": ["必须是以下之一：t, GJ。"]}}}}
    assert (payload["code"], payload["status"]) == (422, "Unprocessable Entity")
