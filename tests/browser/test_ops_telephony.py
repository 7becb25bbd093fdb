"""The wallboard and the callback desk end to end: `callcenter pbx-sim`, `callcenter listener` and `callcenter api` run
as subprocesses; calls are placed through the simulator's control interface (never by injecting events)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from appeals.models import CallbackKind, CallbackTask, Role
from runtime.db import build_engine
from tests.browser.conftest import free_port, sign_in
from tests.factories import make_user

# until the listener and the simulator branches land next to this one, these tests have nothing to run against
pytest.importorskip("telephony.sim.server", reason="needs the PBX simulator (callcenter pbx-sim)")
pytest.importorskip("telephony.listener", reason="needs the listener (callcenter listener)")

CALLCENTER = str(Path(sys.executable).with_name("callcenter"))


@dataclass
class Stack:
    """The three processes: the API's base URL, the simulator's control URL, the shared database."""

    url: str
    control: str
    engine: Engine
    logs: Path

    def __str__(self) -> str:
        return self.url

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.control + path, data=data, method=method, headers={"Content-Type": "application/json"})  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def user(self, username: str, role: Role, extension: str | None = None) -> None:
        make_user(self.engine, username, role, now=datetime.now(UTC), extension=extension)


def _wait_http(url: str, procs: list[subprocess.Popen[bytes]], logs: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"a process exited early ({proc.args!r}); logs in {logs}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s; logs in {logs}")


def _listener_up(stack_url: str, procs: list[subprocess.Popen[bytes]], logs: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"a process exited early ({proc.args!r}); logs in {logs}")
        try:
            with urllib.request.urlopen(stack_url + "/healthz", timeout=2) as r:  # noqa: S310 - loopback
                if json.loads(r.read())["ami"]["status"] == "up":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the listener never reported the AMI link up; logs in {logs}")


@pytest.fixture(scope="module")
def stack(db_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("ops-stack")
    ami, control, api = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": db_url,
        "CALLCENTER_REDIS_URL": redis_url,
        "CALLCENTER_AMI_PORT": str(ami),
        "CALLCENTER_RECORDINGS_DIR": str(logs / "recordings"),
        "CALLCENTER_API_PORT": str(api),
        "CALLCENTER_SECRET_KEY": "ops-e2e-secret-key-0123456789abcdef",
        "CALLCENTER_AMI_SECRET": "ops-e2e-ami-secret",  # the simulator and the listener read the same setting
    }
    commands = {
        "pbx-sim": [CALLCENTER, "pbx-sim", "--port", str(ami), "--control-port", str(control), "--scenario", "none", "--operators", "2"],
        "listener": [CALLCENTER, "listener"],
        "api": [CALLCENTER, "api", "--port", str(api)],
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, argv in commands.items():
            with (logs / f"{name}.log").open("wb") as out:
                procs.append(subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT))
        stack = Stack(f"http://127.0.0.1:{api}", f"http://127.0.0.1:{control}", build_engine(db_url), logs)
        _wait_http(stack.control + "/status", procs, logs)
        _wait_http(stack.url + "/healthz", procs, logs)
        _listener_up(stack.url, procs, logs)
        yield stack
        stack.engine.dispose()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_wallboard_shows_a_waiting_caller_then_an_abandoned_one(page: Page, stack: Stack) -> None:
    stack.user("sup_e2e", Role.supervisor, extension="PJSIP/op190")
    for phone in ("PJSIP/op101", "PJSIP/op102"):  # nobody can answer: the caller waits, then gives up
        stack.sim("POST", "/devices", {"interface": phone, "available": False})
    sign_in(page, stack.url, "sup_e2e")
    expect(page).to_have_url(f"{stack}/supervisor")
    placed = stack.sim(
        "POST", "/calls", {"caller": "+380442345678", "outcome": "abandoned", "notice_seconds": 1, "wait_seconds": 12, "queue": "hotline"}
    )
    waiting = page.locator("#waiting tbody tr")
    expect(waiting).to_have_count(1, timeout=15000)
    expect(waiting.first).to_contain_text("5678")
    expect(page.locator(".tile[data-queue='hotline'] .waiting-count")).to_have_text("1")
    page.screenshot(path=str(_artifact("wallboard_waiting.png")), full_page=True)
    # the caller hangs up: the queue empties, the abandoned call is counted and listed as missed
    expect(waiting).to_have_count(0, timeout=25000)
    expect(page.locator(".tile[data-queue='hotline'] .abandoned")).to_have_text("1", timeout=15000)
    missed = page.locator(f"#missed tbody tr[data-call-id='{placed['linkedid']}']")
    expect(missed).to_contain_text("+380 44 234 5678", timeout=15000)
    expect(page.locator("#agents tr[data-interface='PJSIP/op101']")).to_contain_text("не в мережі")


def test_callback_agent_clicks_to_call_and_the_simulator_receives_the_originate(page: Page, stack: Stack) -> None:
    stack.user("cb_e2e", Role.callback_agent, extension="PJSIP/op101")
    stack.sim("POST", "/devices", {"interface": "PJSIP/op101", "available": True})
    with Session(stack.engine) as session:
        missed = session.exec(
            select(CallbackTask).where(CallbackTask.kind == CallbackKind.missed_call).order_by(col(CallbackTask.id).desc())
        ).first()
    assert missed is not None, "the abandoned call of the previous test should have left a missed-call task"
    before = stack.sim("GET", "/originates")["count"]
    sign_in(page, stack.url, "cb_e2e")
    expect(page).to_have_url(f"{stack}/callbacks")
    row = page.locator(f"#cb-list tr[data-task-id='{missed.id}']")
    expect(row).to_contain_text("+380 44 234 5678")
    row.click()
    page.click("#cb-call")
    expect(page.locator("#cb-status")).to_contain_text("Дзвонить ваш телефон")
    deadline = time.monotonic() + 15
    while stack.sim("GET", "/originates")["count"] == before and time.monotonic() < deadline:
        time.sleep(0.2)
    originate = stack.sim("GET", "/originates")["items"][-1]
    headers = [tuple(pair) for pair in originate["headers"]]
    assert ("Channel", "PJSIP/op101") in headers  # the agent's phone rings first
    assert ("Context", "callcenter-callback") in headers
    assert ("Exten", "380442345678") in headers  # then the citizen
    variables = ",".join(value for key, value in headers if key == "Variable")
    assert f"CC_TASK_ID={missed.id}" in variables, headers
    assert originate["error"] is None
    expect(page.locator("#cb-status")).not_to_contain_text("Дзвонить ваш телефон", timeout=60000)
    page.screenshot(path=str(_artifact("callbacks_after_originate.png")), full_page=True)
    page.click("#cb-buttons button[data-outcome=reached]")
    expect(page.locator("#flash")).to_contain_text("збережено")
    with Session(stack.engine) as session:
        task = session.get(CallbackTask, missed.id)
        assert task is not None
        assert (task.status.value, task.outcome) == ("done", "reached")


def _artifact(name: str) -> Path:
    folder = Path(__file__).resolve().parent.parent / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder / name
