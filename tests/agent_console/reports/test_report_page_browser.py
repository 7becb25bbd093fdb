"""The report page in a real browser (Debian chromium via Playwright): sign in, see the figures and the chart, filter, export."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import Engine

from agent_console.app import AppConfig, create_app
from agent_console.deps import get_now
from appeals.models import Role
from tests.appeals.reports.scenario import NOW, Scenario
from tests.conftest import SECRET
from tests.factories import PASSWORD, make_user


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_url(november: tuple[Engine, Scenario]) -> Iterator[str]:
    engine, _ = november
    make_user(engine, "viewer", Role.supervisor, now=NOW)
    app = create_app(AppConfig(secret_key=SECRET), engine=engine, redis_client=None, drain_outbox_in_background=False)
    app.dependency_overrides[get_now] = lambda: NOW
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(accept_downloads=True, locale="uk-UA", timezone_id="Europe/Kyiv")
        yield context.new_page()
        context.close()
        browser.close()


def test_sign_in_read_filter_and_export(page: Page, live_url: str, tmp_path: Path) -> None:
    page.goto(f"{live_url}/reports/executors")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button")
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-30")
    page.click("#filters button:not([type=button])")
    table = page.locator("table[data-table=executors]")
    expect(table).to_contain_text("Броваритепловодоенергія")
    expect(table.locator("tr.total")).to_contain_text("57,1 %")
    expect(page.locator("#report svg.chart")).to_have_count(1)
    expect(page.locator("#executor option")).to_contain_text(["усі", "Броварський ліфт"])
    page.select_option("#executor", label="Броварський ліфт")
    page.click("#filters button:not([type=button])")
    expect(table.locator("tbody tr").first).to_contain_text("Броварський ліфт")
    expect(table).not_to_contain_text("Броваритепловодоенергія")
    with page.expect_download() as info:
        page.click("[data-export=csv]")
    download = info.value
    assert download.suggested_filename.startswith("executors_2026-11-01_2026-11-30")
    saved = tmp_path / "out.csv"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Виконавець,Отримано,")
    assert "Броварський ліфт" in text


def test_an_expired_session_asks_to_sign_in_again(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/reports/overdue")
    page.evaluate("sessionStorage.setItem('cc_token', 'v1.not-a-token')")
    page.reload()
    expect(page.locator("#login")).to_be_visible()
