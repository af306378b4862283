"""A duty officer receives three clients in one intake through the form in a real browser,
places them all automatically and finds them on the bed board."""
import re
import time
import uuid

import pytest
import requests
from playwright.sync_api import expect

from .conftest import browser_page, log_in, log_in_as_admin

pytestmark = pytest.mark.e2e

OFFICER_PASSWORD = "Petugas-Jaga-2026!"


def create_officer(browser, live_server, role: str = "petugas") -> str:
    """An administrator adds a duty officer, or a user of `role` (the shared server may
    hold others)."""
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    with browser_page(browser, live_server) as page:
        log_in_as_admin(page, live_server)
        page.goto("/admin/users/new")
        page.fill('input[name="username"]', username)
        page.fill('input[name="full_name"]', "Petugas Uji")
        page.select_option('select[name="role"]', role)
        page.fill('input[name="password"]', "Sementara-12345")
        page.fill('input[name="confirm_password"]', "Sementara-12345")
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("main")).to_contain_text(username)
    return username


def log_in_officer(page, username: str) -> None:
    log_in(page, username, "Sementara-12345")
    page.fill('input[name="current_password"]', "Sementara-12345")
    page.fill('input[name="new_password"]', OFFICER_PASSWORD)
    page.fill('input[name="confirm_password"]', OFFICER_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi").click()
    expect(page.locator("main")).to_contain_text("Kata sandi telah diganti.")


def fill_row(page, index: int, name: str, sex: str, age: str, category: str) -> None:
    row = page.locator("[data-row]").nth(index)
    row.locator('input[name$="-name"]').fill(name)
    row.locator('select[name$="-sex"]').select_option(sex)
    row.locator('input[name$="-estimated_age"]').fill(age)
    row.locator('select[name$="-pmks_category"]').select_option(category)


def receive_one(page, name: str, sex: str, age: str, category: str) -> None:
    """One client who came in by themselves, received through the intake form now."""
    page.goto("/intakes/new")
    page.select_option('select[name="agency"]', "self")
    page.fill('input[name="officer_name"]', "-")
    page.fill('input[name="officer_id_number"]', "-")
    page.fill('input[name="bast_number"]', "DS/1")
    page.fill('input[name="operation_place"]', "Kantor RPS")
    page.fill('input[name="operation_at"]', page.input_value('input[name="received_at"]'))
    fill_row(page, 0, name, sex, age, category)
    page.get_by_label("Tempatkan semua saat menyimpan").uncheck()  # waits in the queue
    page.get_by_role("button", name="Simpan penerimaan").click()
    expect(page).to_have_url(re.compile(r"/intakes/\d+$"))


def test_three_clients_in_one_intake_placed_and_on_the_board(browser, live_server):
    username = create_officer(browser, live_server)
    tag = uuid.uuid4().hex[:5]  # names of this run, the shared server may hold others
    names = [f"Sutrisno {tag}", f"Warsini {tag}", f"Karto {tag}"]
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        page.goto("/intakes/new")
        page.select_option('select[name="agency"]', "satpol_pp")
        page.fill('input[name="officer_name"]', "Bripka Darto")
        page.fill('input[name="officer_id_number"]', "85041234")
        page.fill('input[name="bast_number"]', f"BAST/{tag}")
        page.fill('input[name="operation_place"]', "Alun-alun Slawi")
        received = page.input_value('input[name="received_at"]')
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", received)  # defaults to now
        page.fill('input[name="operation_at"]', received)

        fill_row(page, 0, names[0], "L", "52", "11")
        # Enter in a field does not submit the batch; "add a row" focuses the new name.
        page.locator('input[name="clients-0-estimated_age"]').press("Enter")
        expect(page).to_have_url(re.compile(r"/intakes/new$"))
        for index in (1, 2):
            page.get_by_role("button", name="+ Tambah klien").click()
            expect(page.locator("[data-row]")).to_have_count(index + 1)
            expect(page.locator("[data-row]").nth(index).locator('input[name$="-name"]')) \
                .to_be_focused()
        fill_row(page, 1, names[1], "P", "47", "12")
        fill_row(page, 2, names[2], "L", "60", "11")
        # A psychotic sign ticks "needs isolation" by itself.
        third = page.locator("[data-row]").nth(2)
        third.locator('input[name$="-psychotic"]').check()
        expect(third.locator('input[name$="-needs_isolation"]')).to_be_checked()
        third.locator('input[name$="-psychotic"]').uncheck()
        expect(third.locator('input[name$="-needs_isolation"]')).not_to_be_checked()

        # "Place everyone" is on by default; here the officer saves first and places from
        # the result page (the night-shift test covers placing on save).
        page.get_by_label("Tempatkan semua saat menyimpan").uncheck()
        page.get_by_role("button", name="Simpan penerimaan").click()
        expect(page).to_have_url(re.compile(r"/intakes/\d+$"))
        expect(page.locator("main")).to_contain_text("Penerimaan disimpan: 3 klien terdaftar.")
        table = page.locator("table.intake-clients")
        for name in names:
            expect(table).to_contain_text(name)
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table).to_contain_text("belum ditempatkan")

        page.get_by_role("button", name="Tempatkan semua otomatis").click()
        expect(page.locator("main")).to_contain_text("3 klien ditempatkan otomatis.")
        expect(table).not_to_contain_text("belum ditempatkan")
        beds = table.locator("td.bed-cell")
        for index in range(3):
            expect(beds.nth(index)).to_have_text(re.compile(r"(PA|PI)-\d / \d+"))
        women = beds.nth(1).inner_text()
        assert women.startswith("PI-")

        page.goto("/rooms")
        board = page.locator("main")
        for name in names:
            occupied = page.locator("li.bed-occupied", has_text=name)
            expect(occupied).to_have_count(1)
        expect(page.locator("#queue")).not_to_contain_text(names[0])
        expect(board).to_contain_text("Putra")
        expect(board).to_contain_text("Putri")

        # The search-before-create offers the known client when his name is typed again.
        page.goto("/intakes/new")
        page.locator('input[name="clients-0-name"]').type(f"Sutrisno {tag}", delay=20)
        offer = page.locator("[data-suggestions] button", has_text=names[0])
        expect(offer).to_be_visible()
        expect(offer).to_be_disabled()  # still in the shelter: cannot be received again


def test_choose_a_bed_on_the_board(browser, live_server):
    username = create_officer(browser, live_server)
    name = f"Painem {uuid.uuid4().hex[:5]}"
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        receive_one(page, name, "P", "70", "8")

        page.goto("/rooms")
        waiting = page.locator("[data-queue-stay]", has_text=name)
        waiting.get_by_role("button", name="Pilih tempat tidur").click()
        expect(page.locator("#choose-hint")).to_be_visible()
        # Only free beds of the women's shelters (and none of the men's) can be chosen.
        choosable = page.locator("#room-PI-4 .bed-choice.choosable")
        expect(choosable.first).to_be_enabled()
        assert page.locator("#room-PA-1 .bed-choice.choosable").count() == 0
        label = choosable.last.inner_text().split(" ")[0]
        choosable.last.click()
        expect(page.locator("main")).to_contain_text(f"Ditempatkan di PI-4 / {label}.")
        expect(page.locator("#room-PI-4 li.bed-occupied", has_text=name)).to_have_count(1)


def clients_named(live_server, username: str, name: str) -> list[dict]:
    """Clients on file under exactly `name`, through the API as the officer."""
    token = requests.post(f"{live_server.url}/api/v1/auth/token", timeout=10, json={
        "username": username, "password": OFFICER_PASSWORD}).json()["token"]
    response = requests.get(f"{live_server.url}/api/v1/clients", params={"q": name},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return [row for row in response.json() if row["name"] == name]


def test_a_double_click_on_save_with_a_slow_reply_makes_one_intake(browser, live_server):
    """The officer double-clicks "save" while the network is slow (every reply held back
    1.5 s): the button says it is saving and one intake is made, not two."""
    username = create_officer(browser, live_server)
    name = f"Dobelklik {uuid.uuid4().hex[:5]}"
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        page.goto("/intakes/new")
        page.select_option('select[name="agency"]', "satpol_pp")
        page.fill('input[name="officer_name"]', "Bripka Darto")
        page.fill('input[name="officer_id_number"]', "85041234")
        page.fill('input[name="bast_number"]', "BAST/DOBEL")
        page.fill('input[name="operation_place"]', "Pasar Pagi Tegal")
        page.fill('input[name="operation_at"]', page.input_value('input[name="received_at"]'))
        fill_row(page, 0, name, "L", "45", "11")
        # Chromium's own network throttling: the request leaves at once, its reply is late.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 1500, "downloadThroughput": -1,
            "uploadThroughput": -1})
        # What the page did with each submit, read after it has gone (console messages).
        submits = []
        page.on("console", lambda message: submits.append(message.text)
                if message.text.startswith("submit:") else None)
        page.evaluate("""() => document.addEventListener("submit", (event) => {
            const button = event.target.querySelector("button[type=submit]");
            console.log("submit:" + (event.defaultPrevented ? "held" : "sent") + ":"
                        + button.disabled + ":" + button.textContent.trim());
        })""")
        started = time.monotonic()
        page.get_by_role("button", name="Simpan penerimaan").dblclick()
        expect(page).to_have_url(re.compile(r"/intakes/\d+$"), timeout=30_000)
        assert time.monotonic() - started >= 1.4  # the reply was indeed held back
        # One submit went out; the button then said it was saving and took no second one.
        assert submits == ["submit:sent:true:Menyimpan..."], submits
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        expect(page.locator("main")).to_contain_text("1 klien terdaftar")
        expect(page.locator("table.intake-clients tbody tr")).to_have_count(1)
    assert len(clients_named(live_server, username, name)) == 1
