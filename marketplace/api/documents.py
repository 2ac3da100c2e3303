"""Schemas that describe answers built elsewhere: the GeoJSON of the network and park boundaries, the
indicators, and links as the link pages build them.

These answers are assembled by services (``services.network_view``, ``services.indicators``,
``links.present``) in their documented shape. The schemas here put that shape in the OpenAPI document;
they never filter: :class:`Described` sends the view's data out as it is, so a field a service adds is
not dropped silently (tests/marketplace/test_api_fuzz.py checks every answer against its schema).
"""
from __future__ import annotations

from marshmallow import Schema, fields


class Described(Schema):
    """A schema for the OpenAPI document only: ``dump`` returns the data unchanged."""

    def dump(self, obj, *, many=None):
        return obj


QUANTITIES = {"description": "a quantity a year per unit family (t, GJ, MWh, Nm3, m3); units are never added",
              "example": {"t": 12000.0, "Nm3": 370000000.0}}


# GeoJSON (RFC 7946), coordinates in WGS 84 longitude, latitude.
class GeometrySchema(Described):
    type = fields.Str(required=True, metadata={"enum": ["Point", "LineString", "Polygon", "MultiPolygon"]})
    coordinates = fields.List(fields.Raw(), required=True, metadata={
        "description": "Point: [lon, lat]; LineString: [[lon, lat], …] from supplier to receiver; Polygon and "
                       "MultiPolygon: rings of [lon, lat] (WGS 84)"})


class NetworkPropertiesSchema(Described):
    pk = fields.Int(required=True, metadata={"description": "the site's or the link's id"})
    kind = fields.Str(required=True, metadata={"enum": ["site", "link"]})
    # Sites
    sector = fields.Str(metadata={"description": "site: main sector, GB/T 4754 code"})
    park = fields.Str(allow_none=True, metadata={"description": "site: its park's code"})
    park_id = fields.Int(allow_none=True)
    revealed = fields.Bool(metadata={"description": "site: false when the viewer may not see who it is; then its "
                                                    "names are null and its point is on the 0.05° grid"})
    site_id = fields.Str(allow_none=True, metadata={"description": "site: the organisation's own reference"})
    name = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    organisation = fields.Str(allow_none=True)
    # Links
    supplier = fields.Int(metadata={"description": "link: the supplier site's id (pk of a site feature)"})
    receiver = fields.Int(metadata={"description": "link: the receiver site's id"})
    supplier_sector = fields.Str(allow_none=True)
    receiver_sector = fields.Str(allow_none=True)
    material_code = fields.Str(metadata={"description": "link: the material's code (or an unclassified name)"})
    material_family = fields.Str(allow_none=True, metadata={"description": "link: the material's family, for "
                                                                          "colours"})
    material_name = fields.Str(allow_none=True)
    material_name_en = fields.Str(allow_none=True)
    quantity = fields.Float(metadata={"description": "link: a year, in unit"})
    unit = fields.Str(metadata={"description": "link: t, GJ, MWh, Nm3 or m3"})
    status = fields.Str(metadata={"enum": ["proposed", "agreed", "active"]})
    coupling = fields.Str(allow_none=True, metadata={"description": "link: the industrial coupling it belongs to"})
    latent = fields.Bool(metadata={"description": "link: the receiver posted no want (its sector uses the material)"})
    same_park = fields.Bool()
    net_benefit_cny = fields.Float(metadata={"description": "link: net benefit a year, CNY"})
    co2_avoided_t = fields.Float(allow_none=True)
    distance_km = fields.Float(allow_none=True, metadata={"description": "link: straight-line distance; rounded to "
                                                                       "5 km when a side is hidden"})
    explanation_zh = fields.Str(allow_none=True)
    explanation_en = fields.Str(allow_none=True)


class NetworkFeatureSchema(Described):
    type = fields.Str(required=True, metadata={"enum": ["Feature"]})
    id = fields.Str(metadata={"description": "site-<id> or link-<id>"})
    geometry = fields.Nested(GeometrySchema, required=True)
    properties = fields.Nested(NetworkPropertiesSchema, required=True)


class CascadeSchema(Described):
    sites = fields.List(fields.Int(), metadata={"description": "site ids, in order along the chain"})
    materials = fields.List(fields.Str(), metadata={"description": "one material code per step"})
    links = fields.List(fields.List(fields.Int()), metadata={"description": "the link ids of each step"})
    status = fields.Str(metadata={"enum": ["agreed", "proposed"]})


class NetworkScopeSchema(Described):
    park = fields.Str(allow_none=True, metadata={"description": "the park's code; null for the province"})
    park_id = fields.Int(allow_none=True)
    scope = fields.Str(metadata={"description": "what the viewer sees: all, managed (its parks) or party (its own "
                                                "links)"})


class NetworkSchema(Described):
    type = fields.Str(required=True, metadata={"enum": ["FeatureCollection"]})
    properties = fields.Nested(NetworkScopeSchema)
    features = fields.List(fields.Nested(NetworkFeatureSchema), required=True,
                           metadata={"description": "sites (points) first, then links (lines)"})
    cascades = fields.List(fields.Nested(CascadeSchema), metadata={
        "description": "chains A → B → C among the links, longest first (a foreign member, RFC 7946 6.1)"})


class BoundaryPropertiesSchema(Described):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str(allow_none=True)
    level = fields.Str(allow_none=True, metadata={"description": "the park's level (national, provincial, other)"})
    managed = fields.Bool(metadata={"description": "the caller manages this park"})
    note = fields.Str(allow_none=True, metadata={"description": "where the boundary comes from (approximate ones "
                                                               "say so)"})


class BoundaryFeatureSchema(Described):
    type = fields.Str(required=True, metadata={"enum": ["Feature"]})
    geometry = fields.Nested(GeometrySchema, required=True)
    properties = fields.Nested(BoundaryPropertiesSchema, required=True)


class BoundarySchema(Described):
    type = fields.Str(required=True, metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(BoundaryFeatureSchema), required=True,
                           metadata={"description": "the park's outline; empty when it has none"})


# Indicators (services.indicators): tonnes a year unless a unit is named.
class SankeyFlowSchema(Described):
    source = fields.Str(metadata={"description": "supplier sector (GB/T 4754)"})
    target = fields.Str(metadata={"description": "receiver sector"})
    unit = fields.Str()
    quantity = fields.Float()
    materials = fields.List(fields.Str())


class KeystoneSchema(Described):
    site_id = fields.Int()
    name = fields.Str(allow_none=True, metadata={"description": "null when the viewer may not see who it is"})
    sector = fields.Str()
    unit = fields.Str()
    share = fields.Float(metadata={"description": "share of the family's flow (sent plus taken), 0–1"})
    links = fields.Int()
    name_en = fields.Str(allow_none=True, metadata={"description": "the English name where the site has one"})


class FlowFamilySchema(Described):
    unit = fields.Str(metadata={"description": "t, GJ, MWh, Nm3 or m3"})
    links = fields.Int()
    agreed = fields.Float(metadata={"description": "agreed and active links, a year"})
    proposed = fields.Float()
    cross_park = fields.Float()
    basis = fields.Str(metadata={"enum": ["agreed", "proposed"],
                                 "description": "what the Sankey and keystones read"})
    sankey = fields.List(fields.Nested(SankeyFlowSchema))
    keystones = fields.List(fields.Nested(KeystoneSchema))
    agreed_links = fields.Int(metadata={"description": "how many of the links are agreed or active"})


class IndicatorsSchema(Described):
    park = fields.Str(allow_none=True, metadata={"description": "the park's code; null for the province"})
    year = fields.Int(allow_none=True, metadata={
        "description": "the reporting year (links agreed by its end); null: today's network, proposals included"})
    generated_t = fields.Float(metadata={"description": "bulk solid waste offered (an estimate: what is listed)"})
    utilised_t = fields.Float(metadata={"description": "agreed and active links out of those offers"})
    stored_or_disposed_t = fields.Float(metadata={"description": "generated − utilised (an estimate)"})
    proposed_t = fields.Float(metadata={"description": "proposed, not yet agreed"})
    utilisation_rate_pct = fields.Float(allow_none=True, metadata={
        "description": "utilised ÷ (generated + prior-year stock utilised) × 100; null when nothing is generated"})
    target_pct = fields.Float(metadata={"description": "the province's target rate"})
    potential_rate_pct = fields.Float(allow_none=True, metadata={
        "description": "the rate if every open proposal were agreed"})
    in_park_closure_pct = fields.Float(allow_none=True)
    cross_park_links = fields.Int()
    cross_park_t = fields.Float()
    co2_avoided_t = fields.Float()
    net_benefit_cny = fields.Float(metadata={"description": "net benefit a year of the agreed and active links "
                                                            "(an estimate)"})
    couplings = fields.Dict(keys=fields.Str(), values=fields.Int(), metadata={
        "description": "links per industrial coupling"})
    families = fields.List(fields.Nested(FlowFamilySchema), metadata={
        "description": "every unit family's own flows; no figure adds two units"})
    estimates = fields.List(fields.Str(), metadata={"description": "the names of the figures that are estimates"})
    meets_target = fields.Bool()
    prior_year_stock_utilised_t = fields.Float(metadata={"description": "always 0: the marketplace knows no stocks"})


# Links as links.present.link_payload builds them (PRODUCT.md section 5).
class LinkSideSchema(Described):
    site_id = fields.Str(allow_none=True, metadata={"description": "the site's id as given at import (null: "
                                                                  "anonymous)"})
    site_name = fields.Str(allow_none=True, metadata={"description": "null when the side is anonymous to you"})
    organisation = fields.Str(allow_none=True)
    listing_id = fields.Int(allow_none=True, metadata={"description": "the offer or want; null for a latent "
                                                                     "receiver"})
    anonymous = fields.Bool(metadata={"description": "true when the side's names are hidden from you"})
    material_code = fields.Str(metadata={"description": "offer side: the material code"})
    material_codes = fields.List(fields.Str(), metadata={"description": "want side: the materials it accepts"})


class LinkSchema(Described):
    id = fields.Int()
    run_id = fields.Int(metadata={"description": "the match run that proposed it"})
    offer = fields.Nested(LinkSideSchema)
    want = fields.Nested(LinkSideSchema, metadata={"description": "a posted want (absent for a latent receiver)"})
    receiver = fields.Nested(LinkSideSchema, metadata={"description": "a latent receiver (absent for a posted "
                                                                      "want)"})
    route = fields.Str(allow_none=True, metadata={"description": "utilisation route; null: matched by name only"})
    quantity = fields.Float(metadata={"description": "a year, in unit"})
    unit = fields.Str()
    distance_km = fields.Float(metadata={"description": "straight-line; rounded to 5 km when a side is hidden"})
    transport_cost_cny = fields.Float()
    net_benefit_cny = fields.Float(metadata={"description": "net benefit a year, CNY"})
    co2_avoided_t = fields.Float(allow_none=True)
    score = fields.Float()
    same_park = fields.Bool()
    coupling = fields.Str(allow_none=True)
    latent = fields.Bool()
    status = fields.Str(metadata={"enum": ["proposed", "agreed", "active", "declined", "superseded"]})
    explanation = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata={
        "description": "why it was proposed, {zh, en}, naming only the sides you may see"})
    supplier_decision = fields.Str(allow_none=True, metadata={"description": "accepted or declined; null: not "
                                                                             "answered yet"})
    receiver_decision = fields.Str(allow_none=True)
    your_side = fields.Str(allow_none=True, metadata={"description": "supplier, receiver, both, or null"})
    your_answers = fields.List(fields.Str(), metadata={"description": "the answers open to you now: accept and/or "
                                                                      "decline"})
