"""Match runs and the links they propose: start a run, read it, answer a link.

Who sees a run: administrators and managers of the run's park see all of it; anyone else who may see
at least one of its links (a party, or a manager of a park one of its sides is in) sees the run with
those links only; everyone else gets 403. Names of anonymous sides are left out as on the pages
(see marketplace/links/present.py). A run's ``alternatives`` (who else could take each offer) are the
supplier's business: listed for offers whose supplier site the caller may see, or all of them to those
who see the whole run.
"""
from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select

from ..extensions import db
from ..links.present import refusal_text
from ..links.present import (alternative_payload, alternative_views, link_payload, shown_totals, view_of,
                             visible_sites)
from ..links.queries import links_of_run, preload
from ..models import Link, MatchRun, Park
from ..permissions import can
from ..services.matching import (DecisionRefused, alternatives_of, decide, fail_interrupted, links_of, run_json,
                                 side_of, start_run)
from .auth import api_login_required, api_require
from .documents import LinkSchema

blp = Blueprint("api_match_runs", __name__, url_prefix="/api/v1",
                description="Match runs, the links they propose, and each side's answer")


def _strict_bool(value) -> None:
    # marshmallow's Boolean also takes "yes", 1 or "off"; a JSON API should get true or false.
    if not isinstance(value, bool):
        raise ValidationError("must be true or false")


class RunInSchema(Schema):
    park = fields.Str(load_default=None, allow_none=True,
                      metadata={"description": "a park's code, or null for the whole province (administrators)"})
    latent = fields.Raw(load_default=False, validate=_strict_bool,
                        metadata={"description": "also propose sites that use the material but posted no want"})


class DecisionInSchema(Schema):
    accept = fields.Raw(required=True, validate=_strict_bool, metadata={"description": "true accepts, false declines"})


def _unprocessable(field: str, message: str):
    abort(422, message=message, errors={"json": {field: [message]}})


def _run_payload(run: MatchRun, links: list[Link]) -> dict:
    data = run_json(run, alternatives=False)
    complete = can(current_user, "match_run.detail", run)
    visible = links if complete else [link for link in links if can(current_user, "link.view", link)]
    views = [view_of(current_user, link) for link in visible]
    data["links"] = [link_payload(view) for view in views]
    if not can(current_user, "admin"):
        data["run"]["counts"] = {**(data["run"].get("counts") or {}), **shown_totals(views)}
    # Only the offers whose supplier site the caller may see are read (a province run has tens of thousands).
    rows = alternatives_of(run) if complete else alternatives_of(run, supplier_sites=visible_sites(current_user))
    data["alternatives"] = [alternative_payload(view) for view in
                            alternative_views(current_user, rows, whole_run=complete)]
    data["run"] |= {"park": run.park.code if run.park else None, "latent": run.latent, "complete": complete,
                    "url": url_for("api_match_runs.MatchRunResource", run_id=run.id, _external=True)}
    return data


class SideSchema(Schema):
    site_id = fields.Str(allow_none=True,
                         metadata={"description": "the site's id as given at import (null: anonymous)"})
    site_name = fields.Str(allow_none=True, metadata={"description": "null when the side is anonymous to you"})
    organisation = fields.Str(allow_none=True)
    listing_id = fields.Int(allow_none=True, metadata={"description": "the offer or want; null for a latent receiver"})
    anonymous = fields.Bool(metadata={"description": "true when the side's names are hidden from you"})
    material_code = fields.Str(metadata={"description": "offer side: the material code (or an unclassified "
                                                        "stream's name: pseudo-code)"})
    material_codes = fields.List(fields.Str(), metadata={"description": "want side: the materials it accepts"})


class AlternativeSchema(Schema):
    offer = fields.Nested(SideSchema)
    want = fields.Nested(SideSchema, metadata={"description": "a posted want (absent for a latent receiver)"})
    receiver = fields.Nested(SideSchema, metadata={"description": "a latent receiver (absent for a posted want)"})
    route = fields.Str(allow_none=True, metadata={"description": "utilisation route; null: matched by name only"})
    mode = fields.Str(allow_none=True, metadata={"description": "road, rail, barge or pipeline"})
    rank = fields.Int(metadata={"description": "place (1 = best) among all the offer's feasible receivers by score, "
                                               "the allocated ones included"})
    feasible_receivers = fields.Int(metadata={"description": "how many feasible receivers the offer had"})
    score = fields.Float()
    quantity = fields.Float(metadata={"description": "what it could take a year: the offer's open quantity capped "
                                                     "by its own open quantity (or permit)"})
    unit = fields.Str()
    net_benefit_cny = fields.Float(metadata={"description": "net benefit a year for that quantity"})
    net_benefit_cny_per_unit = fields.Float()
    distance_km = fields.Float(metadata={"description": "straight-line distance"})
    latent = fields.Bool(metadata={"description": "a site whose sector uses the material, no want posted"})
    reason = fields.Str(metadata={"description": "why it got none: capacity_taken (its open quantity went to other "
                                                 "offers), lower_score (the offer went to receivers ranked above "
                                                 "it), posted_first (a latent receiver; posted wants came first), "
                                                 "cut_by_k (ranked beyond what the allocation weighed)"})


class RunOutSchema(Schema):
    run = fields.Dict(metadata={"description": "id, url, created_at, parameters, timings, counts, park, latent, "
                                               "complete, and its job state: status (queued, running, done, "
                                               "failed), step (queued, collect, match, store, done), error (why it "
                                               "failed), started_at, finished_at"})
    links = fields.List(fields.Dict(), metadata={"description": "the proposed links you may see"})
    alternatives = fields.List(fields.Nested(AlternativeSchema), metadata={
        "description": "per offer you may see, the best receivers that got none of it (up to five), best first"})


@blp.route("/match-runs")
class MatchRuns(MethodView):
    decorators = [api_login_required]

    @blp.arguments(RunInSchema)
    @blp.response(202, RunOutSchema, description="The run, queued: its URL is in `Location` and `run.url`; "
                                                 "read it there until `run.status` is done (with its links) or "
                                                 "failed (with `run.error`, nothing stored)")
    def post(self, payload):
        """Start a run of the matcher (park managers for one of their parks, administrators for any park or the
        province). It runs in the background: the answer comes at once, with the queued run."""
        park = None
        if payload["park"]:
            park = db.session.scalar(select(Park).where(Park.code == payload["park"].strip()))
            if park is None:
                _unprocessable("park", gettext("no park with the code %(code)r", code=payload["park"]))
        api_require("match_run.start", park)
        run = start_run(user=current_user, park=park, latent=payload["latent"], execute="background")
        data = _run_payload(run, [])
        return data, 202, {"Location": data["run"]["url"]}


@blp.route("/match-runs/<int:run_id>")
class MatchRunResource(MethodView):
    decorators = [api_login_required]

    @blp.response(200, RunOutSchema, description="The run; `run.complete` is false when only your links are listed")
    def get(self, run_id: int):
        """A run with its parameters, timings, counts and the links you may see."""
        run = db.get_or_404(MatchRun, run_id)
        links = links_of_run(run)  # loaded with their sites before the permission check walks them
        api_require("match_run.view", run)
        fail_interrupted([run])
        return _run_payload(run, links)


@blp.route("/links")
class Links(MethodView):
    decorators = [api_login_required]

    @blp.response(200, LinkSchema(many=True), description="A list of links")
    def get(self):
        """My organisation's links (as supplier and as receiver), superseded proposals left out."""
        organisation = current_user.organisation
        links = preload(links_of(organisation)) if organisation is not None else []
        return [link_payload(view_of(current_user, link)) for link in links]


@blp.route("/links/<int:link_id>")
class LinkResource(MethodView):
    decorators = [api_login_required]

    @blp.response(200, LinkSchema, description="The link")
    def get(self, link_id: int):
        """One link, with both sides' answers."""
        link = db.get_or_404(Link, link_id)
        api_require("link.view", link)
        return link_payload(view_of(current_user, link))


@blp.route("/links/<int:link_id>/decision")
class LinkDecision(MethodView):
    decorators = [api_login_required]

    @blp.arguments(DecisionInSchema)
    @blp.response(200, LinkSchema, description="The link after your answer")
    @blp.alt_response(409, description="The link can no longer be answered, or too few tonnes are left")
    def post(self, payload, link_id: int):
        """Accept or decline a proposed link for your organisation's side; both accepting makes it agreed.

        An acceptance may be withdrawn (``accept: false``) until the other side accepts too; sending the
        answer already given changes nothing. An organisation holding both sites answers for both sides.
        """
        link = db.get_or_404(Link, link_id)
        api_require("link.decide", link)
        if side_of(link, current_user.organisation) is None:
            abort(403, message=gettext("your organisation is not a party to this link"))
        try:
            link = decide(link.id, organisation=current_user.organisation, accept=payload["accept"])
        except DecisionRefused as exc:
            abort(409, message=refusal_text(exc))
        return link_payload(view_of(current_user, link))
