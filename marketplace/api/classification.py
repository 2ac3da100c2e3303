"""Classification queue: unclassified material names, and classifying one (administrators only)."""
from flask.views import MethodView
from flask_login import current_user
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from matching.knowledge.unclassified import is_unclassified, unclassified_code

from ..errors import translated
from ..services.errors import FieldError, message_of
from ..services.vocabulary import classification_queue, classify_name
from .auth import api_login_required, api_require

blp = Blueprint("api_classification", __name__, url_prefix="/api/v1/classification",
                description="Material names not in the knowledge base yet, and their classification")


class QueueEntrySchema(Schema):
    name_code = fields.Str(metadata={"description": "the name's pseudo-code, name:<normalised name>"})
    written = fields.Str(metadata={"description": "the spelling most listings use"})
    spellings = fields.List(fields.Str())
    listings = fields.Int(metadata={"description": "how many listings use the name"})
    offers = fields.Int()
    wants = fields.Int()
    suggestions = fields.List(fields.Str(), metadata={"description": "closest material codes"})


class ClassifySchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=320), metadata={
        "description": "the name as written, or its pseudo-code name:<…>"})
    material = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "the material to classify it as: a code or any name the knowledge base knows"})


class ClassifiedSchema(Schema):
    name_code = fields.Str()
    material_code = fields.Str()
    listings = fields.Int(metadata={"description": "listings that now have the material"})


@blp.route("")
class ClassificationQueue(MethodView):
    decorators = [api_login_required]

    @blp.response(200, QueueEntrySchema(many=True))
    def get(self):
        """Unclassified names, the most used first, with the closest materials."""
        api_require("admin")
        return classification_queue()

    @blp.arguments(ClassifySchema)
    @blp.response(200, ClassifiedSchema)
    def post(self, payload):
        """Classify a name: every listing using it gets the material, and the name becomes a learned synonym."""
        api_require("admin")
        name = payload["name"].strip()
        try:
            name_code = name if is_unclassified(name) else unclassified_code(name)
            count = classify_name(name_code, payload["material"], user=current_user)
        except ValueError as exc:  # FieldError, or a name without letters
            field = exc.field if isinstance(exc, FieldError) else "name"
            message = translated(exc.message if isinstance(exc, FieldError) else message_of(exc))
            abort(422, message=gettext("%(field)s: %(message)s", field=field, message=message),
                  errors={"json": {field: [message]}})
        from ..models import LearnedSynonym
        from ..extensions import db

        return {"name_code": name_code, "material_code": db.session.get(LearnedSynonym, name_code).material_code,
                "listings": count}
