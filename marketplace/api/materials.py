"""Materials knowledge base: public reference data, readable without signing in."""
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..services.materials import (
    MATCH_KINDS, MAX_QUERY, MaterialQueryError, families, material_detail, search_materials,
)
from .schemas import QuerySchema

blp = Blueprint("api_materials", __name__, url_prefix="/api/v1/materials", description="Materials knowledge base")

# Reference knowledge, like the /materials pages: no sign-in, so no security requirement in the OpenAPI
# document (an empty list overrides the document-wide bearer/cookie requirement).
PUBLIC = {"security": []}


class MaterialQuerySchema(QuerySchema):
    q = fields.Str(load_default="", validate=validate.Length(max=MAX_QUERY),
                   metadata={"description": "name or synonym (zh or en), abbreviation, code, category (S02, HW31) "
                                            "or hazardous-waste code (900-052-31); fragments match too"})
    family = fields.Str(load_default=None, validate=validate.OneOf(families()))
    hazardous = fields.Bool(load_default=None)
    bulk = fields.Bool(load_default=None, metadata={"description": "counted as bulk industrial solid waste"})


class _MaterialFields(Schema):
    code = fields.Str(metadata={"description": "stable slug, e.g. coal-fly-ash"})
    name_zh = fields.Str()
    name_en = fields.Str()
    synonyms = fields.List(fields.Str(), metadata={"description": "other names in Chinese and English"})
    family = fields.Str()
    category = fields.Str(metadata={"description": "S01-S59, HW01-HW50, or ENERGY/GAS/WATER/ORGANIC/EOL"})
    parent = fields.Str(attribute="parent_code", allow_none=True)
    unit = fields.Str()
    hazardous = fields.Bool()
    hw_codes = fields.List(fields.Str())
    bulk = fields.Bool()
    receiver_licence = fields.Str(metadata={"description": "none, hw_permit, battery_cascade, battery_recycling "
                                                           "or battery_any"})


class MaterialHitSchema(_MaterialFields):
    """A search row: the material, plus how it matched the text."""

    quality_attributes = fields.List(fields.Str(), metadata={
        "description": "keys of its quality attributes, own then inherited from parents"})
    route_count = fields.Int(metadata={"description": "routes taking it, directly or through a parent"})
    match = fields.Str(allow_none=True, metadata={
        "description": f"how the row matched q: one of {', '.join(MATCH_KINDS)}; null without q"})


class QualityAttributeSchema(Schema):
    key = fields.Str()
    unit = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str()
    values = fields.List(fields.Str())
    inherited_from = fields.Str(allow_none=True)


class SourceSchema(Schema):
    ref = fields.Str(metadata={"description": "reference id (R08), standard number or URL"})
    what = fields.Str()
    title = fields.Str()
    url = fields.Str(allow_none=True)
    fields_ = fields.List(fields.Str(), data_key="fields", attribute="fields",
                          metadata={"description": "figures this source cites"})


class QualityLimitSchema(Schema):
    key = fields.Str()
    op = fields.Str(metadata={"description": "<=, >= or in"})
    value = fields.Raw(metadata={"description": "a number, or a list of allowed values for 'in'"})
    standard = fields.Str()


class ReplacesSchema(Schema):
    name_zh = fields.Str()
    name_en = fields.Str()
    price_cny = fields.Float()
    price_unit = fields.Str()
    price_source = fields.Str()


class RouteSchema(Schema):
    id = fields.Str()
    materials = fields.List(fields.Str(), attribute="material_codes")
    via = fields.Str(allow_none=True, metadata={"description": "the parent material the route is inherited from"})
    process_zh = fields.Str()
    process_en = fields.Str()
    coupling = fields.Str(allow_none=True)
    unit = fields.Str()
    user_sectors = fields.List(fields.Str(), metadata={"description": "GB/T 4754-2017 codes"})
    replaces = fields.Nested(ReplacesSchema)
    replacement_ratio = fields.Float(allow_none=True)
    quality_limits = fields.List(fields.Nested(QualityLimitSchema))
    transport_km = fields.Dict(keys=fields.Str(), values=fields.Float(),
                               metadata={"description": "economic radius by mode: road, rail, barge, pipeline"})
    co2_avoided_t_per_unit = fields.Float(allow_none=True)
    typical_price_cny_per_unit = fields.Float(allow_none=True, metadata={
        "description": "what the receiver pays; negative = a gate fee the supplier pays"})
    supplier_disposal_cost_cny_per_unit = fields.Float(allow_none=True)
    receiver_licence = fields.Str()
    sources = fields.List(fields.Nested(SourceSchema))
    estimate = fields.List(fields.Str(), metadata={"description": "figures that are the project's estimates"})
    notes = fields.Str()


class MaterialDetailSchema(_MaterialFields):
    quality_attributes = fields.List(fields.Nested(QualityAttributeSchema),
                                     metadata={"description": "own attributes, then those inherited from parents"})
    sources = fields.List(fields.Nested(SourceSchema))
    children = fields.List(fields.Str())
    routes = fields.List(fields.Nested(RouteSchema))


def _material_fields(material) -> dict:
    names = ("code", "name_zh", "name_en", "synonyms", "family", "category", "parent_code", "unit", "hazardous",
             "hw_codes", "bulk", "receiver_licence")
    return {name: getattr(material, name) for name in names}


@blp.route("")
class Materials(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(MaterialQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, MaterialHitSchema(many=True))
    def get(self, q, family, hazardous, bulk):
        """Search materials; an exact name or code comes first, unknown text returns suggestions."""
        try:
            result = search_materials(q, family=family, hazardous=hazardous, bulk=bulk)
        except MaterialQueryError as exc:
            abort(422, errors={"query": {exc.field: [exc.message]}})
        return [{**_material_fields(hit.material), "route_count": hit.route_count, "match": hit.match,
                 "quality_attributes": list(hit.attribute_keys)} for hit in result.hits]


@blp.route("/<code>")
class MaterialResource(MethodView):
    @blp.doc(**PUBLIC)
    @blp.response(200, MaterialDetailSchema)
    def get(self, code: str):
        """One material by code, with quality attributes, sources and the routes that take it."""
        detail = material_detail(code)
        if detail is None:
            abort(404, message=gettext("material: unknown code %(code)r", code=code))
        return {
            **_material_fields(detail.material),
            "quality_attributes": detail.attributes,
            "sources": detail.sources,
            "children": [child.code for child in detail.children],
            "routes": detail.routes,
        }
