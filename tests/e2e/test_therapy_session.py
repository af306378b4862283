"""The head of the RPS adds a counsellor to the staff register and books a therapy session
for a client from the stay page in a real browser; the session shows on the stay page and
in the room's calendar, and the same hour cannot be booked twice."""
import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import browser_page
from .test_intake_flow import create_officer, log_in_officer, receive_one

pytestmark = pytest.mark.e2e


def test_book_a_therapy_session_from_the_stay_page(browser, live_server):
    username = create_officer(browser, live_server, role="kepala")
    name = f"Kasdi {uuid.uuid4().hex[:5]}"
    counsellor = f"Dra. Wulan {uuid.uuid4().hex[:4]}"
    # A day of its own on the shared server: other runs may have booked other days.
    day = date.today() + timedelta(days=2 + uuid.uuid4().int % 300)
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        page.goto("/staff")
        page.fill('input[name="name"]', counsellor)
        page.select_option('select[name="sex"]', "P")
        page.fill('input[name="position"]', "Psikolog")
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("main")).to_contain_text(counsellor)
        receive_one(page, name, "L", "45", "11")
        page.locator("table.intake-clients a[href^='/stays/']").first.click()
        expect(page).to_have_url(re.compile(r"/stays/\d+$"))
        stay_url = page.url

        sessions = page.locator("#sessions")
        expect(sessions).to_contain_text("Belum ada sesi.")
        sessions.get_by_text("Jadwalkan sesi terapi").click()
        page.select_option('select[name="session-room_id"]', label="TRP-2 · Ruang Terapi 2")
        page.fill('input[name="session-starts_at"]', f"{day.isoformat()}T10:00")
        page.fill('input[name="session-ends_at"]', f"{day.isoformat()}T11:00")
        page.fill('input[name="session-purpose"]', "Konseling individu")
        page.select_option('select[name="session-staff_id"]', label=counsellor)
        sessions.get_by_role("button", name="Jadwalkan sesi").click()

        expect(page).to_have_url(stay_url)
        expect(page.locator(".flash-success")).to_contain_text("Ruang TRP-2 dipesan")
        row = page.locator("#sessions tbody tr", has_text="Konseling individu")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("TRP-2")
        expect(row).to_contain_text("terjadwal")
        expect(row).to_contain_text(counsellor)

        # The room's day calendar shows it in the 10:00 row, two half hours long.
        row.get_by_role("link").click()
        expect(page.locator("main")).to_contain_text(name)  # the booking names its client
        page.get_by_role("link", name=re.compile("TRP-2 · Ruang Terapi 2")).click()
        cell = page.locator("td.slot-booked", has_text="Konseling individu")
        expect(cell).to_have_count(1)
        expect(cell).to_have_attribute("rowspan", "2")
        expect(page.locator("table.calendar")).not_to_contain_text(name)  # no names on the door

        # Booking the same hour again from the stay page is refused, naming the time.
        page.goto(stay_url)
        page.locator("#sessions").get_by_text("Jadwalkan sesi terapi").click()
        page.select_option('select[name="session-room_id"]', label="TRP-2 · Ruang Terapi 2")
        page.select_option('select[name="session-staff_id"]', label=counsellor)
        page.fill('input[name="session-starts_at"]', f"{day.isoformat()}T10:30")
        page.fill('input[name="session-ends_at"]', f"{day.isoformat()}T11:30")
        page.locator("#sessions").get_by_role("button", name="Jadwalkan sesi").click()
        expect(page.locator(".flash-error")).to_contain_text("sudah dipesan")
        expect(page.locator(".field.has-error")).to_contain_text("Bertabrakan")
