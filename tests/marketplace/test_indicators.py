"""Park and province indicators: tonnages, utilisation rate against 62 %, closure, Sankey, pages."""
from __future__ import annotations

import pytest

from marketplace.services.indicators import park_indicators

from .test_network import make_link, net  # noqa: F401  (fixtures)


def test_only_agreed_links_count_as_utilised(app, net):
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    assert (ind.generated_t, ind.utilised_t, ind.stored_or_disposed_t, ind.proposed_t) == (10000.0, 3000.0, 7000.0,
                                                                                              2000.0)
    assert (ind.utilisation_rate_pct, ind.target_pct, ind.meets_target) == (30.0, 62.0, False)
    # 3 000 t agreed and 2 000 t proposed out of 10 000 t: agreeing the proposal would reach 50 %.
    assert ind.potential_rate_pct == 50.0
    assert (ind.in_park_closure_pct, ind.cross_park_links, ind.co2_avoided_t) == (100.0, 0, 40.0)
    assert ind.couplings == {"power-building-materials": 1}
    assert [(f.source, f.target, f.tonnes) for f in ind.sankey] == [("4411", "3011", 3000.0)]
    assert ind.sankey_basis == "agreed"
    assert {k.site_id for k in ind.keystones} == {net["plant"].id, net["works"].id}


def test_flows_leaving_the_park_lower_the_closure(app, db, net):
    net["links"]["outside"].status = "agreed"
    db.session.commit()
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    assert (ind.utilised_t, ind.utilisation_rate_pct, ind.meets_target) == (5000.0, 50.0, False)
    assert (ind.in_park_closure_pct, ind.cross_park_links, ind.cross_park_t) == (60.0, 1, 2000.0)


def test_utilised_is_capped_at_what_the_offer_generates(app, net, make_link):  # noqa: F811
    offer = net["links"]["inside"].offer
    make_link(offer, net["works"], quantity=9000.0, status="active")
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    assert (ind.utilised_t, ind.utilisation_rate_pct, ind.meets_target, ind.stored_or_disposed_t) == (
        10000.0, 100.0, True, 0.0)
    assert ind.potential_rate_pct == 100.0  # proposals on an offer already used up add nothing


@pytest.mark.parametrize(("material", "counted"), [("steel-slag", True), ("ggbs", False)])
def test_only_bulk_materials_count_as_generated(app, net, make_listing, material, counted):
    make_listing(site=net["works"], material=material, quantity=500)
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    assert ind.generated_t == (10500.0 if counted else 10000.0)


def test_a_park_with_no_listings_has_no_rate(app, make_park, make_user):
    park = make_park()
    ind = park_indicators(make_user("park_manager", parks=[park]), park=park)
    assert (ind.generated_t, ind.utilisation_rate_pct, ind.in_park_closure_pct, ind.sankey) == (0.0, None, None, ())
    assert ind.sankey_basis == "proposed"


def test_indicators_json_and_page(client, auth, net):
    auth.login(net["users"]["manager"])
    data = client.get(f"/api/v1/parks/{net['park'].id}/indicators").get_json()
    assert (data["utilisation_rate_pct"], data["target_pct"], data["prior_year_stock_utilised_t"]) == (30.0, 62.0, 0.0)
    assert data["sankey"][0]["tonnes"] == 3000.0
    html = client.get(f"/parks/{net['park'].id}/indicators").get_data(as_text=True)
    assert "30.0 %" in html and "62 %" in html and "估算" in html
    assert 'id="chart-data"' in html and "js/charts.js" in html


def test_report_lists_links_and_uses_the_print_stylesheet(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get(f"/parks/{net['park'].id}/report").get_data(as_text=True)
    assert "css/print.css" in html and 'media="print"' in html
    assert "粉煤灰用于水泥" in html and net["plant"].name_zh in html
    client.get("/lang/en")
    assert "Fly ash for cement" in client.get(f"/parks/{net['park'].id}/report").get_data(as_text=True)


def test_other_parks_manager_is_refused(client, auth, net):
    auth.login(net["users"]["stranger"])
    assert client.get(f"/parks/{net['park'].id}/indicators").status_code == 403
    assert client.get(f"/api/v1/parks/{net['park'].id}/indicators").status_code == 403


def test_chart_pages_load_echarts_from_the_app_and_describe_each_chart_in_text(client, auth, net):
    import json
    import re
    from html import unescape

    auth.login(net["users"]["manager"])
    client.get("/lang/en")
    for url, renderer in ((f"/parks/{net['park'].id}/indicators", "canvas"), (f"/parks/{net['park'].id}/report", "svg")):
        html = client.get(url).get_data(as_text=True)
        assert '<script src="/vendor/npm/echarts/dist/echarts.min.js">' in html and "js/charts.js" in html
        assert html.count(f'data-renderer="{renderer}"') == 2
        assert 'aria-label="Utilisation rate 30.0 % against the target 62 %: not met"' in html
        flows = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))["sankey"]
        sankey_label = unescape(re.search(r'id="chart-sankey"[^>]*aria-label="([^"]*)"', html).group(1))
        assert [(f["source"], f["target"]) for f in flows] == [("4411", "3011")]
        assert f"{flows[0]['source_label']} → {flows[0]['target_label']}: 3,000.0 t/a" in sankey_label


def test_province_indicators_lead_a_manager_to_each_park_it_manages(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get("/network/indicators").get_data(as_text=True)
    assert f'href="/parks/{net["park"].id}/indicators"' in html
