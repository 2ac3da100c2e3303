"""run_matching(explain=False): the same result without the links' sentences, for a caller that words them itself."""
import dataclasses
import datetime as dt

from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.knowledge.unclassified import unclassified_code
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()
WHEY = unclassified_code("whey")


def test_links_without_their_sentences_are_otherwise_the_same():
    sites = [Site("PWR", 116.90, 32.80, "4411", name="甲电厂"), Site("CEM", 117.00, 32.70, "3011"),
             Site("DAIRY", 117.0, 31.0, "1441", name="乳品厂"), Site("PIGS", 117.2, 31.0, "0313")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 10000.0, {"loi_pct": 5.0}, price_cny=20.0),
              Offer("O2", "DAIRY", WHEY, 3000.0, price_cny=20.0, material_name="Whey")]
    wants = [Want("W1", "CEM", ("coal-fly-ash",), 6000.0, {"loi_pct_max": 8.0}, max_price_cny=70.0),
             Want("W2", "PIGS", (WHEY,), 2000.0, max_price_cny=80.0)]
    options = MatchOptions(today=dt.date(2026, 1, 1), latent=True)
    worded = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB)
    bare = run_matching(offers, wants, sites, KB.routes, options=options, knowledge=KB, explain=False)
    assert {link.route_id for link in worded.links} >= {"fly-ash-cement-admixture", None}  # a route and a name link
    assert all(link.explanation_zh and link.explanation_en for link in worded.links)
    assert all(link.explanation_zh == link.explanation_en == "" for link in bare.links)
    assert bare.links == tuple(dataclasses.replace(link, explanation_zh="", explanation_en="") for link in worded.links)
    assert (bare.landfill, bare.alternatives, bare.network) == (worded.landfill, worded.alternatives, worded.network)
    assert bare.summary.as_dict() | {"timings_s": None} == worded.summary.as_dict() | {"timings_s": None}
