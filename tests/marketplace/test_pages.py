"""Pages: languages, assets served by the app itself, error pages."""
import re

import pytest


def test_chinese_is_the_default_and_english_a_click_away(client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "登录" in page
    client.get("/lang/en")
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page
    client.get("/lang/zh")
    assert "登录" in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("url", "signed_in"), [
    ("/", False), ("/auth/login", False), ("/auth/signup", False),
    ("/", True), ("/parks/", True), ("/org", True), ("/org/sites/new", True)])
def test_pages_load_scripts_and_styles_only_from_the_app(client, auth, make_user, make_park, url, signed_in):
    make_park()
    if signed_in:
        auth.login(make_user("plant"))
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    references = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page)
    assert references, "expected the page to reference its assets"
    for reference in references:
        if reference.startswith("data:"):
            continue  # inline, fetched from no host
        assert reference.startswith("/"), f"{url} loads {reference} from elsewhere"
        assert not reference.startswith("//")
        asset = client.get(reference)
        asset.close()
        assert asset.status_code == 200, reference
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_basemap_host_is_allowed_only_when_configured():
    from marketplace.security import basemap_source

    assert basemap_source("") == ""
    assert basemap_source("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}") == "https://t*.tianditu.gov.cn"
    assert basemap_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"


def test_map_pages_work_without_a_base_map(client, auth, make_user, make_park):
    park = make_park()
    auth.login(make_user("park_manager", parks=[park]))
    page = client.get(f"/parks/{park.id}").get_data(as_text=True)
    assert 'data-basemap-url=""' in page and "park-map-parks" in page


def test_not_found_is_a_page_in_html_and_json_for_the_api(client, auth, make_user):
    auth.login(make_user("plant"))
    response = client.get("/parks/424242")
    assert response.status_code == 404 and "text/html" in response.content_type
    assert client.get("/api/v1/sites/424242").is_json


def test_every_message_has_a_chinese_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "marketplace/translations/zh/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


# Strings that read the same in a Chinese page: format names and acronyms. Anything else left equal to
# its English msgid is a copied placeholder, which the non-empty check above cannot tell from a translation.
SAME_IN_CHINESE = frozenset({"CSV", "XLSX", "GeoJSON", "JSON", "API"})


def _english_words(text):
    # Placeholders (%(name)s, %s, {0}) and HTML tags hold names, not words a reader sees.
    text = re.sub(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^}]*\}|<[^>]*>", " ", text)
    return re.findall(r"[A-Za-z]{3,}", text)


def test_no_chinese_translation_is_the_english_copied():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "marketplace/translations/zh/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    copied = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        chinese = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(text in english for text in chinese) and english[0] not in SAME_IN_CHINESE \
                and any(_english_words(text) for text in english):
            copied.append(english[0])
    assert copied == [], f"{len(copied)} msgstr copied from the English: {copied[:10]}"


@pytest.mark.parametrize(("text", "has_words"), [
    ("Accept", True), ("CNY", True), ("t/a", False), ("%(km).1f km", False), ("{sites} shown of %(count)d", True),
    ("<b>%(name)s</b>", False), ("target %(target)s %%", True)])
def test_english_words_ignore_placeholders_and_tags(text, has_words):
    assert bool(_english_words(text)) is has_words


def test_catalog_is_up_to_date_with_the_source():
    """Every translatable string in the code and templates is in the catalogue."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(root / "marketplace"), method_map=method_map,
                                             keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None})}
    with (root / "marketplace/translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = sorted(m for m in found if m not in catalog)
    assert missing == [], f"run `make translations-update`: {missing[:10]}"
