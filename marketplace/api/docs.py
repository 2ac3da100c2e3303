"""The API's documentation page: Swagger UI (npm ``swagger-ui-dist``) reading the OpenAPI document.

A page, not an API operation: it is left out of the OpenAPI document, and it speaks the language the
user chose on the site (not the browser's Accept-Language, which only API answers follow).
"""
from flask import Blueprint, render_template, url_for

bp = Blueprint("api_docs", __name__)


@bp.route("/api/v1/docs")
def page():
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
