"""A site's sector notes in the reader's language (issue 11): the sector reader's doubts ("'盐化工': read as 2612 …;
please confirm") are stored as messages and shown to a Chinese reader in Chinese and to an English reader in English,
the sectors named in the reader's language, on the site page and in the API; notes stored as English text before
still show.
"""
from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from marketplace.models import Site
from marketplace.services.accounts import issue_api_token
from matching.knowledge.sectors import load_sectors

HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
NOTE = re.compile(r'<div class="small text-muted sector-note"( lang="en")?>(.*?)</div>', re.S)
SECTORS = load_sectors()

# What plants write that the reader doubts, and a sector each note names (the salt-chemistry guess, a code and a
# name that disagree, a division-level guess with the sectors it could be).
DOUBTFUL = [("盐化工", "2612"), ("3011 炼油厂", "2511"), ("C3011 炼油厂", "3011")]


def site_form(**overrides):
    form = {"external_ref": "HF-01", "name_zh": "合肥一厂", "sector": "3011", "crs": "WGS84",
            "lon": "117.2272", "lat": "31.8206", "city": "340100", "park": ""}
    form.update(overrides)
    return form


def page_notes(page: str) -> list[tuple[str | None, str]]:
    """The sector notes of a site page as a reader sees them: (lang attribute, text)."""
    return [(lang.strip() or None, html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for lang, text in NOTE.findall(page)]


def without(text: str, written: str) -> str:
    """The note without what the plant wrote (quoted whole or in its parts), which stays as written."""
    for part in sorted({written, *written.split()}, key=len, reverse=True):
        text = text.replace(part, "")
    return text


@pytest.fixture
def plant(make_user, auth):
    user = make_user("plant")
    auth.login(user)
    return user


@pytest.fixture
def doubtful_sites(client, db, plant):
    """One site per doubtful text, created through the form as a plant would."""
    sites = []
    for number, (written, named) in enumerate(DOUBTFUL, start=1):
        response = client.post("/org/sites/new", data=site_form(external_ref=f"D-{number}", sector=written))
        assert response.status_code == 302
        site = db.session.scalar(select(Site).where(Site.external_ref == f"D-{number}"))
        assert site.sector_to_confirm and site.sector_notes, written
        sites.append((site, written, named))
    return sites


def test_notes_are_stored_as_messages_that_survive_json(db, doubtful_sites):
    for site, written, _ in doubtful_sites:
        db.session.expire(site)
        stored = db.session.scalar(select(Site.sector_notes).where(Site.id == site.id))
        assert stored and all(isinstance(note, dict) and note["template"] for note in stored)
        assert json.loads(json.dumps(stored)) == stored
        assert all(written in str(note) for note in site.sector_messages)


def test_a_chinese_reader_sees_the_notes_in_chinese_with_chinese_sector_names(client, doubtful_sites):
    for site, written, named in doubtful_sites:
        page = client.get(f"/sites/{site.id}").get_data(as_text=True)
        notes = page_notes(page)
        assert notes, written
        for lang, text in notes:
            assert lang is None  # in the page's language
            assert LATIN_WORD.search(without(text, written)) is None, text  # no English word but what was written
            assert written in text
        assert any(f"{named}（{SECTORS[named].name_zh}）" in text or f"{named} {SECTORS[named].name_zh}" in text
                   for _, text in notes), notes


def test_an_english_reader_sees_the_notes_in_english_with_english_sector_names(client, doubtful_sites):
    client.get("/lang/en")
    for site, written, named in doubtful_sites:
        notes = page_notes(client.get(f"/sites/{site.id}").get_data(as_text=True))
        assert notes, written
        for _, text in notes:
            assert HAN.search(without(text, written)) is None, text  # no Chinese but what was written
        assert any(f"{named} ({SECTORS[named].name_en})" in text or f"{named} {SECTORS[named].name_en}" in text
                   for _, text in notes), notes
    salt = doubtful_sites[0][0]
    assert page_notes(client.get(f"/sites/{salt.id}").get_data(as_text=True)) == [
        (None, "'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm")]


def test_the_api_gives_the_notes_in_the_language_asked_for(client, db, doubtful_sites, plant):
    bearer = {"Authorization": f"Bearer {issue_api_token(plant)}"}
    for site, written, named in doubtful_sites:
        zh = client.get(f"/api/v1/sites/{site.id}", headers={**bearer, "Accept-Language": "zh-CN,zh;q=0.9"}).json
        en = client.get(f"/api/v1/sites/{site.id}", headers={**bearer, "Accept-Language": "en-GB,en;q=0.8"}).json
        assert len(zh["sector_notes"]) == len(en["sector_notes"]) == len(site.sector_notes) > 0
        assert all(LATIN_WORD.search(without(note, written)) is None for note in zh["sector_notes"]), zh
        assert all(HAN.search(without(note, written)) is None for note in en["sector_notes"]), en
        assert any(SECTORS[named].name_zh in note for note in zh["sector_notes"])
        assert any(SECTORS[named].name_en in note for note in en["sector_notes"])
    listed = client.get("/api/v1/sites", headers={**bearer, "Accept-Language": "en"}).json
    assert [s["sector_notes"] for s in listed if s["site_id"] == "D-1"] == [
        ["'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm"]]


def test_notes_stored_as_english_text_before_still_show(client, db, plant, make_site):
    # A row written before notes were messages: a note the reader still gives is shown in the reader's language;
    # one it no longer gives stays the English it was, marked as English, and nothing fails.
    old = make_site(organisation=plant.organisation, sector_code="2612", sector_written="盐化工",
                    sector_to_confirm=True,
                    sector_notes=["'盐化工': read as 2612 (无机碱制造); please confirm", "a note from an older reader"])
    notes = page_notes(client.get(f"/sites/{old.id}").get_data(as_text=True))
    assert len(notes) == 2
    assert notes[0][0] is None and "请确认" in notes[0][1] and "无机碱制造" in notes[0][1]
    assert notes[1] == ("lang=\"en\"", "a note from an older reader")
    bearer = {"Authorization": f"Bearer {issue_api_token(plant)}"}
    body = client.get(f"/api/v1/sites/{old.id}", headers={**bearer, "Accept-Language": "en"}).json
    assert body["sector_notes"] == ["'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm",
                                    "a note from an older reader"]


def test_a_correction_that_reads_as_nothing_is_refused_in_the_readers_language(client, db, plant, make_site):
    guess = make_site(organisation=plant.organisation, sector_code="2612", sector_written="盐化工",
                      sector_to_confirm=True)
    bearer = {"Authorization": f"Bearer {issue_api_token(plant)}"}
    refused = client.post(f"/api/v1/sites/{guess.id}/sectors", headers={**bearer, "Accept-Language": "zh"},
                          json={"sector": "qwertyuiop"})
    assert refused.status_code == 422
    note = refused.json["message"].split("qwertyuiop", 1)[1]  # what the reader says of it
    assert note and LATIN_WORD.search(note.replace("GB/T", "")) is None, note
    refused = client.post(f"/api/v1/sites/{guess.id}/sectors", headers={**bearer, "Accept-Language": "en"},
                          json={"sector": "qwertyuiop"})
    assert "'qwertyuiop': matches no GB/T 4754-2017 sector" in refused.json["message"]
