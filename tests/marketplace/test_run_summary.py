"""A run's summary as an official reads it: matched and left per unit family, and the reasons in words."""
from __future__ import annotations

import re
from html import unescape

import pytest

from marketplace.models import Link, MatchRun
from marketplace.models.link import RunAlternative
from marketplace.services.matching import start_run
from marketplace.services.run_summary import summarise_run

from .test_links_runs import parks  # noqa: F401  (fixture)

COUNTS = {"offers": 3, "wants": 2, "sites": 4, "links": 2, "allocated": {"Nm3": 170_000_000.0, "t": 3000.0},
          "landfill": {"t": 7000.0}, "agreed": {"t": 500.0},
          "dropped": {"distance": 5, "permit_missing": 2, "permit_code": 1, "price": 0},
          "offers_without_route": 1, "cut_by_pool": 0, "arcs": 9, "net_benefit_cny": 5000.0, "co2_avoided_t": 40.0}


def _alternative(run, link, reason):
    return RunAlternative(run=run, offer_id=link.offer_id, supplier_site_id=link.supplier_site_id,
                          receiver_site_id=link.receiver_site_id, material_code=link.material_code, rank=2,
                          feasible_receivers=2, score=0.5, quantity=100.0, unit="t", net_benefit_cny=10.0,
                          net_benefit_cny_per_unit=0.1, distance_km=5.0, reason=reason)


@pytest.fixture
def recorded(db, parks):  # noqa: F811
    """A run whose counts are set by hand: fly ash in tonnes and a gas in Nm³, with reasons for what was left."""
    run = start_run(park=parks.first)
    run.counts = COUNTS
    (link,) = run.links
    db.session.add(_alternative(run, link, "capacity_taken"))
    db.session.commit()
    return run


def test_units_are_never_added_and_reasons_are_grouped_in_words(app, recorded):
    summary = summarise_run(recorded, recorded.links)
    assert [(f.unit, f.matched, f.agreed_before, f.left) for f in summary.families] == [
        ("t", 3000.0, 500.0, 7000.0), ("Nm3", 170_000_000.0, 0.0, 0.0)]
    assert [(m.code, m.links) for m in summary.families[0].materials] == [("coal-fly-ash", 1)]
    assert [(r.key, r.count, r.counts) for r in summary.reasons] == [
        ("out_of_reach", 5, "pairs"), ("hazardous_permit", 3, "pairs"), ("no_known_use", 1, "offers"),
        ("capacity_taken", 1, "receivers")]
    from flask import session
    from flask_babel import refresh

    with app.test_request_context():
        session["lang"] = "en"
        refresh()  # the locale is kept for the test's app context: choose it again for this request
        assert "within reach" in summary.reasons[0].text
    with app.test_request_context():  # the default language, zh
        refresh()
        assert "运输范围内无接收方" in summary.reasons[0].text


def test_run_page_tells_the_run_in_words_and_formatted_numbers(client, auth, recorded, parks):  # noqa: F811
    auth.login(parks.admin)
    client.get("/lang/en")
    html = client.get(f"/links/runs/{recorded.id}").get_data(as_text=True)
    section = unescape(html.split('id="run-summary"')[1].split("</section>")[0])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "Materials by mass (t)" in text and "3,000 t/yr" in text and "Gases (Nm³)" in text and "170M Nm³/yr" in text
    assert "7,000 t/yr" in text  # left without a taker
    assert "5 supplier–receiver pairs" in text and "no receiver within reach" in text
    assert "3 supplier–receiver pairs" in text and "hazardous waste to a receiver without a valid permit" in text
    assert "1 receiver" in text and "capacity went to other offers" in text
    for raw in ("cut_by_pool", "arcs", "permit_missing", "e+0"):
        assert raw not in section
    client.get("/lang/zh")
    section = client.get(f"/links/runs/{recorded.id}").get_data(as_text=True).split('id="run-summary"')[1]
    assert "1.7亿 Nm³/年" in section and "3,000吨/年" in section


def test_a_party_sees_the_materials_of_its_own_links_only(client, auth, db, parks, recorded):  # noqa: F811
    auth.login(parks.outsider)
    assert client.get(f"/links/runs/{recorded.id}").status_code == 403
    auth.logout()
    auth.login(parks.supplier)
    html = client.get(f"/links/runs/{recorded.id}").get_data(as_text=True)
    section = html.split('id="run-summary"')[1].split("</section>")[0]
    assert 'data-material="coal-fly-ash"' in section and "其中 1 条与您有关" in section  # the default language, zh
