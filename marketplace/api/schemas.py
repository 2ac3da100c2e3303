"""Marshmallow schemas of the API's resources."""
from marshmallow import Schema, fields, pre_load

from ..errors import translated
from ..services.timestamps import utc_iso


class TranslatedStr(fields.Str):
    """A message (:class:`geo.messages.Message`) in the language of the request; plain text as it is."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else super()._serialize(translated(value), attr, obj, **kwargs)


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
    sector = fields.Str(attribute="sector_code", metadata={"description": "the main sector's GB/T 4754 code "
                                                                          "('' when none could be read)"})
    sectors = fields.Function(lambda site: list(site.sector_codes),
                              metadata={"description": "every sector's code, the main one first"})
    sector_written = fields.Str(allow_none=True, metadata={"description": "the sector as written"})
    sector_to_confirm = fields.Bool(metadata={"description": "the reading is a guess the owner should confirm"})
    sector_notes = fields.List(TranslatedStr(), attribute="sector_messages", metadata={
        "description": "why the reading is doubtful, in the language of the request (Accept-Language: zh or en)"})
    transport_access = fields.List(fields.Str(), metadata={"description": "rail, quay, pipeline"})
    city = fields.Str(attribute="city_code")
    park = fields.Function(lambda site: site.park.code if site.park else None)
    lon = fields.Float()
    lat = fields.Float()
    organisation = fields.Function(lambda site: site.organisation.name_zh)


class SiteInSchema(Schema):
    site_id = fields.Str(required=True)
    name = fields.Str(required=True)
    name_en = fields.Str(load_default=None)
    sector = fields.Str(required=True, metadata={
        "description": "GB/T 4754 code, code and name, official or trade name (zh/en); several separated by |, "
                       "the main one first. Never refused: a doubtful reading is stored and marked to confirm"})
    transport_access = fields.Raw(load_default=None, metadata={
        "description": "rail, quay, pipeline (or the words plants use: 铁路, 码头, port, pipe rack …; road is "
                       "assumed): a comma-separated string or a list; a word naming none of them is refused"})
    lon = fields.Raw(required=True)
    lat = fields.Raw(required=True)
    crs = fields.Str(load_default="WGS84", metadata={"description": "WGS84, GCJ02, BD09 or CGCS2000"})
    city = fields.Str(load_default=None)
    park = fields.Str(load_default=None)


class SiteSectorsInSchema(Schema):
    sector = fields.Str(load_default=None, metadata={
        "description": "new sectors (codes or names, | between several); omit to confirm the reading as it is"})


class ParkSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str(allow_none=True)
    level = fields.Str()
    kind = fields.Str(allow_none=True)
    city_code = fields.Str(allow_none=True)
    has_boundary = fields.Function(lambda park: park.boundary is not None)


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) time written with its zone: ``2026-12-04T08:30:00Z``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_iso(value)


class QuerySchema(Schema):
    """Query-string arguments. A query string cannot say null: an empty value of an argument the document
    marks nullable (``load_default=None``) means "not given", as null would in a JSON body."""

    @pre_load
    def _empty_means_not_given(self, data, **kwargs):
        nullable = {name for name, field in self.fields.items() if field.allow_none}
        return {name: data[name] for name in data if not (name in nullable and data[name] in ("", [""]))}
