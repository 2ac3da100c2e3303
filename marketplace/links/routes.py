"""My organisation's proposed links, one link's page with each side's answer, and match runs."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..errors import translated
from ..extensions import db
from ..forms_util import options
from ..labels import local_name
from ..models import LINK_STATUSES, Link, MatchRun, Park
from ..models.link import RUN_STEPS
from ..permissions import can, require
from ..services.matching import (DecisionRefused, alternatives_of, decide, fail_interrupted, lapses_on, links_of,
                                 side_of, start_run)
from ..services.parks import all_parks
from ..services.run_requests import RunRequestRefused, last_run, request_run as ask_for_run, run_status
from . import bp
from .forms import DecisionForm, RunForm
from .present import (ALTERNATIVE_REASON_LABELS, DECISION_LABELS, DROP_REASON_LABELS, LINK_STATUS_LABELS, SIDE_LABELS,
                      alternative_views, coupling_label, link_geojson, material_name, refusal_text, run_totals,
                      shown_totals, view_of)
from .queries import links_of_run, links_touching, preload, runs_of

# Statuses the list of my links can be narrowed to; superseded proposals are never listed.
LISTED_STATUSES = tuple(s for s in LINK_STATUSES if s != "superseded")
# A province run keeps five alternatives for each of thousands of offers; a page lists this many at most
# (the API and the command line give them all).
ALTERNATIVES_ON_A_PAGE = 500


@bp.context_processor
def link_labels():
    return {"link_status_label": lambda s: LINK_STATUS_LABELS.get(s, s),
            "decision_label": lambda d: DECISION_LABELS.get(d, d), "side_label": lambda s: SIDE_LABELS.get(s, s),
            "drop_reason_label": lambda r: DROP_REASON_LABELS.get(r, r), "material_name": material_name,
            "alternative_reason_label": lambda r: ALTERNATIVE_REASON_LABELS.get(r, r),
            "coupling_label": coupling_label, "link_lapses_on": lapses_on,
            "run_status_label": lambda s: RUN_STATUS_LABELS.get(s, s),
            "run_step_label": lambda s: RUN_STEP_LABELS.get(s or "", "")}


def _views(links):
    return [view_of(current_user, link) for link in links]


@bp.route("/")
@login_required
def mine():
    status = request.args.get("status", "")
    status = status if status in LISTED_STATUSES else ""
    organisation = current_user.organisation
    mine_ = preload(links_of(organisation)) if organisation is not None else []
    in_parks = [link for link in links_touching(current_user.managed_parks) if can(current_user, "link.view", link)]
    if status:
        mine_ = [link for link in mine_ if link.status == status]
        in_parks = [link for link in in_parks if link.status == status]
    # An organisation with no link yet is told when matching runs, and may ask its park's managers for a run.
    parks_runs = run_status(organisation) if organisation is not None and not mine_ and not status else []
    return render_template("links/mine.html", organisation=organisation, links=_views(mine_),
                           park_links=_views(in_parks), status=status, statuses=LISTED_STATUSES,
                           may_list_runs=can(current_user, "match_run.list"), parks_runs=parks_runs,
                           province_run=last_run(None) if organisation is not None and not mine_ else None)


@bp.route("/request-run", methods=["POST"])
@login_required
def request_run():
    """A plant asks the managers of one of its parks for a match run."""
    organisation = current_user.organisation
    if organisation is None:
        abort(403)
    park = db.session.scalar(select(Park).where(Park.code == request.form.get("park", "")))
    if park is None:  # the form's CSRF token is checked by CSRFProtect before this view
        abort(400)
    try:
        told = ask_for_run(organisation, park)
    except RunRequestRefused:
        abort(403)
    if told:
        flash(_("The managers of %(park)s were asked for a match run; you will see its proposals here.",
                park=local_name(park)), "success")
    else:
        flash(_("You have already asked the managers of %(park)s; they have not opened the request yet.",
                park=local_name(park)), "info")
    return redirect(url_for("links.mine"))


@bp.route("/<int:link_id>")
@login_required
def detail(link_id: int):
    link = db.get_or_404(Link, link_id)
    require(current_user, "link.view", link)
    return _detail_page(link)


def _detail_page(link: Link, *, errors: dict | None = None):
    view = view_of(current_user, link)
    # Who else could take this offer: the supplier's business (see present.may_see_alternatives).
    alternatives = alternative_views(current_user, alternatives_of(link.run, offer_ids=[link.offer_id]),
                                     whole_run=can(current_user, "match_run.detail", link.run))
    return render_template("links/detail.html", view=view, link=link, link_geojson=link_geojson(view),
                           alternatives=alternatives, decision_errors=errors or {},
                           may_view_run=can(current_user, "match_run.view", link.run)), \
        (400 if errors else 200)


@bp.route("/<int:link_id>/decision", methods=["POST"])
@login_required
def decision(link_id: int):
    link = db.get_or_404(Link, link_id)
    require(current_user, "link.decide", link)
    if side_of(link, current_user.organisation) is None:
        abort(403)  # an administrator from outside answers for neither side
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail_page(link, errors=form.errors)
    accept = form.decision.data == "accept"
    withdrawing = not accept and view_of(current_user, link).my_decision == "accepted"
    try:
        link = decide(link.id, organisation=current_user.organisation, accept=accept)
    except DecisionRefused as exc:
        flash(_("Your answer was not recorded: %(reason)s", reason=refusal_text(exc)), "danger")
    else:
        if link.status == "agreed":
            flash(_("Both sides accepted: the link is agreed and its tonnage reserved."), "success")
        elif link.status == "declined" and withdrawing:
            flash(_("You withdrew your acceptance: the link is declined."), "info")
        elif link.status == "declined":
            flash(_("You declined the link."), "info")
        else:
            flash(_("You accepted the link; it waits for the other side."), "success")
    if form.back.data == "mine":
        return redirect(url_for("links.mine", _anchor=f"link-{link.id}"))
    if form.back.data == "run" and can(current_user, "match_run.view", link.run):
        return redirect(url_for("links.run", run_id=link.run_id, _anchor=f"link-{link.id}"))
    return redirect(url_for("links.detail", link_id=link.id))


# ------------------------------------------------------------------------------------- match runs

def _runnable_parks() -> list[Park]:
    if can(current_user, "admin"):
        return all_parks()
    return [p for p in current_user.managed_parks if can(current_user, "match_run.start", p)]


def _run_form(parks: list[Park]) -> RunForm:
    form = RunForm()
    pairs = [(p.code, f"{local_name(p)} ({p.code})") for p in parks]
    if can(current_user, "match_run.start", None):
        pairs.insert(0, ("", _("The whole province")))
    form.park.choices = options(pairs)
    return form


@bp.route("/runs", methods=["GET", "POST"])
@login_required
def runs():
    require(current_user, "match_run.list")
    parks = _runnable_parks()
    form = _run_form(parks)
    if form.validate_on_submit():
        park = next((p for p in parks if p.code == form.park.data), None)
        require(current_user, "match_run.start", park)
        # Queued for the job executor: the page answers at once, the run's page shows its progress.
        run = start_run(user=current_user, park=park, latent=form.latent.data, execute="background")
        flash(_("Run %(id)d is queued; this page shows its progress.", id=run.id), "info")
        return redirect(url_for("links.run", run_id=run.id))
    listed = runs_of(None if can(current_user, "admin") else current_user.managed_parks)
    fail_interrupted(listed)
    status = 400 if form.errors else 200
    totals = {run.id: run_totals(current_user, run) for run in listed}
    return render_template("links/runs.html", form=form, runs=listed, totals=totals,
                           may_start=bool(form.park.choices)), status


# What a run is doing, as its page says it.
RUN_STATUS_LABELS = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"), "failed": _l("failed")}
RUN_STEP_LABELS = {"queued": _l("waiting for a worker"), "collect": _l("reading the listings"),
                   "match": _l("matching"), "store": _l("storing the links"), "done": _l("done")}


@bp.route("/runs/<int:run_id>/progress")
@login_required
def run_progress(run_id: int):
    """The run's status and step, for its page to poll while it is queued or running."""
    match_run = db.get_or_404(MatchRun, run_id)
    require(current_user, "match_run.view", match_run)
    fail_interrupted([match_run])
    return jsonify(status=match_run.status, status_label=str(RUN_STATUS_LABELS.get(match_run.status, "")),
                   step=match_run.step, step_label=str(RUN_STEP_LABELS.get(match_run.step or "", "")),
                   error=translated(match_run.failure) if match_run.error else None,
                   links=match_run.counts.get("links") if match_run.status == "done" else None,
                   url=url_for("links.run", run_id=match_run.id))


@bp.route("/runs/<int:run_id>")
@login_required
def run(run_id: int):
    match_run = db.get_or_404(MatchRun, run_id)
    links = links_of_run(match_run)  # loaded with their sites before the permission check walks them
    require(current_user, "match_run.view", match_run)
    fail_interrupted([match_run])
    everything = can(current_user, "match_run.detail", match_run)
    shown = links if everything else [link for link in links if can(current_user, "link.view", link)]
    if everything:
        rows = alternatives_of(match_run, limit=ALTERNATIVES_ON_A_PAGE + 1)
    else:  # the offers of the links this viewer sees, and only those whose supplier side it is on
        rows = alternatives_of(match_run, offer_ids=sorted({link.offer_id for link in shown}))
    alternatives = alternative_views(current_user, rows, whole_run=everything)
    views = _views(shown)
    # The run's totals as this viewer may see them (see present.shown_totals).
    counts = match_run.counts if can(current_user, "admin") else {**(match_run.counts or {}), **shown_totals(views)}
    return render_template("links/run.html", run=match_run, counts=counts, links=views, everything=everything,
                           total=len(links), alternatives=alternatives[:ALTERNATIVES_ON_A_PAGE],
                           more_alternatives=len(alternatives) > ALTERNATIVES_ON_A_PAGE, run_steps=RUN_STEPS)
