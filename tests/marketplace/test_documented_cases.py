"""Documented industrial symbioses (tests/cases/<slug>/): the world's own data goes in whole and its exchanges are found.

Each case is written from its published sources by people who did not look at the knowledge base or the
engine (issue 9). On each database it is imported as an administrator would import it, matched in normal
and latent mode, and measured by bench/cases.py (the one place that measures; ``bench/cases.py --write``
prints the same figures into bench/RESULTS.md). The thresholds are the issue's: every row imports,
recall@5 is at least 0.9 in normal mode and 0.7 in latent mode, and no link goes to a site that lacks the
permit or listing its stream needs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench.case_files import case_dirs, format_problems
from bench.cases import TOP, CaseResult, licence_gap, ranked_receivers, run_case

CASES = case_dirs()
MIN_CASES = 12
RECALL_TARGETS = {"normal": 0.9, "latent": 0.7}

# One measurement per case and database, shared by the tests that read it (each test still gets a clean app).
_measured: dict[tuple[str, str], CaseResult] = {}


def measure(backend_url: str, case_dir: Path) -> CaseResult:
    key = (backend_url, str(case_dir))
    if key not in _measured:
        _measured[key] = run_case(case_dir)
    return _measured[key]


def test_the_suite_holds_at_least_twelve_cases():
    assert len(CASES) >= MIN_CASES, (f"{len(CASES)} documented cases in tests/cases/ "
                                     f"({', '.join(p.name for p in CASES) or 'none'}); issue 9 asks for {MIN_CASES}")


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: p.name)
def test_case_files_follow_the_format(case_dir):
    problems = format_problems(case_dir)
    assert not problems, f"{case_dir.name} is a broken case:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: p.name)
def test_every_row_of_the_case_imports(app, backend_url, case_dir):
    result = measure(backend_url, case_dir)
    reasons = [reason for file_import in (result.sites_import, result.listings_import)
               for row in sorted(file_import.problems) for reason in file_import.problems[row]]
    assert result.rows_refused == 0, (f"{result.rows_refused} of {result.sites + result.listing_rows} rows "
                                      "refused:\n  " + "\n  ".join(reasons))


@pytest.mark.parametrize("mode", RECALL_TARGETS)
@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: p.name)
def test_documented_receivers_rank_among_the_offers_best_five(app, backend_url, case_dir, mode):
    # Over the exchanges the permit and listing rules allow on the case's own data: a documented hazardous
    # stream to a receiver the case records no permit for may not be linked (the next test), so it is
    # reported apart (bench/RESULTS.md gives both figures) rather than counted against the ranking.
    result = measure(backend_url, case_dir)
    assert result.recall_allowed(mode) >= RECALL_TARGETS[mode], (
        f"recall@{TOP} {result.recall_allowed(mode):.2f} ({result.hits_allowed[mode]}/{result.allowed}) in {mode} "
        f"mode, target {RECALL_TARGETS[mode]}; ranked by {result.ranked_by}; missed:\n  "
        + "\n  ".join(result.misses[mode]))


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: p.name)
def test_only_a_licence_the_case_does_not_record_bars_a_documented_exchange(app, backend_url, case_dir):
    result = measure(backend_url, case_dir)
    assert all("permit" in barred or "listing" in barred for barred in result.barred), result.barred
    # barring is the exception it claims to be, not a way around the ranking
    assert len(result.barred) <= max(2, result.exchanges // 4), result.barred


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: p.name)
def test_no_link_goes_to_a_site_lacking_the_permit_or_listing_it_needs(app, backend_url, case_dir):
    result = measure(backend_url, case_dir)
    assert not result.noncompliant, "\n".join(result.noncompliant)


# ---------------------------------------------------------------------------------------------
# The measuring itself, on a small case of known answer (not a documented case: it lives in tmp_path).

TOY_SITES = """site_id,name,org,sector,lon,lat,hw_permit,hw_capacity_t,hw_permit_expiry
PWR,某电厂,某电力公司,4411,117.20,31.80,,,
CEM,某水泥厂,某水泥公司,3011,117.30,31.85,,,
PB,某石膏板厂,某建材公司,3024,117.22,31.81,,,
FAR,乌鲁木齐某水泥厂,某西部建材公司,3011,87.60,43.80,,,
REC,某危废处置中心,某环保公司,7724,117.25,31.83,HW08,5000,2099-12-31
GAR,某汽修厂,某汽修公司,8111,117.24,31.82,,,
NOP,某无证回收站,某回收公司,7724,117.23,31.84,,,
"""
TOY_LISTINGS = """site_id,kind,material,quantity,unit,hazard_code
PWR,offer,粉煤灰,80000,t/yr,
PWR,offer,脱硫石膏,200000,t/yr,
PWR,offer,废矿物油,-5,t/yr,900-214-08
GAR,offer,废矿物油,20,t/yr,900-214-08
CEM,want,粉煤灰,60000,t/yr,
PB,want,脱硫石膏,150000,t/yr,
FAR,want,脱硫石膏,50000,t/yr,
REC,want,废矿物油,1000,t/yr,
NOP,want,废矿物油,1000,t/yr,
"""
TOY_EXCHANGES = """offer_site_id,offer_material,receiver_site_id,source,quote
PWR,粉煤灰,CEM,Toy,fly ash to the cement works next door
PWR,脱硫石膏,FAR,Toy,gypsum to a cement works 3 000 km away
PWR,废矿物油,REC,Toy,waste oil (a row with a negative quantity)
GAR,废矿物油,NOP,Toy,waste oil to a yard the case records no permit for
"""


def test_the_measure_counts_refused_rows_and_ranks_by_the_run(app, tmp_path):
    case = tmp_path / "toy"
    case.mkdir()
    for name, text in (("sites.csv", TOY_SITES), ("listings.csv", TOY_LISTINGS), ("exchanges.csv", TOY_EXCHANGES),
                       ("README.md", "Toy: a case of known answer.\n")):
        (case / name).write_text(text, encoding="utf-8")

    result = run_case(case)

    assert (result.sites_import.refused, result.listings_import.refused) == (0, 1)
    assert list(result.listings_import.problems) == [4]
    assert result.hits == {"normal": 1, "latent": 1}
    assert result.recall("normal") == pytest.approx(1 / 4)
    missed = dict(miss.split(": ", 1) for miss in result.misses["normal"])
    assert missed["PWR 废矿物油 → REC"].startswith("offer row refused")
    assert "km apart" in missed["PWR 脱硫石膏 → FAR"]
    assert "no valid permit" in missed["GAR 废矿物油 → NOP"]
    # the one exchange the case's own data forbids is counted apart, not as a ranking miss
    assert [b.split(": ", 1)[0] for b in result.barred] == ["GAR 废矿物油 → NOP"]
    assert result.recall_allowed("normal") == pytest.approx(1 / 3)
    assert result.noncompliant == []


def _entry(offer: int, site: str, score: float, **extra) -> dict:
    return {"offer": {"listing_id": offer, "site_id": "S"}, "want": {"site_id": site}, "score": score, **extra}


def test_an_offers_receivers_follow_the_engines_rank_links_included():
    # Offer 1: feasible receivers A (link), C, D, B (link), E by rank; the alternatives' ranks count the links.
    output = {"links": [_entry(1, "B", 0.5), _entry(1, "A", 0.9), _entry(2, "A", 0.4)],
              "alternatives": [_entry(1, "D", 0.6, rank=3, reason="capacity_taken"),
                               _entry(1, "C", 0.7, rank=2, reason="capacity_taken"),
                               _entry(1, "E", 0.3, rank=5, reason="lower_score")]}

    ranked = ranked_receivers(output)

    assert [(r.site_ref, r.how, r.rank) for r in ranked[1]] == [
        ("A", "link", 1), ("C", "alternative", 2), ("D", "alternative", 3), ("B", "link", 4),
        ("E", "alternative", 5)]
    assert [(r.site_ref, r.rank) for r in ranked[2]] == [("A", 1)]


def test_a_hazardous_stream_needs_a_valid_permit_of_its_category_at_the_receiver(db, make_site, make_listing):
    from marketplace.models import Licence

    today = dt.date(2026, 12, 1)
    offer = make_listing(material="废矿物油", quantity=100, hazard_code="900-214-08")
    receiver = make_site(sector_code="7724")
    assert "no valid permit" in licence_gap(offer, receiver, today=today)

    permit = Licence(organisation=receiver.organisation, site=receiver, kind="hw_permit", hw_codes="HW08",
                     capacity_t_per_yr=1000.0, expires_on=dt.date(2026, 6, 30))
    db.session.add(permit)
    db.session.commit()
    assert "no valid permit" in licence_gap(offer, receiver, today=today)  # expired

    permit.expires_on = dt.date(2027, 6, 30)
    db.session.commit()
    assert licence_gap(offer, receiver, today=today) is None
