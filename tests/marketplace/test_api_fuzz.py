"""The whole OpenAPI document, fuzzed with each role's token: no 5xx, and every answer matches its schema.

Schemathesis generates requests from the document itself, so a new endpoint is covered the day it is
documented. Bounded and seeded: the same cases every run.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from marketplace.services.accounts import issue_api_token

ROLES = ("plant", "recycler", "park_manager", "admin")
EXAMPLES_PER_OPERATION = 15  # x 4 roles x ~27 operations: about 1,600 requests per database


@pytest.fixture
def world(factories):
    """A small marketplace: two organisations with sites and listings, a park and its manager, an admin."""
    park = factories.park()
    plant_org, recycler_org = factories.org(), factories.org()
    supplier = factories.site(organisation=plant_org, park=park)
    receiver = factories.site(organisation=recycler_org)
    factories.listing(site=supplier, kind="offer")
    factories.listing(site=receiver, kind="want")
    users = {
        "plant": factories.user("plant", organisation=plant_org),
        "recycler": factories.user("recycler", organisation=recycler_org),
        "park_manager": factories.user("park_manager", parks=[park]),
        "admin": factories.user("admin"),
    }
    return {role: issue_api_token(user) for role, user in users.items()}


def test_no_server_error_and_answers_match_their_schema(app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10

    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def each_role(case):
            # Every generated request is sent once with each role's token: what one may do, another may not.
            for role in ROLES:
                response = case.call(headers={"Authorization": f"Bearer {world[role]}"})
                calls.append(response.status_code)
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            each_role()
        except BaseException as failure:  # noqa: BLE001 - every operation is tried; all failures reported together
            if not isinstance(failure, Exception):
                raise
            first_line = (str(failure).strip().splitlines() or [failure.__class__.__name__])[0]
            failures.append(f"{operation.label}: {failure.__class__.__name__}: {first_line}")
    assert len(calls) >= len(operations) * len(ROLES)
    assert not failures, "\n".join(failures)
