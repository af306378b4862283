"""The stock page in a real browser: a duty officer adds an item and receives two
deliveries with the keyboard only (the receipt form comes back focused after each line),
then issues with Alt+K."""
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import browser_page
from .test_intake_flow import create_officer, log_in_officer

pytestmark = pytest.mark.e2e


def test_receipts_and_an_issue_by_keyboard(browser, live_server):
    username = create_officer(browser, live_server)
    code = f"BRS-{uuid.uuid4().hex[:4]}"
    with browser_page(browser, live_server) as page:
        log_in_officer(page, username)
        page.goto("/stock")
        page.locator("details summary").click()
        page.fill('input[name="item-code"]', code)
        page.fill('input[name="item-name"]', "Beras medium")
        page.fill('input[name="item-unit"]', "kg")
        page.select_option('select[name="item-category"]', "pangan")
        page.fill('input[name="item-min_level"]', "5")
        page.get_by_role("button", name="Tambah barang").last.click()
        expect(page.locator("main h1")).to_contain_text(code)
        page.goto("/stock")
        page.keyboard.press("Alt+t")                       # to the receipt form's item
        expect(page.locator("#receipt-item_id")).to_be_focused()
        for quantity, lot in (("12", "A-1"), ("8", "B-2")):
            page.keyboard.type(code)                        # a select jumps to the option
            page.keyboard.press("Tab")
            page.keyboard.type(quantity)
            page.keyboard.press("Tab")
            page.keyboard.type(lot)
            page.keyboard.press("Enter")
            expect(page.locator(".flash-success")).to_contain_text(f"lot {lot}: {quantity}")
            expect(page.locator("#receipt-item_id")).to_be_focused()
        page.keyboard.press("Alt+k")
        expect(page.locator("#issue-item_id")).to_be_focused()
        page.keyboard.type(code)
        page.keyboard.press("Tab")
        page.keyboard.type("15")
        page.keyboard.press("Enter")
        expect(page.locator(".flash-success")).to_contain_text("A-1: 12, B-2: 3")
        row = page.locator("table.stock-balances tr", has_text=code)
        expect(row).to_contain_text("5 kg")
        expect(row).to_contain_text("Di bawah minimum")
