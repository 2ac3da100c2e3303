"""The links table, for CSV and XLSX downloads: both sides, numbers and explanations."""
from __future__ import annotations

from ..services.spreadsheets import csv_bytes, xlsx_bytes

COLUMNS = ("link_id", "status", "material_code", "material_family", "quantity", "unit",
           "supplier_site_id", "supplier_name", "supplier_sector", "supplier_park",
           "receiver_site_id", "receiver_name", "receiver_sector", "receiver_park",
           "distance_km", "net_benefit_cny", "co2_avoided_t", "coupling", "latent", "same_park",
           "explanation_zh", "explanation_en")


def link_rows(collection: dict) -> list[dict]:
    """One row per link of a network FeatureCollection, its ends looked up among the site features.

    Examples
    --------
    >>> link_rows({"features": []})
    []
    """
    sites = {f["properties"]["pk"]: f["properties"] for f in collection["features"]
             if f["properties"]["kind"] == "site"}
    rows = []
    for feature in collection["features"]:
        p = feature["properties"]
        if p["kind"] != "link":
            continue
        supplier, receiver = sites[p["supplier"]], sites[p["receiver"]]
        rows.append({
            "link_id": p["pk"], "status": p["status"], "material_code": p["material_code"],
            "material_family": p["material_family"], "quantity": p["quantity"], "unit": p["unit"],
            "supplier_site_id": supplier["site_id"], "supplier_name": supplier["name"],
            "supplier_sector": supplier["sector"], "supplier_park": supplier["park"],
            "receiver_site_id": receiver["site_id"], "receiver_name": receiver["name"],
            "receiver_sector": receiver["sector"], "receiver_park": receiver["park"],
            "distance_km": p["distance_km"], "net_benefit_cny": p["net_benefit_cny"],
            "co2_avoided_t": p["co2_avoided_t"], "coupling": p["coupling"], "latent": p["latent"],
            "same_park": p["same_park"], "explanation_zh": p["explanation_zh"], "explanation_en": p["explanation_en"]})
    return rows


def to_csv(rows: list[dict]) -> bytes:
    return csv_bytes(COLUMNS, rows)


def to_xlsx(rows: list[dict]) -> bytes:
    return xlsx_bytes({"links": (COLUMNS, rows)})
