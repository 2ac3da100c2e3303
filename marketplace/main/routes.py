"""Home page and language switch."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for

from ..config import LOCALES
from ..services.overview import marketplace_overview
from . import bp


@bp.route("/")
def home():
    return render_template("main/home.html", overview=marketplace_overview())


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LOCALES:
        session["lang"] = code
    back = request.referrer
    # Only return to a page of this site.
    if back and urlsplit(back).netloc == request.host:
        return redirect(back)
    return redirect(url_for("main.home"))
