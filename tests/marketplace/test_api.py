"""The JSON API: bearer tokens, field errors, OpenAPI document."""
import pytest
from sqlalchemy import func, select

from marketplace.models import Site
from marketplace.services.accounts import issue_api_token


@pytest.fixture
def bearer(make_user):
    user = make_user("plant")
    return user, {"Authorization": f"Bearer {issue_api_token(user)}"}


def test_create_site_with_bearer_token(client, db, bearer):
    user, headers = bearer
    response = client.post("/api/v1/sites", headers=headers, json={
        "site_id": "API-1", "name": "接口厂", "sector": "3120", "lon": 118.5, "lat": 31.7, "city": "340500"})
    assert response.status_code == 201, response.json
    assert response.json["site_id"] == "API-1" and response.json["sector"] == "3120"
    assert client.get("/api/v1/sites", headers=headers).json[0]["name"] == "接口厂"


def test_api_errors_name_the_field_and_store_nothing(client, db, bearer):
    _, headers = bearer
    response = client.post("/api/v1/sites", headers=headers, json={
        "site_id": "API-1", "name": "接口厂", "sector": "3120", "lon": 31.7, "lat": 118.5})
    assert response.status_code == 422
    assert "lon/lat" in response.json["errors"]["json"]
    response = client.post("/api/v1/sites", headers=headers, json={"name": "缺字段"})
    assert response.status_code == 422 and "site_id" in response.json["errors"]["json"]
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_bad_token_is_refused(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.is_json


def test_unknown_object_is_a_json_404(client, bearer):
    _, headers = bearer
    response = client.get("/api/v1/sites/999999", headers=headers)
    assert response.status_code == 404 and response.is_json


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/parks", "/api/v1/sites", "/api/v1/sites/{site_id}"} <= set(spec["paths"])
    assert "bearerAuth" in spec["components"]["securitySchemes"]
