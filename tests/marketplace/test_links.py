"""Proposed links on the web: my links, one link's page, and each side's answer."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from marketplace import formatting
from matching.knowledge import load_knowledge
from marketplace.models import Link, Listing
from marketplace.services.matching import start_run
from marketplace.services.explanations import explanation


@pytest.fixture
def exchange(make_org, make_park, make_site, make_listing, make_user):
    """A power plant's fly ash (10 000 t/yr) and a cement plant that wants 6 000 t/yr, 25 km apart."""

    def build(*, visibility="named"):
        park = make_park(code="HF-ETDZ", centre=(117.2, 31.8))
        power_org = make_org(name_zh="甲电力公司", name_en="Power Co A")
        cement_org = make_org(name_zh="乙水泥公司", name_en="Cement Co B")
        power = make_site(organisation=power_org, sector_code="4411", park=park, lonlat=(117.213, 31.812),
                          name_zh="甲电厂", name_en="Plant A")
        cement = make_site(organisation=cement_org, sector_code="3011", lonlat=(117.4, 31.9),
                           name_zh="乙水泥厂", name_en="Cement B")
        offer = make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000,
                             visibility=visibility)
        want = make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
        run = start_run(park=None)
        (link,) = run.links
        return SimpleNamespace(
            park=park, offer=offer, want=want, run=run, link=link, power=power, cement=cement,
            supplier=make_user("plant", organisation=power_org), receiver=make_user("plant", organisation=cement_org),
            outsider=make_user("recycler"), manager=make_user("park_manager", parks=[park]),
            other_manager=make_user("park_manager", parks=[make_park(code="ELSEWHERE", centre=(116.5, 31.0))]),
            admin=make_user("admin"))

    return build


def answer(client, link_id: int, decision: str, back: str = "detail"):
    return client.post(f"/links/{link_id}/decision", data={"decision": decision, "back": back})


def as_user(auth, user):
    auth.logout()
    auth.login(user)


def fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return response.get_data(as_text=True)


def test_both_sides_see_the_link_with_its_numbers(client, auth, exchange):
    world = exchange()
    link = world.link
    for user in (world.supplier, world.receiver):
        as_user(auth, user)
        html = page(client, "/links/")
        row = html[html.index(f'id="link-{link.id}"'):]
        row = row[:row.index("</tr>")]
        assert "粉煤灰" in row and "甲电力公司" in row and "乙水泥公司" in row
        # Figures as a Chinese reader writes them (the page's language): 6,000吨/年, 1.2万元.
        assert formatting.quantity(link.quantity, "t/yr", "zh") in row
        assert f"{formatting.number(link.distance_km, 'zh')} km" in row
        assert formatting.money(link.net_benefit_cny, "zh") in row
        assert formatting.money(link.transport_cost_cny, "zh") in row
        assert formatting.quantity(link.co2_avoided_t, "t", "zh") in row and "电力—建材耦合" in row
        assert explanation(link, "zh") in row
        assert ('name="decision" value="accept"' in row) and ('name="decision" value="decline"' in row)
    # What is stored names nobody: the sides are slots, filled for each reader.
    assert "{supplier}" in link.explanation_zh and "甲电厂" not in link.explanation_zh + link.explanation_en


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ['lang="zh-CN"', "粉煤灰", "电力—建材耦合"]),
    ("en", ['lang="en"', "Proposed links", "coal fly ash", "power-building materials", ">Accept<", ">Decline<"]),
])
def test_my_links_page_speaks_the_chosen_language(client, auth, exchange, lang, words):
    world = exchange()
    auth.login(world.receiver)
    client.get(f"/lang/{lang}")
    html = page(client, "/links/")
    told, other = ((explanation(world.link, "zh"), explanation(world.link, "en")) if lang == "zh"
                   else (explanation(world.link, "en"), explanation(world.link, "zh")))
    assert told in html and other not in html
    for word in words:
        assert word in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_link_page_shows_every_number_both_explanations_and_a_map(client, auth, exchange, lang):
    world = exchange()
    link = world.link
    auth.login(world.receiver)
    client.get(f"/lang/{lang}")
    html = page(client, f"/links/{link.id}")
    assert explanation(link, "zh") in html and explanation(link, "en") in html
    assert formatting.quantity(link.quantity, "t/yr", lang) in html
    assert f"{formatting.number(link.distance_km, lang)} km" in html
    assert formatting.money(link.net_benefit_cny / link.quantity, lang, per="t", digits=2) in html
    assert formatting.quantity(link.co2_avoided_t, "t", lang) in html
    # The route by what it does, in the page's language, not by its code.
    route = next(r for r in load_knowledge().routes if r.id == link.route_id)
    assert f'data-route="{link.route_id}">{route.process_en if lang == "en" else route.process_zh}<' in html
    sites = json.loads(re.search(r'<script type="application/json" id="link-map-sites">(.*?)</script>', html,
                                 re.S).group(1))
    points = [f for f in sites["features"] if f["geometry"]["type"] == "Point"]
    assert [p["properties"]["role"] for p in points] == ["supplier", "receiver"]
    assert points[0]["geometry"]["coordinates"] == pytest.approx([117.213, 31.812])
    assert points[1]["properties"]["name"] == "乙水泥厂"
    assert any(f["geometry"]["type"] == "LineString" for f in sites["features"])


def test_one_acceptance_keeps_the_link_proposed_and_both_make_it_agreed(client, auth, db, exchange):
    world = exchange()
    link_id, offer_id, want_id = world.link.id, world.offer.id, world.want.id
    auth.login(world.supplier)
    response = answer(client, link_id, "accept", back="mine")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/links/#link-{link_id}")
    link = fresh(db, Link, link_id)
    assert (link.status, link.supplier_decision, link.receiver_decision) == ("proposed", "accepted", None)
    assert fresh(db, Listing, offer_id).committed_quantity == 0
    html = page(client, f"/links/{link_id}")
    assert "正在等待对方答复" in html and 'value="accept"' not in html

    as_user(auth, world.receiver)
    response = answer(client, link_id, "accept")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/links/{link_id}")
    link = fresh(db, Link, link_id)
    assert (link.status, link.receiver_decision) == ("agreed", "accepted") and link.agreed_at is not None
    offer, want = fresh(db, Listing, offer_id), fresh(db, Listing, want_id)
    assert offer.committed_quantity == pytest.approx(6_000) and offer.status == "partly_matched"
    assert want.committed_quantity == pytest.approx(6_000) and want.status == "matched"
    assert "对接已达成" in page(client, f"/links/{link_id}")


def test_a_decline_ends_the_link_and_later_answers_are_refused(client, auth, db, exchange):
    world = exchange()
    link_id = world.link.id
    auth.login(world.receiver)
    assert answer(client, link_id, "decline").status_code == 302
    assert fresh(db, Link, link_id).status == "declined"
    assert "您已拒绝该对接。" in page(client, f"/links/{link_id}")

    as_user(auth, world.supplier)
    answer(client, link_id, "accept")
    html = page(client, f"/links/{link_id}")
    # The reason comes from the service in English, whatever the page language.
    assert "您的答复未能记录：该对接状态为“已拒绝”，已不能再答复" in html
    link = fresh(db, Link, link_id)
    assert (link.status, link.supplier_decision) == ("declined", None)
    assert fresh(db, Listing, world.offer.id).committed_quantity == 0


def test_an_agreed_link_cannot_be_answered_again(client, auth, db, exchange):
    world = exchange()
    link_id = world.link.id
    for user in (world.supplier, world.receiver):
        as_user(auth, user)
        answer(client, link_id, "accept")
    answer(client, link_id, "decline")
    assert "您的答复未能记录：该对接状态为“已达成”，已不能再答复" in page(client, f"/links/{link_id}")
    assert fresh(db, Link, link_id).status == "agreed"
    assert fresh(db, Listing, world.offer.id).committed_quantity == pytest.approx(6_000)


@pytest.mark.parametrize("who", ["outsider", "manager", "admin"])
def test_only_a_party_may_answer(client, auth, db, exchange, who):
    world = exchange()
    auth.login(getattr(world, who))
    assert answer(client, world.link.id, "accept").status_code == 403
    link = fresh(db, Link, world.link.id)
    assert (link.supplier_decision, link.receiver_decision, link.status) == (None, None, "proposed")


def test_an_answer_must_be_accept_or_decline(client, auth, db, exchange):
    world = exchange()
    auth.login(world.supplier)
    response = answer(client, world.link.id, "maybe")
    assert response.status_code == 400 and 'data-field="decision"' in response.get_data(as_text=True)
    assert fresh(db, Link, world.link.id).supplier_decision is None


@pytest.mark.parametrize(("who", "sees"), [("outsider", 403), ("other_manager", 403), ("manager", 200),
                                           ("admin", 200)])
def test_who_sees_a_link_page(client, auth, exchange, who, sees):
    world = exchange()
    auth.login(getattr(world, who))
    assert client.get(f"/links/{world.link.id}").status_code == sees


def test_park_managers_see_the_links_touching_their_parks(client, auth, exchange):
    world = exchange()
    auth.login(world.manager)
    html = page(client, "/links/")
    assert 'id="park-links"' in html and f'id="link-{world.link.id}"' in html
    assert 'value="accept"' not in html  # they watch, they do not answer
    as_user(auth, world.other_manager)
    assert f'id="link-{world.link.id}"' not in page(client, "/links/")


def test_status_filter(client, auth, exchange):
    world = exchange()
    auth.login(world.supplier)
    assert f'id="link-{world.link.id}"' in page(client, "/links/?status=proposed")
    assert f'id="link-{world.link.id}"' not in page(client, "/links/?status=agreed")
    assert f'id="link-{world.link.id}"' in page(client, "/links/?status=nonsense")  # ignored: everything


def test_an_anonymous_supplier_is_named_to_the_receiver_once_it_accepts(client, auth, exchange):
    world = exchange(visibility="anonymous")
    link = world.link
    auth.login(world.receiver)
    html = page(client, f"/links/{link.id}")
    assert "甲电力公司" not in html and "甲电厂" not in html and "Plant A" not in html
    assert "一家匿名供方每年可向乙水泥厂供应" in html and "An anonymous supplier can send" in html
    sites = json.loads(re.search(r'id="link-map-sites">(.*?)</script>', html, re.S).group(1))
    supplier_point = sites["features"][0]
    assert "name" not in supplier_point["properties"]
    assert supplier_point["geometry"]["coordinates"] == pytest.approx([117.2, 31.8])  # the 0.05° grid
    assert "甲电厂" not in page(client, "/links/")

    for user in (world.supplier, world.manager):  # its own people and its park's managers always see it
        as_user(auth, user)
        assert "甲电力公司" in page(client, f"/links/{link.id}")
    as_user(auth, world.supplier)
    answer(client, link.id, "accept")
    as_user(auth, world.receiver)
    html = page(client, f"/links/{link.id}")
    assert "甲电力公司" in html and explanation(link, "zh") in html


def test_nav_shows_the_links_to_members_of_an_organisation(client, auth, exchange, make_user):
    world = exchange()
    auth.login(world.supplier)
    assert 'href="/links/"' in page(client, "/")
    as_user(auth, make_user("admin"))
    assert 'href="/links/"' not in page(client, "/")


# ---------------------------------------------------------------------------------------------
# Changing an answer, answering twice, and an organisation on both sides


def in_english(client, auth, user):
    as_user(auth, user)
    client.get("/lang/en")


def row_of(html: str, link_id: int) -> str:
    row = html[html.index(f'id="link-{link_id}"'):]
    return row[:row.index("</tr>")]


def answers_shown(html: str) -> dict:
    """Each side's answer as the page states it."""
    return {side: re.search(rf'class="{side}-decision">([^<]*)<', html).group(1) for side in ("supplier", "receiver")}


def test_an_acceptance_can_be_withdrawn_until_the_other_side_answers(client, auth, db, exchange):
    world = exchange()
    link_id = world.link.id
    in_english(client, auth, world.supplier)
    answer(client, link_id, "accept", back="mine")
    row = row_of(page(client, "/links/"), link_id)
    assert answers_shown(row) == {"supplier": "accepted", "receiver": "no answer yet"}
    assert 'value="accept"' not in row and 'value="decline"' in row and "Withdraw and decline" in row

    in_english(client, auth, world.receiver)  # the other side still has both answers
    row = row_of(page(client, "/links/"), link_id)
    assert 'value="accept"' in row and 'value="decline"' in row and "Withdraw" not in row

    in_english(client, auth, world.supplier)
    answer(client, link_id, "decline")
    html = page(client, f"/links/{link_id}")
    assert "You withdrew your acceptance: the link is declined." in html
    assert answers_shown(html) == {"supplier": "declined", "receiver": "no answer yet"}
    assert 'value="decline"' not in html and 'value="accept"' not in html
    link = fresh(db, Link, link_id)
    assert (link.status, link.supplier_decision, link.receiver_decision) == ("declined", "declined", None)

    in_english(client, auth, world.receiver)
    answer(client, link_id, "accept")
    assert "Your answer was not recorded: the link is declined" in page(client, f"/links/{link_id}")


def test_both_sides_see_when_a_half_answered_proposal_lapses(client, auth, db, exchange):
    from marketplace.models import Link
    from marketplace.services.matching import PROPOSAL_LIFETIME

    world = exchange()
    link_id = world.link.id
    in_english(client, auth, world.supplier)
    assert "lapses on" not in page(client, f"/links/{link_id}")  # nobody has answered: nothing waits yet
    answer(client, link_id, "accept")
    lapses = (db.session.get(Link, link_id).run.created_at + PROPOSAL_LIFETIME).date().isoformat()
    assert f"Unless answered, it lapses on {lapses}." in page(client, f"/links/{link_id}")
    in_english(client, auth, world.receiver)
    assert f"Unless answered, it lapses on {lapses}." in page(client, f"/links/{link_id}")


def test_the_same_answer_twice_is_no_error(client, auth, db, exchange):
    world = exchange()
    link_id = world.link.id
    in_english(client, auth, world.supplier)
    answer(client, link_id, "accept")
    answer(client, link_id, "accept")  # a second tab, or the back button
    html = page(client, f"/links/{link_id}")
    assert "not recorded" not in html and "You accepted the link; it waits for the other side." in html

    in_english(client, auth, world.receiver)
    answer(client, link_id, "accept")
    answer(client, link_id, "accept")
    html = page(client, f"/links/{link_id}")
    assert "not recorded" not in html and "the link is agreed" in html
    assert answers_shown(html) == {"supplier": "accepted", "receiver": "accepted"}
    assert fresh(db, Listing, world.offer.id).committed_quantity == pytest.approx(6_000)


def test_an_organisation_moving_fly_ash_between_its_own_plants_answers_for_both_sides(
        client, auth, db, make_org, make_site, make_listing, make_user):
    owner = make_org(name_zh="丙能源集团", name_en="Group C")
    power = make_site(organisation=owner, sector_code="4411", lonlat=(117.213, 31.812))
    cement = make_site(organisation=owner, sector_code="3011", lonlat=(117.4, 31.9))
    offer = make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000)
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    (link,) = start_run().links
    in_english(client, auth, make_user("plant", organisation=owner))

    html = page(client, "/links/")
    assert html.count(f'id="link-{link.id}"') == 1
    row = row_of(html, link.id)
    assert row.count(">you<") == 2 and "your answer counts for both sides" in row
    assert 'value="accept"' in row and 'value="decline"' in row

    answer(client, link.id, "accept", back="mine")
    html = page(client, f"/links/{link.id}")
    assert "the link is agreed" in html and answers_shown(html) == {"supplier": "accepted", "receiver": "accepted"}
    assert 'value="accept"' not in html and 'value="decline"' not in html
    assert fresh(db, Link, link.id).status == "agreed"
    assert fresh(db, Listing, offer.id).committed_quantity == pytest.approx(6_000)
