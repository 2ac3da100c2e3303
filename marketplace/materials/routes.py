"""Materials knowledge base: public reference pages, no sign-in needed."""
from flask import abort, render_template, request

from ..errors import translated
from ..services.materials import MaterialQueryError, material_detail, search_materials
from . import bp
from .forms import MaterialSearchForm, flag
from .labels import labels


@bp.context_processor
def knowledge_labels():
    return {"kb_labels": labels()}


@bp.route("/")
def index():
    form = MaterialSearchForm(formdata=request.args)
    if not form.validate():
        return render_template("materials/index.html", form=form, result=None), 400
    try:
        result = search_materials(form.q.data or "", family=form.family.data or None,
                                  hazardous=flag(form.hazardous.data), bulk=flag(form.bulk.data))
    except MaterialQueryError as exc:
        form[exc.field].errors = [translated(exc.message)]
        return render_template("materials/index.html", form=form, result=None), 400
    return render_template("materials/index.html", form=form, result=result)


@bp.route("/<code>")
def detail(code: str):
    found = material_detail(code)
    if found is None:
        abort(404)
    return render_template("materials/detail.html", detail=found)
