"""Notifications in the reader's language (issue 11): a notice is stored as a message (template and values, names in
both languages) and each reader reads it in theirs; notices stored as text before still show."""
from __future__ import annotations

import html
import json
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.errors import translated
from matching.knowledge.loader import load_knowledge

WUHU = (118.38, 31.33)
NEAR_WUHU = (118.45, 31.40)  # about 10 km away
NOTICE = re.compile(r'<button type="submit" class="btn btn-link p-0 align-baseline text-start">(.*?)</button>', re.S)
HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def people(make_org, make_site, make_user):
    recycler_org, plant_org = make_org(), make_org()
    return {"recycler": make_user("recycler", organisation=recycler_org),
            "plant_site": make_site(organisation=plant_org, lonlat=NEAR_WUHU)}


def saved_search_notice(db, people):
    from marketplace.models import Notification
    from marketplace.services.listing_check import ListingInput
    from marketplace.services.listings import create_listing
    from marketplace.services.saved_searches import save_search
    from marketplace.services.search import SearchQuery

    save_search(people["recycler"], SearchQuery(lon=WUHU[0], lat=WUHU[1], radius_km=50.0,
                                                material_codes=("coal-fly-ash",)), name="ash near Wuhu")
    create_listing(people["plant_site"], ListingInput(kind="offer", material="coal-fly-ash", quantity=5000,
                                                      unit="t/yr"), publish=True)
    return db.session.scalar(select(Notification))


def notices(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in NOTICE.findall(page)]


def test_a_saved_search_notice_is_stored_as_a_message(db, people):
    note = saved_search_notice(db, people)
    db.session.expire(note)
    assert note.message_data and note.message_data["template"]
    assert json.loads(json.dumps(note.message_data)) == note.message_data
    assert re.fullmatch(r"粉煤灰, \d+\.\d km away", str(note.shown_message))


def test_each_reader_reads_the_saved_search_notice_in_their_language(client, auth, db, people):
    note = saved_search_notice(db, people)
    fly_ash = load_knowledge().materials["coal-fly-ash"]
    auth.login(people["recycler"])
    (chinese,) = notices(client.get("/search/notifications").get_data(as_text=True))
    assert fly_ash.name_zh in chinese and "公里" in chinese and LATIN_WORD.search(chinese) is None, chinese
    client.get("/lang/en")
    (english,) = notices(client.get("/search/notifications").get_data(as_text=True))
    assert re.fullmatch(rf"{fly_ash.name_en}, \d+\.\d km away", english) and HAN.search(english) is None, english
    # the distance is the one the notice recorded
    assert re.search(r"\d+\.\d", chinese).group(0) == re.search(r"\d+\.\d", english).group(0) in note.message


def test_a_notice_stored_as_text_before_still_shows(client, auth, db, people):
    note = saved_search_notice(db, people)
    note.message_data = None
    note.message = "粉煤灰 / coal fly ash, 12.3 km"
    db.session.commit()
    auth.login(people["recycler"])
    client.get("/lang/en")
    (english,) = notices(client.get("/search/notifications").get_data(as_text=True))
    assert english == f"{load_knowledge().materials['coal-fly-ash'].name_en}, 12.3 km"


def test_a_run_request_notice_names_organisation_and_park_in_the_readers_language(app, db, make_org, make_park,
                                                                                  make_site, make_user):
    from marketplace.models import Notification
    from marketplace.services.run_requests import request_run

    park = make_park(name_zh="慈湖高新区", name_en="Cihu park")
    org = make_org(name_zh="芜湖某水泥有限公司", name_en="Wuhu Cement Co.")
    make_site(organisation=org, park=park)
    make_user("park_manager", parks=[park])
    assert request_run(org, park) == 1
    note = db.session.scalar(select(Notification))
    db.session.expire(note)
    with app.test_request_context():
        with force_locale("en"):
            assert translated(note.shown_message) == "Wuhu Cement Co. asks for a match run in Cihu park"
        with force_locale("zh"):
            chinese = translated(note.shown_message)
    assert "芜湖某水泥有限公司" in chinese and "慈湖高新区" in chinese and LATIN_WORD.search(chinese) is None, chinese
