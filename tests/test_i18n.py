"""Translations: Indonesian is the source language; the English catalog is complete,
compiled, and used when a page asks for English."""
import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "rps_app" / "translations" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
FIX = "run ./scripts/translations, translate the new entries, and commit the .po and .mo"


def _catalog():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle)


def _messages():
    return [m for m in _catalog() if m.id]


def test_every_english_entry_is_translated_and_keeps_its_placeholders():
    for message in _messages():
        assert message.string, f"no English for {message.id!r}: {FIX}"
        assert "fuzzy" not in message.flags, f"fuzzy translation of {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)), f"placeholders differ in {message.id!r}"


def test_compiled_catalog_matches_the_po_file():
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _messages():
        assert compiled.gettext(message.id) == message.string, (
            f"messages.mo is older than messages.po ({message.id!r}): {FIX}")


def test_every_text_in_the_code_is_in_the_catalog():
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "_l": None, "N_": None}  # N_: the labels of the domains' vocabulary.py
    in_code = {message for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords) if isinstance(message, str)}
    known = {m.id for m in _messages()}
    missing = sorted(in_code - known)
    assert not missing, f"{len(missing)} texts without English ({FIX}): {missing[:10]}"


def test_login_page_switches_to_english_with_lang_en(client):
    indonesian = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in indonesian
    assert "Nama pengguna" in indonesian and "Username" not in indonesian

    english = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Username" in english and "Nama pengguna" not in english
    # The choice sticks for the rest of the session.
    assert "Username" in client.get("/login").get_data(as_text=True)
    assert "Nama pengguna" in client.get("/login?lang=id").get_data(as_text=True)


def test_the_navigation_follows_the_language_and_the_role_of_each_request(app):
    """The links are built once per role and language: a second user, or the same user in
    another language, must not get the first one's."""
    from .conftest import login

    def nav(page) -> str:
        html = page.get_data(as_text=True)
        return html[html.index('<nav class="mainnav"'):html.index("</nav>")]

    admin, officer = app.test_client(), app.test_client()
    login(admin, app, role="admin")
    login(officer, app, role="petugas")
    assert ">Beranda<" in nav(admin.get("/")) and ">Pengguna<" in nav(admin.get("/"))
    assert ">Beranda<" in nav(officer.get("/")) and ">Pengguna<" not in nav(officer.get("/"))
    english = nav(admin.get("/?lang=en"))
    assert ">Home<" in english and ">Beranda<" not in english
    assert ">Beranda<" in nav(officer.get("/"))
    assert 'aria-current="page">Beranda<' in nav(officer.get("/"))
    clients = nav(officer.get("/clients"))
    assert 'aria-current="page">Klien<' in clients and 'aria-current="page">Beranda<' not in clients
