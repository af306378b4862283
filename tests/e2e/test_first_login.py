"""The first admin's first login on a fresh installation, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import browser_page, log_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Kata-Sandi-Baru-2026"


def test_first_admin_logs_in_changes_the_one_time_password_and_logs_out(browser,
                                                                          fresh_server):
    one_time = fresh_server.admin_password  # as printed by `rps init`
    assert one_time and one_time != NEW_PASSWORD
    with browser_page(browser, fresh_server) as page:
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/login"))
        log_in(page, "admin", one_time)

        # The one-time password must be changed before anything else.
        expect(page).to_have_url(re.compile(r"/account"))
        expect(page.locator("main")).to_contain_text(
            "Silakan ganti kata sandi Anda terlebih dahulu.")
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/account"))

        page.fill('input[name="current_password"]', one_time)
        page.fill('input[name="new_password"]', NEW_PASSWORD)
        page.fill('input[name="confirm_password"]', NEW_PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi").click()
        expect(page.locator("main")).to_contain_text("Kata sandi telah diganti.")

        page.goto("/")
        expect(page.locator("h1")).to_have_text("Beranda")
        expect(page.locator("main")).to_contain_text("Selamat datang, Administrator.")

        page.get_by_role("button", name="Keluar").click()
        expect(page).to_have_url(re.compile(r"/login"))
        expect(page.locator("main")).to_contain_text("Anda telah keluar.")
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/login"))

        # The one-time password is spent; the new one goes straight to the dashboard.
        log_in(page, "admin", one_time)
        expect(page.locator("main")).to_contain_text("Nama pengguna atau kata sandi salah.")
        log_in(page, "admin", NEW_PASSWORD)
        expect(page.locator("h1")).to_have_text("Beranda")


def test_shared_server_admin_helper_reaches_the_dashboard(admin_page):
    admin_page.goto("/")
    expect(admin_page.locator("h1")).to_have_text("Beranda")
    expect(admin_page.get_by_role("button", name="Keluar")).to_be_visible()
