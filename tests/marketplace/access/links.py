"""Access cases of proposed links, match runs and their API.

In the world, `link` (run `run`, of the managed park) sends the plant's fly ash to the recycler's want;
`recycler_link` (run `province_run`, the whole province) sends the recycler's anonymous offer to its own
site in the other park, a latent receiver. Deciding needs the user's organisation to be a side: the
park manager and the administrator belong to organisations of their own, so they get 403. POSTs send
an invalid form: allowed users get 400.
"""
from . import LOGIN, expect

EVERYONE = expect(LOGIN, 200, 200, 200, 200)
RECYCLER_ONLY = expect(LOGIN, 403, 200, 403, 200)


def _api(outcomes):
    return {role: 401 if outcome == LOGIN else outcome for role, outcome in outcomes.items()}


CASES = [
    ("links.mine", "GET", "/links/", EVERYONE),
    ("links.mine", "GET", "/links/?status=agreed", EVERYONE),
    # Without a park code the request is refused as a bad form; every role here belongs to an organisation.
    ("links.request_run", "POST", "/links/request-run", expect(LOGIN, 400, 400, 400, 400)),
    ("links.detail", "GET", "/links/{link}", EVERYONE),
    ("links.detail", "GET", "/links/{recycler_link}", RECYCLER_ONLY),
    ("links.detail", "GET", "/links/999999", expect(LOGIN, 404, 404, 404, 404)),
    ("links.decision", "POST", "/links/{link}/decision", expect(LOGIN, 400, 400, 403, 403)),
    ("links.decision", "POST", "/links/{recycler_link}/decision", expect(LOGIN, 403, 400, 403, 403)),
    ("links.runs", "GET", "/links/runs", expect(LOGIN, 403, 403, 200, 200)),
    ("links.runs", "POST", "/links/runs", expect(LOGIN, 403, 403, 400, 400)),
    # A party sees the run with its own links; a manager of a park it does not touch, nothing.
    ("links.run", "GET", "/links/runs/{run}", EVERYONE),
    ("links.run", "GET", "/links/runs/{province_run}", RECYCLER_ONLY),
    ("links.run", "GET", "/links/runs/999999", expect(LOGIN, 404, 404, 404, 404)),
    # A run's progress (status and step, no names): whoever may see the run.
    ("links.run_progress", "GET", "/links/runs/{run}/progress", EVERYONE),
    ("links.run_progress", "GET", "/links/runs/{province_run}/progress", RECYCLER_ONLY),
    ("links.run_progress", "GET", "/links/runs/999999/progress", expect(LOGIN, 404, 404, 404, 404)),
    # Writes through the API need a bearer token, so a session alone is refused for everyone.
    ("api_match_runs.MatchRuns", "POST", "/api/v1/match-runs", expect(401, 401, 401, 401, 401)),
    ("api_match_runs.MatchRunResource", "GET", "/api/v1/match-runs/{run}", _api(EVERYONE)),
    ("api_match_runs.MatchRunResource", "GET", "/api/v1/match-runs/{province_run}", _api(RECYCLER_ONLY)),
    ("api_match_runs.Links", "GET", "/api/v1/links", _api(EVERYONE)),
    ("api_match_runs.LinkResource", "GET", "/api/v1/links/{link}", _api(EVERYONE)),
    ("api_match_runs.LinkResource", "GET", "/api/v1/links/{recycler_link}", _api(RECYCLER_ONLY)),
    ("api_match_runs.LinkDecision", "POST", "/api/v1/links/{link}/decision", expect(401, 401, 401, 401, 401)),
]
