"""The maps' base layer: Anhui's outline, prefectures and counties served by the app as GeoJSON."""
from __future__ import annotations

import shapely
from shapely.geometry import shape

from geo.boundaries import boundary
from geo.divisions import divisions_in, load_divisions


def test_prefectures_are_served_simplified_with_names_in_the_pages_language(client, auth, make_user):
    auth.login(make_user("plant"))
    client.get("/lang/zh")
    response = client.get("/network/boundaries/prefecture.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "max-age=86400" in response.headers["Cache-Control"]
    collection = response.get_json()
    features = {f["properties"]["code"]: f for f in collection["features"]}
    expected = {d.code: d for d in divisions_in("340000")}
    assert set(features) == set(expected)
    assert {f["properties"]["name"] for f in features.values()} == {d.name_zh for d in expected.values()}
    assert collection["properties"]["crs"] == "WGS84"
    # Small enough for a phone, close enough to the real outline: each within 3 % of its area.
    assert len(response.data) < 400_000
    for code, feature in features.items():
        served = shape(feature["geometry"])
        real = boundary(code).geometry
        assert served.is_valid and abs(served.area - real.area) < 0.03 * real.area
        # The label sits inside its own division.
        assert served.buffer(0.01).contains(shapely.Point(feature["properties"]["label_at"]))

    client.get("/lang/en")
    english = client.get("/network/boundaries/prefecture.geojson").get_json()
    names = {f["properties"]["code"]: f["properties"]["name"] for f in english["features"]}
    assert names["340100"] == "Hefei" and names["340500"] == load_divisions()["340500"].name_en


def test_province_outline_and_counties(client, auth, make_user):
    auth.login(make_user("park_manager"))
    province = client.get("/network/boundaries/province.geojson").get_json()
    assert [f["properties"]["code"] for f in province["features"]] == ["340000"]
    west, south, east, north = shape(province["features"][0]["geometry"]).bounds
    assert 114.8 < west < 115.0 and 29.3 < south < 29.5 and 119.5 < east < 119.7 and 34.5 < north < 34.7
    counties = client.get("/network/boundaries/county.geojson").get_json()
    anhui_counties = {d.code for d in load_divisions().values() if d.level == "county" and d.code.startswith("34")}
    assert {f["properties"]["code"] for f in counties["features"]} == anhui_counties
    assert all(f["properties"]["parent_code"][:2] == "34" for f in counties["features"])


def test_browsers_get_the_layer_compressed(client, auth, make_user):
    import gzip
    import json

    auth.login(make_user("plant"))
    plain = client.get("/network/boundaries/county.geojson")
    packed = client.get("/network/boundaries/county.geojson", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert packed.headers["ETag"] != plain.headers["ETag"]


def test_a_repeated_request_is_answered_not_modified(client, auth, make_user):
    auth.login(make_user("plant"))
    first = client.get("/network/boundaries/province.geojson")
    again = client.get("/network/boundaries/province.geojson", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_unknown_level_is_not_found_and_anonymous_users_sign_in_first(client, auth, make_user):
    assert client.get("/network/boundaries/prefecture.geojson").status_code == 302
    auth.login(make_user("plant"))
    assert client.get("/network/boundaries/township.geojson").status_code == 404
