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
    (family,) = ind.families
    assert [(f.source, f.target, f.unit, f.quantity) for f in family.sankey] == [("4411", "3011", "t", 3000.0)]
    assert (family.unit, family.basis, family.links, family.agreed, family.proposed) == ("t", "agreed", 2, 3000.0, 2000.0)
    assert {k.site_id for k in family.keystones} == {net["plant"].id, net["works"].id}


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
    assert (ind.generated_t, ind.utilisation_rate_pct, ind.in_park_closure_pct, ind.families) == (0.0, None, None, ())


def test_indicators_json_and_page(client, auth, net):
    auth.login(net["users"]["manager"])
    data = client.get(f"/api/v1/parks/{net['park'].id}/indicators").get_json()
    assert (data["utilisation_rate_pct"], data["target_pct"], data["prior_year_stock_utilised_t"]) == (30.0, 62.0, 0.0)
    assert data["families"][0]["sankey"][0]["quantity"] == 3000.0
    html = client.get(f"/parks/{net['park'].id}/indicators").get_data(as_text=True)
    assert "30.0 %" in html and "62 %" in html and "估算" in html
    assert 'id="chart-data"' in html and "js/charts.js" in html


def test_report_lists_links_with_their_net_benefit_and_uses_the_print_stylesheet(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get(f"/parks/{net['park'].id}/report").get_data(as_text=True)
    assert "css/print.css" in html and 'media="print"' in html and "css/report.css" in html
    links = html.split('id="report-links"')[1].split("</table>")[0]
    assert net["plant"].name_zh in links and "粉煤灰" in links and "5,000元/年" in links
    assert "coal-fly-ash" not in links
    client.get("/lang/en")
    links = client.get(f"/parks/{net['park'].id}/report").get_data(as_text=True).split('id="report-links"')[1]
    assert "Coal fly ash" in links.split("</table>")[0] or "fly ash" in links.split("</table>")[0].lower()
    assert "5,000 CNY/yr" in links


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
    for url, renderer in ((f"/parks/{net['park'].id}/indicators", "canvas"),):
        html = client.get(url).get_data(as_text=True)
        assert '<script src="/vendor/npm/echarts/dist/echarts.min.js">' in html and "js/charts.js" in html
        assert html.count(f'data-renderer="{renderer}"') == 2
        assert 'aria-label="Utilisation rate 30.0 % against the target 62 %: not met"' in html
        flows = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))["sankey"]
        sankey_label = unescape(re.search(r'id="chart-sankey-t"[^>]*aria-label="([^"]*)"', html).group(1))
        assert [(f["source"], f["target"], f["unit"]) for f in flows] == [("4411", "3011", "t")]
        assert f"{flows[0]['source_label']} → {flows[0]['target_label']}: 3,000 t/yr" in sankey_label


def test_province_indicators_lead_a_manager_to_each_park_it_manages(client, auth, net):
    auth.login(net["users"]["manager"])
    html = client.get("/network/indicators").get_data(as_text=True)
    assert f'href="/parks/{net["park"].id}/indicators"' in html


@pytest.fixture
def energy(net, make_org, make_site, make_listing, make_link):
    """Beside the fly ash: converter gas to a methanol plant, blast-furnace gas to a gas-fired power plant, and
    steam from a CHP to a paper mill outside the park (all agreed)."""
    park = net["park"]
    steel = make_site(organisation=make_org(), park=park, lonlat=(117.22, 31.8), sector_code="3120")
    methanol = make_site(organisation=make_org(), park=park, lonlat=(117.23, 31.8), sector_code="2614")
    gas_power = make_site(organisation=make_org(), park=park, lonlat=(117.22, 31.79), sector_code="4411")
    chp = make_site(organisation=make_org(), park=park, lonlat=(117.21, 31.79), sector_code="4412")
    paper = make_site(organisation=make_org(), lonlat=(117.5, 31.6), sector_code="2221")
    converter = make_listing(site=steel, material="converter-gas", quantity=170_000_000, unit="Nm3/yr")
    bfg = make_listing(site=steel, material="blast-furnace-gas", quantity=370_000_000, unit="Nm3/yr")
    steam = make_listing(site=chp, material="steam", quantity=12_857, unit="t/yr")
    return {"steel": steel, "methanol": methanol, "gas_power": gas_power, "chp": chp, "paper": paper,
            "links": {"converter": make_link(converter, methanol, quantity=170_000_000.0, status="agreed",
                                             coupling="steel-chemical"),
                      "bfg": make_link(bfg, gas_power, quantity=370_000_000.0, status="agreed"),
                      "steam": make_link(steam, paper, quantity=12_857.0, status="agreed")}}


def test_every_unit_family_has_its_own_flows_and_keystones(app, net, energy):
    """Before: the Sankey left converter gas out (the only steel-chemical link), the gas-fired power plant
    scored 0 % as a keystone, and the steam tonnes were counted as solid waste crossing the park boundary."""
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    assert [f.unit for f in ind.families] == ["t", "Nm3"]
    gas = ind.family("Nm3")
    assert [(f.source, f.target, f.quantity, f.materials) for f in gas.sankey] == [
        ("3120", "4411", 370_000_000.0, ("blast-furnace-gas",)), ("3120", "2614", 170_000_000.0, ("converter-gas",))]
    assert (gas.links, gas.agreed, gas.cross_park, gas.basis) == (2, 540_000_000.0, 0.0, "agreed")
    shares = {k.site_id: k.share for k in gas.keystones}
    assert shares[energy["gas_power"].id] == pytest.approx(370 / 1080, abs=1e-4)
    assert shares[energy["steel"].id] == 0.5
    assert all(k.unit == "Nm3" for k in gas.keystones)
    # Steam is measured in t in the knowledge base: it flows in the t family, never in the solid-waste figures.
    mass = ind.family("t")
    assert ("4412", "2221", "t", 12_857.0, ("steam",)) in [(f.source, f.target, f.unit, f.quantity, f.materials)
                                                           for f in mass.sankey]
    assert (mass.agreed, mass.cross_park) == (3000.0 + 12_857.0, 12_857.0)
    assert (ind.generated_t, ind.utilised_t, ind.utilisation_rate_pct) == (10000.0, 3000.0, 30.0)
    assert (ind.cross_park_links, ind.cross_park_t, ind.in_park_closure_pct) == (0, 0.0, 100.0)


def test_each_family_reads_agreed_flows_once_it_has_any(app, db, net, energy):
    energy["links"]["converter"].status = "proposed"
    energy["links"]["bfg"].status = "proposed"
    db.session.commit()
    ind = park_indicators(net["users"]["manager"], park=net["park"])
    # No gas link agreed yet: the gas Sankey shows the proposals; the tonnes, with agreed links, only those.
    assert (ind.family("Nm3").basis, len(ind.family("Nm3").sankey)) == ("proposed", 2)
    assert ind.family("t").basis == "agreed"
    assert ("4411", "3011") in [(f.source, f.target) for f in ind.family("t").sankey]


def test_indicator_page_draws_one_sankey_per_unit_family(client, auth, net, energy):
    import json
    import re
    from html import unescape

    auth.login(net["users"]["manager"])
    client.get("/lang/en")
    html = client.get(f"/parks/{net['park'].id}/indicators").get_data(as_text=True)
    assert re.findall(r'data-chart="sankey" data-unit="([^"]+)"', html) == ["t", "Nm3"]
    gas_label = unescape(re.search(r'id="chart-sankey-Nm3"[^>]*aria-label="([^"]*)"', html).group(1))
    assert gas_label.startswith("Gases (Nm³) from generating to using sectors")
    assert "370M Nm³/yr" in gas_label and "170M Nm³/yr" in gas_label
    assert "Nm³" not in unescape(re.search(r'id="chart-sankey-t"[^>]*aria-label="([^"]*)"', html).group(1))
    flows = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))["sankey"]
    assert {"converter gas"} <= {name.lower() for f in flows for name in f["materials"]}
    assert 'data-unit="Nm3"' in html.split('id="keystones"')[1]
    assert 'id="unit-families"' in html and "Gases (Nm³)" in html


def test_a_park_with_no_links_draws_one_empty_sankey(client, auth, make_park, make_user):
    park = make_park()
    auth.login(make_user("park_manager", parks=[park]))
    client.get("/lang/en")
    html = client.get(f"/parks/{park.id}/indicators").get_data(as_text=True)
    assert html.count('data-chart="sankey"') == 1
    assert 'id="chart-sankey-t"' in html and "No data yet" in html
