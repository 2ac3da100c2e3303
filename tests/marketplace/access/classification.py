"""Access cases of the open vocabulary: the classification queue (administrators only, page and API) and the
owner's confirmation of a possibly hazardous name's kind."""
from . import LOGIN, expect  # noqa: F401

CASES = [
    # The world's offers are plain coal fly ash: allowed users get the page back with "needs no confirmation".
    ("listings.confirm_kind", "POST", "/listings/{plant_offer}/confirm-kind", expect(LOGIN, 400, 403, 403, 400)),
    ("api_listings.ListingConfirmKind", "POST", "/api/v1/listings/{plant_offer}/confirm-kind",
     expect(401, 401, 401, 401, 401)),
    ("classification.queue", "GET", "/admin/classification/", expect(LOGIN, 403, 403, 403, 200)),
    ("classification.classify", "POST", "/admin/classification/classify", expect(LOGIN, 403, 403, 403, 400)),
    ("api_classification.ClassificationQueue", "GET", "/api/v1/classification", expect(401, 403, 403, 403, 200)),
    # Writes through the API need a bearer token; a signed-in browser's cookie is not enough.
    ("api_classification.ClassificationQueue", "POST", "/api/v1/classification", expect(401, 401, 401, 401, 401)),
]
