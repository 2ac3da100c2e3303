"""The indicator API takes the indicator pages' ``?year=``: the same figures as the page's service for that year,
and a year without figures refused with a 400 naming the field, in the reader's language."""
from __future__ import annotations

import re

import pytest
from flask import json

from marketplace.services.accounts import issue_api_token
from marketplace.services.indicators import park_indicators, this_year

from .test_network import make_link, net  # noqa: F401  (fixtures)
from .test_reporting import history  # noqa: F401  (fixture)


@pytest.fixture
def manager_api(history):
    return {"Authorization": f"Bearer {issue_api_token(history['users']['manager'])}"}


def same_as_service(user, park, year) -> dict:
    return json.loads(json.dumps(park_indicators(user, park=park, year=year).as_dict()))


@pytest.mark.parametrize("year", [2024, 2025, None])
def test_a_park_year_gives_the_service_figures_of_that_year(client, history, manager_api, year):
    manager, park = history["users"]["manager"], history["park"]
    url = f"/api/v1/parks/{park.id}/indicators" + (f"?year={year}" if year else "")
    body = client.get(url, headers=manager_api).get_json()
    assert body == same_as_service(manager, park, year) and body["year"] == year


def test_the_years_differ_as_the_links_were_agreed(client, history, manager_api):
    url = f"/api/v1/parks/{history['park'].id}/indicators"
    before, agreed = (client.get(f"{url}?year={y}", headers=manager_api).get_json() for y in (2024, 2025))
    assert (before["utilised_t"], agreed["utilised_t"]) == (0.0, 3000.0)
    assert agreed["proposed_t"] == 0.0 and client.get(url, headers=manager_api).get_json()["proposed_t"] == 2000.0


def test_the_province_takes_a_year_too(client, history, manager_api):
    body = client.get("/api/v1/network/indicators?year=2025", headers=manager_api).get_json()
    assert body == same_as_service(history["users"]["manager"], None, 2025) and body["utilised_t"] == 3000.0


@pytest.mark.parametrize("year", ["1999", "abc", "2100", "-1", "2025.0"])
@pytest.mark.parametrize("path", ["/api/v1/parks/{park}/indicators", "/api/v1/network/indicators"])
def test_a_year_without_figures_is_a_400_naming_the_field(client, history, manager_api, year, path):
    url = path.format(park=history["park"].id) + f"?year={year}"
    zh = client.get(url, headers={**manager_api, "Accept-Language": "zh-CN"})
    assert zh.status_code == 400 and list(zh.get_json()["errors"]["query"]) == ["year"]
    assert re.fullmatch(rf"年份：请选择 2024 至 {this_year()} 年之间的年份。", zh.get_json()["message"])
    en = client.get(url, headers={**manager_api, "Accept-Language": "en"})
    assert en.status_code == 400
    assert en.get_json()["errors"]["query"]["year"] == [f"year: choose a year from 2024 to {this_year()}."]


def test_the_year_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/parks/{park_id}/indicators", "/api/v1/network/indicators"):
        parameters = spec["paths"][path]["get"]["parameters"]
        assert any(p["name"] == "year" and p["in"] == "query" and p["schema"]["type"] == "integer"
                   for p in parameters), parameters
        assert "400" in spec["paths"][path]["get"]["responses"]
