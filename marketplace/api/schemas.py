"""Marshmallow schemas of the API's resources."""
from marshmallow import Schema, fields


class OrganisationSchema(Schema):
    id = fields.Int()
    name_zh = fields.Str()
    name_en = fields.Str(allow_none=True)
    credit_code = fields.Str(allow_none=True)
    verified = fields.Bool()


class MeSchema(Schema):
    id = fields.Int()
    email = fields.Str()
    roles = fields.Method("sorted_roles")
    organisation = fields.Nested(OrganisationSchema, allow_none=True)
    managed_parks = fields.Method("park_codes")

    def sorted_roles(self, user):
        return sorted(user.roles)

    def park_codes(self, user):
        return sorted(p.code for p in user.managed_parks)


class SiteSchema(Schema):
    id = fields.Int(dump_only=True)
    site_id = fields.Str(attribute="external_ref", metadata={"description": "the organisation's own reference"})
    name = fields.Str(attribute="name_zh")
    name_en = fields.Str(allow_none=True)
    sector = fields.Str(attribute="sector_code")
    city = fields.Str(attribute="city_code")
    park = fields.Function(lambda site: site.park.code if site.park else None)
    lon = fields.Float()
    lat = fields.Float()
    organisation = fields.Function(lambda site: site.organisation.name_zh)


class SiteInSchema(Schema):
    site_id = fields.Str(required=True)
    name = fields.Str(required=True)
    name_en = fields.Str(load_default=None)
    sector = fields.Str(required=True, metadata={"description": "GB/T 4754 code or sector name"})
    lon = fields.Raw(required=True)
    lat = fields.Raw(required=True)
    crs = fields.Str(load_default="WGS84", metadata={"description": "WGS84, GCJ02 or CGCS2000"})
    city = fields.Str(load_default=None)
    park = fields.Str(load_default=None)


class ParkSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str(allow_none=True)
    level = fields.Str()
    kind = fields.Str(allow_none=True)
    city_code = fields.Str(allow_none=True)
    has_boundary = fields.Function(lambda park: park.boundary is not None)
