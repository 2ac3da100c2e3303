"""Access cases of listings: my listings, forms, detail pages, life cycle, enquiries, import/export, API.

In the world, plant_offer (named) belongs to the plant; recycler_offer (anonymous) and recycler_want to the
recycler; the recycler has an enquiry thread about plant_offer. Park manager and admin each belong to an
organisation of their own without sites. POSTs send an invalid form: allowed users get 400 or, where the
form is prefilled (edit) or has no fields (publish, close), their redirect.
"""
from . import LOGIN, expect

CASES = [
    ("listings.mine", "GET", "/listings/mine", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.export", "GET", "/listings/export.csv", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.export", "GET", "/listings/export.xlsx", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.new", "GET", "/listings/new/offer", expect(LOGIN, 200, 200, 403, 200)),
    ("listings.new", "POST", "/listings/new/want", expect(LOGIN, 400, 400, 403, 400)),
    ("listings.detail", "GET", "/listings/{plant_offer}", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.detail", "GET", "/listings/{recycler_offer}", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.edit", "GET", "/listings/{plant_offer}/edit", expect(LOGIN, 200, 403, 403, 200)),
    ("listings.edit", "POST", "/listings/{plant_offer}/edit", expect(LOGIN, 302, 403, 403, 302)),
    ("listings.edit", "GET", "/listings/{recycler_want}/edit", expect(LOGIN, 403, 200, 403, 200)),
    ("listings.publish", "POST", "/listings/{plant_offer}/publish", expect(LOGIN, 302, 403, 403, 302)),
    ("listings.close", "POST", "/listings/{plant_offer}/close", expect(LOGIN, 302, 403, 403, 302)),
    ("listings.close", "POST", "/listings/{recycler_offer}/close", expect(LOGIN, 403, 302, 403, 302)),
    # The recycler already has a thread about plant_offer, so it is sent there.
    ("listings.enquire", "GET", "/listings/{plant_offer}/enquire", expect(LOGIN, 403, 302, 200, 200)),
    ("listings.enquire", "POST", "/listings/{plant_offer}/enquire", expect(LOGIN, 403, 400, 400, 400)),
    ("listings.enquire", "GET", "/listings/{recycler_offer}/enquire", expect(LOGIN, 200, 403, 200, 200)),
    ("listings.enquiry", "GET", "/listings/enquiries/{enquiry}", expect(LOGIN, 200, 200, 403, 200)),
    # An administrator reads every thread but writes in none: it is not one of the two sides.
    ("listings.enquiry", "POST", "/listings/enquiries/{enquiry}", expect(LOGIN, 400, 400, 403, 403)),
    ("listings.enquiries", "GET", "/listings/enquiries", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.import_listings", "GET", "/listings/import", expect(LOGIN, 200, 200, 403, 200)),
    ("listings.import_listings", "POST", "/listings/import", expect(LOGIN, 400, 400, 403, 400)),
    ("listings.template", "GET", "/listings/import/template.csv", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.template", "GET", "/listings/import/template.xlsx", expect(LOGIN, 200, 200, 200, 200)),
    # What the listing form's script reads: knowledge-base names and quality fields, for every signed-in user.
    ("listings.material_choices_json", "GET", "/listings/materials.json?q=粉煤", expect(LOGIN, 200, 200, 200, 200)),
    ("listings.quality_fields_json", "GET", "/listings/quality-fields.json?material=粉煤灰",
     expect(LOGIN, 200, 200, 200, 200)),
    ("api_listings.Listings", "GET", "/api/v1/listings", expect(401, 200, 200, 200, 200)),
    # Writes through the API need a bearer token, so a session alone is refused for everyone.
    ("api_listings.Listings", "POST", "/api/v1/listings", expect(401, 401, 401, 401, 401)),
    ("api_listings.ListingResource", "GET", "/api/v1/listings/{plant_offer}", expect(401, 200, 200, 200, 200)),
    ("api_listings.ListingResource", "GET", "/api/v1/listings/{recycler_offer}", expect(401, 200, 200, 200, 200)),
    ("api_listings.ListingPublish", "POST", "/api/v1/listings/{plant_offer}/publish",
     expect(401, 401, 401, 401, 401)),
    ("api_listings.ListingClose", "POST", "/api/v1/listings/{plant_offer}/close", expect(401, 401, 401, 401, 401)),
]
