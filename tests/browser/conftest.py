"""Shared browser fixtures: a live API (uvicorn in a thread) over a fresh SQLite DB and a claimed Redis DB index,
Debian chromium driven by Playwright, and a screenshot of every page test under tests/artifacts/ (git-ignored).

Use: `def test_x(page, live, staff): staff("op", Role.operator, extension="PJSIP/op101"); sign_in(page, live, "op")`.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session

from agent_console.app import AppConfig, create_app
from agent_console.hub import HubConfig
from appeals.models import Role, User
from appeals.seeding import seed_reference
from callcenter.wiring import upgrade_database
from runtime.db import build_engine
from runtime.redis import connect
from tests.conftest import SECRET
from tests.factories import PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
REDIS_BASE = os.environ.get("CALLCENTER_TEST_REDIS_BASE", "redis://127.0.0.1:6379")
BROWSER_DB_INDEXES = range(10, 16)
"""Redis DB indexes the live servers claim one at a time (helpers and CI jobs run browser tests concurrently)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A Redis URL on a DB index no other test process is using (claimed with SET NX, flushed before and after)."""
    for index in BROWSER_DB_INDEXES:
        url = f"{REDIS_BASE}/{index}"
        client = redis.Redis.from_url(url, decode_responses=True)
        if client.set("cc:test:claim", str(os.getpid()), nx=True, ex=1800):
            client.flushdb()
            client.set("cc:test:claim", str(os.getpid()), ex=1800)
            try:
                yield url
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail(f"every Redis DB index in {list(BROWSER_DB_INDEXES)} is claimed by another test process")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded SQLite database for the module's live server."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'console.db'}"
    upgrade_database(url)
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
    engine.dispose()
    return url


@dataclass
class Live:
    """A running API: its base URL, engine and (decoded) Redis client."""

    url: str
    engine: Engine
    redis: redis.Redis
    app: FastAPI

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http") + "/ws/console"

    def __str__(self) -> str:
        return self.url


def serve(app: object, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    """Run an ASGI app with uvicorn in a daemon thread until `server.should_exit` is set."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on", ws_ping_interval=None))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        pytest.fail(f"the live API did not start on port {port}")
    return server, thread


@pytest.fixture(scope="module")
def hub_config() -> HubConfig:
    """The live server's hub settings; a test module overrides this fixture to shrink queues or heartbeats."""
    return HubConfig()


def start_live(db_url: str, redis_url: str, hub: HubConfig) -> tuple[Live, Callable[[], None]]:
    """One more API instance over the same DB and Redis (several instances share the stream); returns a stopper."""
    engine = build_engine(db_url)
    client = connect(redis_url)
    app = create_app(AppConfig(secret_key=SECRET, hub=hub), engine=engine, redis_client=client)
    server, thread = serve(app, free_port())

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)
        client.close()
        engine.dispose()

    return Live(f"http://127.0.0.1:{server.config.port}", engine, client, app), stop


@pytest.fixture(scope="module")
def live(db_url: str, redis_url: str, hub_config: HubConfig) -> Iterator[Live]:
    """The real app (outbox drainer and WebSocket hub included) on a free port, real clock."""
    server, stop = start_live(db_url, redis_url, hub_config)
    yield server
    stop()


@pytest.fixture
def staff(live: Live) -> Callable[..., User]:
    """Create a user on the live server's DB: staff("op1", Role.operator, extension="PJSIP/op101")."""

    def create(username: str, role: Role, *, extension: str | None = None, org: str | None = None) -> User:
        return make_user(live.engine, username, role, now=datetime.now(UTC), extension=extension, org=org)

    return create


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API keeps an event loop running in the main thread while it is open, which
    async tests in other modules cannot share."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context at 1366×768 in Ukrainian and Kyiv time; the last screen is saved as tests/artifacts/<test>.png."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="uk-UA", timezone_id="Europe/Kyiv", accept_downloads=True)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def sign_in(page: Page, live: Live | str, username: str, password: str = PASSWORD, *, next_path: str | None = None) -> None:
    """Sign in through the login page and wait for the redirect away from it."""
    base = str(live)
    page.goto(base + "/" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: not url.rstrip("/").endswith(base.split("//", 1)[1]) and "?next=" not in url)
    expect(page.locator("#who")).not_to_be_empty()
