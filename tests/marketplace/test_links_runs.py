"""Match runs on the web: who may start one, for which parks, and what a run's page shows."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.models import Link, MatchRun
from marketplace.services.matching import start_run
from marketplace.services.explanations import explanation

from .run_jobs import wait_for_run


@pytest.fixture
def parks(make_org, make_park, make_site, make_listing, make_user):
    """Two parks: a power plant with fly ash in the first, a cement plant wanting it in the second."""
    first = make_park(code="FIRST", name_zh="第一园区", centre=(117.2, 31.8))
    second = make_park(code="SECOND", name_zh="第二园区", centre=(117.5, 31.8))
    power = make_site(sector_code="4411", park=first, lonlat=(117.2, 31.8), name_zh="甲电厂")
    cement = make_site(sector_code="3011", park=second, lonlat=(117.5, 31.8), name_zh="乙水泥厂")
    make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000)
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    return SimpleNamespace(first=first, second=second, power=power, cement=cement,
                           manager=make_user("park_manager", parks=[first]), admin=make_user("admin"),
                           supplier=make_user("plant", organisation=power.organisation),
                           outsider=make_user("plant"))


def run_count(db) -> int:
    return db.session.scalar(select(func.count(MatchRun.id)))


def choices(html: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="park".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"', select_html)


def test_a_park_manager_runs_the_matcher_for_one_of_its_parks(client, auth, db, parks):
    auth.login(parks.manager)
    assert choices(client.get("/links/runs").get_data(as_text=True)) == ["FIRST"]
    response = client.post("/links/runs", data={"park": "FIRST", "latent": "y"})
    assert response.status_code == 302  # at once: the run is queued, a worker runs it
    run = db.session.scalars(select(MatchRun)).one()
    assert response.headers["Location"].endswith(f"/links/runs/{run.id}")
    run = wait_for_run(db, run.id)
    assert run.status == "done" and run.step == "done" and run.started_at <= run.finished_at
    assert run.park_id == parks.first.id and run.latent and run.created_by_id == parks.manager.id
    assert run.parameters["park"] == "FIRST" and run.counts["links"] >= 1

    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert "第一园区" in html and 'id="run-dropped"' in html and 'id="run-timings"' in html
    assert "供需双方的起止日期没有重叠" in html  # drop reasons in words
    for link in run.links:
        assert f'id="link-{link.id}"' in html
    listing = client.get("/links/runs").get_data(as_text=True)
    assert f'data-run="{run.id}"' in listing


@pytest.mark.parametrize("park", ["SECOND", "", "NOPE"])
def test_a_park_manager_runs_nothing_outside_its_parks(client, auth, db, parks, park):
    auth.login(parks.manager)
    response = client.post("/links/runs", data={"park": park})
    assert response.status_code == 400 and 'data-field="park"' in response.get_data(as_text=True)
    assert run_count(db) == 0


def test_an_administrator_runs_the_province_or_any_park(client, auth, db, parks):
    auth.login(parks.admin)
    assert choices(client.get("/links/runs").get_data(as_text=True))[:1] == [""]
    assert {"FIRST", "SECOND"} <= set(choices(client.get("/links/runs").get_data(as_text=True)))
    assert client.post("/links/runs", data={"park": ""}).status_code == 302
    assert client.post("/links/runs", data={"park": "SECOND"}).status_code == 302
    runs = [wait_for_run(db, run_id) for run_id in list(db.session.scalars(select(MatchRun.id).order_by(MatchRun.id)))]
    assert [r.status for r in runs] == ["done", "done"]
    assert [r.park_id for r in runs] == [None, parks.second.id] and not runs[0].latent


def test_a_failed_run_shows_why_and_stores_nothing(client, auth, db, parks, monkeypatch):
    import marketplace.services.match_runs as service
    from matching.errors import MatchingError

    def broken(*args, **kwargs):
        raise MatchingError("options: k_per_offer must be at least 1, got 0", field="k_per_offer")

    monkeypatch.setattr(service, "run_matching", broken)
    auth.login(parks.admin)
    response = client.post("/links/runs", data={"park": "FIRST"})
    assert response.status_code == 302
    run = wait_for_run(db, db.session.scalars(select(MatchRun.id)).one())
    assert run.status == "failed" and "k_per_offer must be at least 1" in run.error
    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-failed"' in html and "k_per_offer must be at least 1" in html and 'id="run-links"' not in html
    assert db.session.scalar(select(func.count(Link.id))) == 0
    assert client.get(f"/links/runs/{run.id}/progress").json["status"] == "failed"


def test_runs_are_listed_to_administrators_and_to_the_managers_of_their_park(client, auth, db, parks):
    first, second, province = start_run(park=parks.first), start_run(park=parks.second), start_run()
    auth.login(parks.manager)
    html = client.get("/links/runs").get_data(as_text=True)
    assert f'data-run="{first.id}"' in html
    assert f'data-run="{second.id}"' not in html and f'data-run="{province.id}"' not in html
    auth.logout()
    auth.login(parks.admin)
    html = client.get("/links/runs").get_data(as_text=True)
    assert all(f'data-run="{run.id}"' in html for run in (first, second, province))


def test_a_party_sees_a_run_with_its_own_links_only(client, auth, db, parks, make_site, make_listing):
    other = make_site(sector_code="4411", lonlat=(117.45, 31.75))
    make_listing(site=other, kind="offer", material="coal-fly-ash", quantity=5_000)
    run = start_run()
    mine = [k for k in run.links if k.supplier_site_id == parks.power.id]
    theirs = [k for k in run.links if k.supplier_site_id == other.id]
    assert mine and theirs
    auth.login(parks.supplier)
    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert 'id="run-partial"' in html
    assert all(f'id="link-{k.id}"' in html for k in mine) and not any(f'id="link-{k.id}"' in html for k in theirs)
    auth.logout()
    auth.login(parks.outsider)
    assert client.get(f"/links/runs/{run.id}").status_code == 403


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_run_pages_render_in_both_languages(client, auth, parks, lang):
    run = start_run(park=parks.first)
    auth.login(parks.admin)
    client.get(f"/lang/{lang}")
    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    (link,) = run.links
    assert (explanation(link, "zh") if lang == "zh" else explanation(link, "en")) in html
    assert ('lang="zh-CN"' if lang == "zh" else "Candidates dropped, by reason") in html
    assert client.get("/links/runs").status_code == 200


def test_a_run_of_the_demo_from_the_web_proposes_the_known_exchanges(client, auth, runner, db, make_user):
    from marketplace.models import Licence

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    auth.login(make_user("admin"))
    assert client.post("/links/runs", data={"park": ""}).status_code == 302
    run = wait_for_run(db, db.session.scalars(select(MatchRun.id)).one())
    links = run.links
    assert len(links) > 50

    def flows(material_prefix, supplier_sectors, receiver_sectors):
        return [k for k in links if k.material_code.startswith(material_prefix)
                and k.supplier_site.sector_code.startswith(supplier_sectors)
                and k.receiver_site.sector_code.startswith(receiver_sectors)]

    assert flows("coal-fly-ash", ("441",), ("3011", "3021"))
    assert flows("fgd-gypsum", ("441",), ("3024",)) and flows("fgd-gypsum", ("441",), ("3011",))
    assert flows("steel-slag", ("31",), ("3011", "3021", "3099"))
    assert flows("coke-oven-gas", ("2521", "31"), ("26", "252"))
    batteries = [k for k in links if k.material_code.startswith("retired-") and "battery" in k.material_code]
    listed = {l.organisation_id for l in db.session.scalars(select(Licence).where(Licence.kind == "battery_listing"))}
    assert batteries and all(k.receiver_site.organisation_id in listed for k in batteries)

    html = client.get(f"/links/runs/{run.id}").get_data(as_text=True)
    assert all(f'id="link-{k.id}"' in html for k in links)
    assert client.get(f"/links/{links[0].id}").status_code == 200
