"""End to end, as deployed: `callcenter pbx-sim` and `callcenter listener` as subprocesses. Every inbound call
becomes exactly one draft appeal, and only inbound calls do, through a dropped link, a burst and a restart of the
listener; SIGTERM stops the listener cleanly with JSON-line logs and a `down` heartbeat."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.models import Appeal, Call, CallbackKind, CallbackTask
from runtime import streams
from tests.conftest import REDIS_URL, Backend

CALLCENTER = str(Path(sys.executable).parent / "callcenter")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(check: Any, *, within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


class Sim:
    def __init__(self, control: int) -> None:
        self.control = control

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.control}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.loads(response.read())


@pytest.fixture
def env(backend: Backend, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CALLCENTER_DEMO": "1",
        "CALLCENTER_DATABASE_URL": backend.url,
        "CALLCENTER_REDIS_URL": REDIS_URL,
        "CALLCENTER_CDR_DATABASE_URL": f"sqlite:///{tmp_path / 'cdr.db'}",
        "CALLCENTER_RECORDINGS_DIR": str(tmp_path / "recordings"),
        "CALLCENTER_AMI_RECONNECT_MAX": "1",
        "CALLCENTER_LISTENER_HEARTBEAT_SECONDS": "0.5",
    }


@pytest.fixture
def sim(env: dict[str, str], tmp_path: Path) -> Iterator[Sim]:
    ami, control = _free_port(), _free_port()
    env["CALLCENTER_AMI_PORT"] = str(ami)
    args = [CALLCENTER, "pbx-sim", "--port", str(ami), "--control-port", str(control), "--scenario", "none", "--speed", "4"]
    out = (tmp_path / "sim.log").open("wb")
    proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    handle = Sim(control)

    def ready() -> bool:
        try:
            return handle.call("GET", "/status") is not None
        except OSError:
            return False

    _wait(ready, within=60, what="pbx-sim up")
    yield handle
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    out.close()


def _start_listener(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([CALLCENTER, "listener"], env=env, stdout=out, stderr=subprocess.STDOUT)


def _state(client: redis.Redis) -> str:
    return str((streams.read_listener_state(client) or {}).get("state", ""))


def _calls(engine: Engine) -> dict[str, Call]:
    with Session(engine) as session:
        return {c.call_id: c for c in session.exec(select(Call)).all()}


def check_first_calls(engine: Engine, first: list[str]) -> None:
    calls = _calls(engine)
    with Session(engine) as session:
        requested = session.exec(select(CallbackTask).where(CallbackTask.kind == CallbackKind.requested_callback)).all()
    assert first[2] in {t.call_id for t in requested}
    assert calls[first[8]].caller is None
    assert calls[first[0]].answered is True
    assert calls[first[0]].interface
    assert calls[first[1]].abandoned is True
    assert calls[first[3]].abandoned is False  # a queue timeout is not an abandon
    assert calls[first[3]].answered is False


def test_every_inbound_call_exactly_one_draft_through_drop_burst_and_restart(
    sim: Sim, env: dict[str, str], engine: Engine, redis_client: redis.Redis, tmp_path: Path, backend: Backend
) -> None:
    log = tmp_path / "listener.log"
    listener = _start_listener(env, log)
    try:
        _wait(lambda: _state(redis_client) == "up", within=60, what="listener up")
        inbound: list[str] = []
        other: list[str] = []
        for outcome in (
            "answered",
            "abandoned",
            "callback_request",
            "timeout",
            "blind_transfer",
            "attended_transfer",
            "no_answer_then_answered",
            "agent_hangup",
        ):
            inbound.append(sim.call("POST", "/calls", {"outcome": outcome, "caller": "0501234567", "wait_seconds": 30})["linkedid"])
        inbound.append(sim.call("POST", "/calls", {"caller": "anonymous", "outcome": "abandoned", "wait_seconds": 30})["linkedid"])
        other.append(sim.call("POST", "/calls", {"kind": "outbound", "target": "0442001122"})["linkedid"])
        other.append(sim.call("POST", "/calls", {"kind": "internal", "target": "102"})["linkedid"])
        time.sleep(1.0)
        sim.call("POST", "/drop")  # mid-call (the callers wait 30 simulated s): the listener reconnects and resyncs
        inbound.append(sim.call("POST", "/calls", {"outcome": "answered", "caller": "0671112233"})["linkedid"])
        inbound += sim.call("POST", "/burst", {"count": 30, "seconds": 2})["linkedids"]
        _wait(lambda: set(inbound) <= set(_calls(engine)), within=90, what="drafts of every inbound call")
        first = inbound[:9]
        _wait(lambda: all(_calls(engine)[c].ended_at for c in first), within=90, what="the first calls ended")
        check_first_calls(engine, first)
        listener.send_signal(signal.SIGTERM)  # a restart in the middle of the burst
        assert listener.wait(20) == 0
        listener = _start_listener(env, log)
        _wait(lambda: sim.call("GET", "/status")["active_calls"] == 0, within=240, what="the simulator to finish its calls")
        _wait(lambda: all(c.ended_at for c in _calls(engine).values()), within=60, what="every call ended")
    finally:
        listener.send_signal(signal.SIGTERM)
        code = listener.wait(20)
    assert code == 0
    calls = _calls(engine)
    assert set(calls) == set(inbound)
    assert not set(other) & set(calls)
    with Session(engine) as session:
        assert len(session.exec(select(Appeal)).all()) == len(inbound)
    offered = [json.loads(f["data"])["call_id"] for _, f in streams.read_range(redis_client) if f["type"] == "call.offered"]
    assert sorted(offered) == sorted(inbound)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert any(r["msg"] == "listener stopped" for r in records)
    assert not any("0501234567" in line for line in lines)  # phone numbers are masked in logs
    assert _state(redis_client) == "down"
