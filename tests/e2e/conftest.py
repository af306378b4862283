"""End-to-end fixtures: real `rps serve` servers (SQLite, and PostgreSQL when reachable)
driven by a real headless Chromium through Playwright's sync API."""
import os
from contextlib import contextmanager

import pytest

from .live import init_instance, installation_database, start_server

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright cannot download its own here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


BACKENDS = ["sqlite", "postgresql"]
ADMIN_PASSWORD = "Tegal-Sosial-2026!"  # what log_in_as_admin() sets at the forced change


@contextmanager
def installation(backend: str, tmp_path_factory):
    """A fresh installation: `rps init`, then `rps serve` with 2 workers; PostgreSQL in a
    database of its own, dropped afterwards.

    The server's `admin_password` is the first admin's current password (the one-time
    password until a test changes it; such a test stores the new one there).
    """
    instance = tmp_path_factory.mktemp(f"e2e-{backend}") / "instance"
    with installation_database(backend, "rps_e2e") as url:
        live = None
        try:
            password = init_instance(instance, url)
            live = start_server(instance, url, workers=2, admin_password=password,
                                backend=backend)
            yield live
        finally:
            if live is not None:
                live.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(request, tmp_path_factory):
    """One installation per backend shared by the whole run (tests must not assume the
    database is empty)."""
    with installation(request.param, tmp_path_factory) as live:
        yield live


@pytest.fixture(params=BACKENDS)
def fresh_server(request, tmp_path_factory):
    """An installation of its own, for tests of what happens only once (the first login)."""
    with installation(request.param, tmp_path_factory) as live:
        yield live


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = (f"{CHROMIUM} not found: install Debian's chromium package "
                   "(./scripts/test does so when run as root).")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def browser_page(browser, server):
    """A page in a new browser profile (no cookies), pointed at `server`."""
    context = browser.new_context(base_url=server.url, locale="id-ID")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    with browser_page(browser, live_server) as page:
        yield page


def log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Masuk").click()


def log_in_as_admin(page, live_server) -> None:
    """Log in as the first admin of `live_server`, making the forced password change when
    it is still due."""
    log_in(page, "admin", live_server.admin_password)
    page.wait_for_load_state()
    if "/account" in page.url and page.locator('input[name="current_password"]').count():
        page.fill('input[name="current_password"]', live_server.admin_password)
        page.fill('input[name="new_password"]', ADMIN_PASSWORD)
        page.fill('input[name="confirm_password"]', ADMIN_PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi").click()
        page.wait_for_load_state()
        live_server.admin_password = ADMIN_PASSWORD


@pytest.fixture
def admin_page(page, live_server):
    """A browser page logged in as the first admin of the shared live server."""
    log_in_as_admin(page, live_server)
    return page
