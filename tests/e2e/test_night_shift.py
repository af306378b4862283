"""Issue 13, the night shift: a duty officer logs in, receives a Satpol PP handover of
nine people (4 men, 3 women, a 12-year-old boy, a woman who needs isolation; three with
NIK, one unknown identity), places all nine and prints the BAST, in Chromium at 1366x768.

Every fill, select, check and click from the login to the BAST PDF is counted (the
navigation to the login page itself is not: the officer's browser opens there) and the
journey must take at most 40. With RPS_WRITE_SAMPLES=1 the screenshots of the intake
form, its result and the first BAST page are written to docs/samples/.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import browser_page
from .test_intake_flow import OFFICER_PASSWORD, create_officer, log_in_officer

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
VIEWPORT = {"width": 1366, "height": 768}
MAX_ACTIONS = 40


class Journey:
    """The officer's hands: each call is one counted action."""

    def __init__(self, page):
        self.page = page
        self.actions = 0

    def fill(self, locator, value: str) -> None:
        self.actions += 1
        locator.fill(value)

    def select(self, locator, value: str) -> None:
        self.actions += 1
        locator.select_option(value)

    def check(self, locator) -> None:
        self.actions += 1
        locator.check()

    def click(self, locator) -> None:
        self.actions += 1
        locator.click()


# (name, NIK, sex to choose, estimated age, extra): the nine of the handover.
PEOPLE = [
    ("Sutrisno", "3328011705800001", None, None, {}),
    ("Kasdi", "3329020811720003", None, None, {}),
    ("Tarjo", None, None, "38", {}),
    ("Mbah Brewok", None, None, "65", {"unknown": True}),
    ("Warsini", "3328054409850002", None, None, {}),
    ("Sainah", None, "P", "52", {}),
    ("Tarmi", None, "P", "41", {}),
    ("Bagus", None, None, "12", {"pmks": "4"}),
    ("Painem", None, "P", "33", {"isolation": True}),
]


def receive_and_place(page, journey: Journey, username: str, shots: Path) -> str:
    """The journey from the login page to the saved intake; returns its URL."""
    log_in_counted(page, journey, username)
    journey.click(page.get_by_role("link", name="Penerimaan", exact=True))
    expect(page.locator("h1")).to_have_text("Penerimaan klien (BAST)")

    journey.select(page.locator('select[name="agency"]'), "satpol_pp")
    journey.fill(page.locator('input[name="officer_name"]'), "Bripka Darto")
    journey.fill(page.locator('input[name="officer_id_number"]'), "85041234")
    journey.fill(page.locator('input[name="bast_number"]'), "BAST/SATPOL/112/XI/2026")
    journey.fill(page.locator('input[name="operation_place"]'), "Terminal Slawi")
    journey.select(page.locator('select[name="default_pmks_category"]'), "11")
    journey.select(page.locator('select[name="default_sex"]'), "L")
    journey.fill(page.locator("#add-count"), str(len(PEOPLE) - 1))
    journey.click(page.get_by_role("button", name="+ Tambah klien"))
    rows = page.locator("#client-rows [data-row]")
    expect(rows).to_have_count(len(PEOPLE))

    for index, (name, nik, sex, age, extra) in enumerate(PEOPLE):
        row = rows.nth(index)
        journey.fill(row.locator('input[name$="-name"]'), name)
        if nik:
            journey.fill(row.locator('input[name$="-nik"]'), nik)
        if sex:
            journey.select(row.locator('select[name$="-sex"]'), sex)
        if age:
            journey.fill(row.locator('input[name$="-estimated_age"]'), age)
        if extra.get("unknown"):
            journey.check(row.locator('input[name$="-identity_unknown"]'))
        if extra.get("pmks"):
            journey.select(row.locator('select[name$="-pmks_category"]'), extra["pmks"])
        if extra.get("isolation"):
            journey.check(row.locator('input[name$="-needs_isolation"]'))

    # What the NIK filled, and the running count beside the save button.
    warsini = rows.nth(4)
    expect(warsini.locator('select[name$="-sex"]')).to_have_value("P")
    expect(warsini.locator('input[name$="-birth_date"]')).to_have_value("1985-09-04")
    expect(warsini.locator("[data-nik-region]")).to_have_text("Kab. Tegal, Jawa Tengah")
    expect(rows.nth(1).locator("[data-nik-region]")).to_have_text("Kab. Brebes, Jawa Tengah")
    expect(rows.nth(0).locator('input[name$="-birth_date"]')).to_have_value("1980-05-17")
    bar = page.locator("#intake-bar")
    expect(bar.locator('[data-count="all"]')).to_have_text("9")
    expect(bar.locator('[data-count="L"]')).to_have_text("5")
    expect(bar.locator('[data-count="P"]')).to_have_text("4")
    expect(bar.locator('[data-count="isolation"]')).to_have_text("1")
    expect(page.locator('input[name="place_all"]')).to_be_checked()
    save = page.get_by_role("button", name="Simpan penerimaan")
    expect(save).to_be_in_viewport()  # the sticky bar: no scrolling down to save
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "intake-form.png"))
    page.evaluate("window.scrollTo(0, document.querySelector('#client-rows').offsetTop - 50)")
    page.screenshot(path=str(shots / "intake-form-rows.png"))

    journey.click(save)
    expect(page).to_have_url(re.compile(r"/intakes/\d+$"))
    main = page.locator("main")
    expect(main).to_contain_text("Penerimaan disimpan: 9 klien terdaftar, 9 ditempatkan.")
    page.screenshot(path=str(shots / "intake-result.png"), full_page=True)
    return page.url


def log_in_counted(page, journey: Journey, username: str) -> None:
    journey.fill(page.locator('input[name="username"]'), username)
    journey.fill(page.locator('input[name="password"]'), OFFICER_PASSWORD)
    journey.click(page.get_by_role("button", name="Masuk"))
    expect(page.locator("h1")).to_have_text("Beranda")


def check_placements(page) -> None:
    cells = {}
    for row in page.locator("table.intake-clients tbody tr").all():
        tds = row.locator("td")
        cells[tds.nth(2).inner_text().split()[0]] = tds.nth(6).inner_text()
    assert len(cells) == 9
    rooms = {name: bed.split(" / ")[0] for name, bed in cells.items()}
    for man in ("Sutrisno", "Kasdi", "Tarjo", "Mbah"):
        assert rooms[man].startswith("PA-"), cells
    for woman in ("Warsini", "Sainah", "Tarmi"):
        assert rooms[woman].startswith("PI-"), cells
    assert rooms["Painem"].startswith("ISO-"), cells
    assert rooms["Bagus"].startswith("PA-") and rooms["Bagus"] != rooms["Sutrisno"], cells
    assert len({rooms[man] for man in ("Sutrisno", "Kasdi", "Tarjo", "Mbah")}) == 1, cells


def check_board(page, shots: Path) -> None:
    """After the journey: the bed board fits 1366 pixels with the first two rooms of each
    sex in one row, and its filters work without loading the page again."""
    page.goto("/rooms")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    boxes = {code: page.locator(f"#room-{code}").bounding_box()
             for code in ("PA-1", "PA-2", "PI-1", "PI-2")}
    assert len({round(box["y"]) for box in boxes.values()}) == 1, boxes  # one row
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"]
               for box in boxes.values()), boxes
    page.screenshot(path=str(shots / "bed-board.png"))
    url = page.url
    occupied = page.locator("li.bed-occupied:not(.filtered-out)")
    expect(occupied).to_have_count(9)
    page.get_by_label("Anak").check()
    expect(occupied).to_have_count(1)
    expect(occupied.first).to_contain_text("Bagus")
    expect(page.locator("#room-PA-1")).to_be_hidden()  # no child there
    page.get_by_label("Anak").uncheck()
    page.get_by_label("Perlu isolasi").check()
    expect(occupied).to_have_count(1)
    expect(occupied.first).to_contain_text("Painem")
    page.get_by_label("Perlu isolasi").uncheck()
    page.get_by_label("Nama / no. registrasi").fill("warsi")
    expect(occupied).to_have_count(1)
    expect(occupied.first).to_contain_text("Warsini")
    assert page.url == url  # no reload, no name in the URL


@pytest.mark.parametrize("viewport", [VIEWPORT])
def test_night_shift(browser, fresh_server, tmp_path, viewport):
    username = create_officer(browser, fresh_server)
    with browser_page(browser, fresh_server) as page:  # the first login, before the shift
        log_in_officer(page, username)

    context = browser.new_context(base_url=fresh_server.url, locale="id-ID", viewport=viewport)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login")
        journey = Journey(page)
        receive_and_place(page, journey, username, tmp_path)
        check_placements(page)

        bast = page.get_by_role("link", name="Cetak BAST (PDF)")
        assert bast.get_attribute("target") == "_blank"  # the app stays in its tab
        assert "noopener" in bast.get_attribute("rel")
        with context.expect_page() as opened:
            journey.click(bast)
        tab = opened.value  # Chromium's PDF viewer in a new tab
        tab.wait_for_load_state()
        assert tab.url.endswith("/bast.pdf")
        assert re.search(r"/intakes/\d+$", page.url)  # the app is still in its own tab
        response = context.request.get(tab.url)  # the bytes the viewer shows
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        assert pdf.startswith(b"%PDF")
        check_board(page, tmp_path)
    finally:
        context.close()

    print(f"journey actions: {journey.actions}")
    assert journey.actions <= MAX_ACTIONS

    (tmp_path / "bast.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "bast.pdf"), str(tmp_path / "bast-page1")], check=True,
                   timeout=60)
    assert (tmp_path / "bast-page1.png").stat().st_size > 10_000
    if os.environ.get("RPS_WRITE_SAMPLES") == "1" and fresh_server.backend == "sqlite":
        SAMPLES.mkdir(parents=True, exist_ok=True)
        for name in ("intake-form.png", "intake-form-rows.png", "intake-result.png",
                     "bast-page1.png", "bed-board.png"):
            shutil.copy(tmp_path / name, SAMPLES / name)


# A real (tiny) PNG: the client page shows it back.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154"
    "789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def test_a_refused_intake_points_at_its_row_and_keeps_the_photo(browser, live_server, tmp_path):
    photo = tmp_path / "foto.png"
    photo.write_bytes(PNG)
    username = create_officer(browser, live_server)
    context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in_officer(page, username)
        page.goto("/intakes/new")
        page.select_option('select[name="agency"]', "polsek")
        page.fill('input[name="officer_name"]', "Aipda Slamet")
        page.fill('input[name="officer_id_number"]', "79120455")
        page.fill('input[name="bast_number"]', "B/77/XI/2026")
        page.fill('input[name="operation_place"]', "Pasar Slawi")
        page.fill("#add-count", "5")
        page.get_by_role("button", name="+ Tambah klien").click()
        rows = page.locator("#client-rows [data-row]")
        expect(rows).to_have_count(6)
        for index in range(6):
            row = rows.nth(index)
            row.locator('input[name$="-name"]').fill(f"Klien foto {index}")
            row.locator('select[name$="-sex"]').select_option("L")
            row.locator('select[name$="-pmks_category"]').select_option("12")
            if index != 4:  # row 5 forgets the age
                row.locator('input[name$="-estimated_age"]').fill("40")
        first = rows.nth(0)
        first.locator("summary").click()
        first.locator('input[type="file"]').set_input_files(str(photo))
        page.get_by_role("button", name="Simpan penerimaan").click()

        summary = page.locator("[data-error-summary]")
        expect(summary).to_contain_text("Penerimaan belum disimpan.")
        expect(summary.get_by_role("link", name="Klien 5")).to_be_visible()
        expect(page.locator("#row-5")).to_be_in_viewport()  # scrolled to the first error
        assert page.evaluate("window.scrollY") > 0
        kept = page.locator("#row-1 [data-photo-kept]")
        expect(kept).to_be_visible()  # the photo waits on the server, not chosen again

        page.locator("#row-5 input[name$='-estimated_age']").fill("38")
        page.get_by_role("button", name="Simpan penerimaan").click()
        expect(page).to_have_url(re.compile(r"/intakes/\d+$"))
        page.locator("table.intake-clients tbody tr").first.locator("a").first.click()
        page.get_by_role("link", name="Data klien").click()
        image = page.locator("img.client-photo")
        expect(image).to_be_visible()
        assert page.evaluate("document.querySelector('img.client-photo').naturalWidth") == 1
    finally:
        context.close()
