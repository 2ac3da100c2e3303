"""Access cases of the materials knowledge base: reference pages and API, public for everyone."""
from . import LOGIN, expect  # noqa: F401

CASES = [
    ("materials.index", "GET", "/materials/", expect(200, 200, 200, 200, 200)),
    ("materials.index", "GET", "/materials/?q=PFA&hazardous=no", expect(200, 200, 200, 200, 200)),
    ("materials.detail", "GET", "/materials/coal-fly-ash", expect(200, 200, 200, 200, 200)),
    ("materials.detail", "GET", "/materials/incineration-fly-ash", expect(200, 200, 200, 200, 200)),
    ("materials.detail", "GET", "/materials/no-such-material", expect(404, 404, 404, 404, 404)),
    ("api_materials.Materials", "GET", "/api/v1/materials", expect(200, 200, 200, 200, 200)),
    ("api_materials.Materials", "GET", "/api/v1/materials?q=脱硫石膏", expect(200, 200, 200, 200, 200)),
    ("api_materials.MaterialResource", "GET", "/api/v1/materials/coal-fly-ash", expect(200, 200, 200, 200, 200)),
    ("api_materials.MaterialResource", "GET", "/api/v1/materials/no-such-material",
     expect(404, 404, 404, 404, 404)),
    # The names the map scripts show for sectors, couplings and units: public like the knowledge base.
    ("map_labels", "GET", "/labels.json", expect(200, 200, 200, 200, 200)),
]
