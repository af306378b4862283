"""A duty officer takes a roll call in a real browser: every resident is marked present by
default, the officer touches only two exceptions (one absent, one in hospital with a
note), saves, and the page shows the meals count for the kitchen."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import expect

from .conftest import browser_page
from .test_intake_flow import OFFICER_PASSWORD, create_officer, log_in_officer

pytestmark = pytest.mark.e2e


def admit_three(live_server, username: str, tag: str) -> list[int]:
    """Three clients received two days ago, through the API (they are in residence at any
    session since)."""
    token = requests.post(f"{live_server.url}/api/v1/auth/token", timeout=10, json={
        "username": username, "password": OFFICER_PASSWORD}).json()["token"]
    received = datetime.now(timezone.utc) - timedelta(days=2)
    body = {"agency": "satpol_pp", "officer_name": "Bripka Darto",
            "officer_id_number": "85041234", "bast_number": f"BAST/{tag}",
            "operation_place": "Terminal Slawi",
            "operation_at": (received - timedelta(hours=1)).isoformat(),
            "received_at": received.isoformat(),
            "clients": [{"name": f"{name} {tag}", "identity_known": False, "sex": "L",
                         "estimated_age": 40, "pmks_category": 11, "needs_isolation": False}
                        for name in ("Darsono", "Rasimin", "Wagino")]}
    response = requests.post(f"{live_server.url}/api/v1/intakes", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    return [c["stay_id"] for c in response.json()["clients"]]


def test_a_roll_call_with_two_exceptions(browser, live_server):
    username = create_officer(browser, live_server)
    tag = uuid.uuid4().hex[:5]
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        absent, hospital, present = admit_three(live_server, username, tag)
        page.goto("/rollcall")
        rows = page.locator("#rollcall-form tbody tr")
        total = rows.count()
        assert total >= 3
        # All present by default.
        expect(page.locator(f'input[name="status_{present}"][value="present"]')).to_be_checked()
        page.locator(f'input[name="status_{absent}"][value="absent"]').check()
        page.locator(f'input[name="status_{hospital}"][value="hospital"]').check()
        page.fill(f'input[name="note_{hospital}"]', "Dirawat di RSUD dr. Soeselo")
        expect(page.locator(f'tr[data-stay="{absent}"]')).to_have_class("exception")
        page.get_by_role("button", name="Simpan apel").click()
        expect(page.locator("main")).to_contain_text("Apel dicatat")
        expect(page.locator("[data-meals]")).to_have_text(str(total - 2))
        expect(page.locator(f'input[name="status_{absent}"][value="absent"]')).to_be_checked()
        expect(page.locator(f'input[name="note_{hospital}"]')).to_have_value(
            "Dirawat di RSUD dr. Soeselo")
        # The correction form is offered now, and the dashboard tells the kitchen.
        expect(page.get_by_role("button", name="Simpan koreksi apel")).to_be_visible()
        page.goto("/")
        expect(page.locator("#operations-today")).to_contain_text(
            f"Porsi makan (klien hadir): {total - 2}")
