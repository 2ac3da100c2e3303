"""Labels for the knowledge base's codes (families, licences, transport modes, couplings)."""
from flask_babel import lazy_gettext as _l

FAMILY_LABELS = {
    "slag": _l("slag"), "ash": _l("ash"), "gypsum": _l("gypsum"), "sludge": _l("sludge"),
    "tailings": _l("tailings and mining residues"), "chemical-residue": _l("chemical residues"),
    "hazardous": _l("hazardous waste"), "energy": _l("energy (steam, hot water, heat)"), "gas": _l("gases"),
    "water": _l("water"), "organic": _l("organic residues"), "end-of-life": _l("end-of-life products"),
    "scrap": _l("scrap and recyclables"), "chemical": _l("chemicals and by-product chemicals"),
    "brine": _l("brines and salts"), "product": _l("products and feedstocks"),
}
CATEGORY_LABELS = {"ENERGY": _l("energy"), "GAS": _l("gas"), "WATER": _l("water"), "ORGANIC": _l("organic"),
                   "EOL": _l("end-of-life product"), "CHEMICAL": _l("chemical"), "PRODUCT": _l("product")}
LICENCE_LABELS = {
    "none": _l("no licence needed"),
    "hw_permit": _l("hazardous-waste operating permit"),
    "battery_cascade": _l("listed for cascade use of power batteries"),
    "battery_recycling": _l("listed for recycling of power batteries"),
    "battery_any": _l("listed for cascade use or recycling of power batteries"),
}
MODE_LABELS = {"road": _l("road"), "rail": _l("rail"), "barge": _l("barge"), "pipeline": _l("pipeline")}
COUPLING_LABELS = {
    "power-building materials": _l("power – building materials"),
    "steel-building materials": _l("steel – building materials"),
    "nonferrous-building materials": _l("non-ferrous metals – building materials"),
    "mining-building materials": _l("mining – building materials"),
    "chemical-building materials": _l("chemicals – building materials"),
    "steel-chemical": _l("steel – chemicals"),
    "refining-chemical": _l("refining – chemicals"),
    "coal-chemical": _l("coal – chemicals"),
    "chemical-chemical": _l("chemicals – chemicals"),
    "battery make-recycle": _l("battery making – recycling"),
    "metal recycling": _l("metal recycling"),
    "energy cascade": _l("energy cascade"),
    "water cascade": _l("water cascade"),
    "agri-food-feed": _l("agriculture – food – feed"),
    "food-energy": _l("food – energy"),
    "waste-to-resource": _l("waste to resource"),
    "municipal-industrial": _l("municipal – industrial"),
    "forest-pulp-paper": _l("forestry – pulp and paper"),
}
MATCH_LABELS = {"exact": _l("exact match"), "interpreted": _l("read from the text"), "narrower": _l("a kind of it"), "candidate": _l("possible meaning"),
                "partial": _l("partial match"), "suggestion": _l("closest name")}
OPERATOR_LABELS = {"<=": "≤", ">=": "≥", "in": _l("one of")}


def labels() -> dict:
    return {"family": FAMILY_LABELS, "category": CATEGORY_LABELS, "licence": LICENCE_LABELS, "mode": MODE_LABELS,
            "coupling": COUPLING_LABELS, "match": MATCH_LABELS, "operator": OPERATOR_LABELS}
