"""End-to-end fixtures: real `rps serve` servers (SQLite, and PostgreSQL when reachable)
driven by a real headless Chromium through Playwright's sync API."""
import os
import uuid

import pytest
import sqlalchemy as sa

from ..conftest import POSTGRES_URL, _postgres_server_or_skip
from .live import init_instance, start_server

CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright cannot download its own here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory):
    """A fresh installation per backend: `rps init`, then `rps serve` with 2 workers.

    `live_server.admin_password` is the first admin's current password (the one-time
    password until a test changes it, which then stores the new one here).
    """
    instance = tmp_path_factory.mktemp(f"e2e-{request.param}") / "instance"
    database_url = server = name = live = None
    if request.param == "postgresql":
        server = _postgres_server_or_skip()
        name = f"rps_e2e_{uuid.uuid4().hex[:8]}"
        with server.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        database_url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(
            hide_password=False)
    try:
        password = init_instance(instance, database_url)
        live = start_server(instance, database_url, workers=2, admin_password=password,
                            backend=request.param)
        yield live
    finally:
        if live is not None:
            live.stop()
        if server is not None:
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


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


@pytest.fixture
def page(browser, live_server):
    """A new browser profile (no cookies) per test, pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
