"""`callcenter demo` end to end: from an empty directory, the first simulated call becomes a draft appeal within a
minute, its recording shows the "no speech model installed — how to install" state, and Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.drills.servers import free_port, wait_port

pytestmark = pytest.mark.drill
pytest.importorskip("telephony.sim", reason="the demo's simulated calls land in main with the telephony branches")


class Demo:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def token(self, username: str) -> dict[str, str]:
        response = self.http.post("/api/auth/token", data={"username": username, "password": "demo"})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    port, ami, control = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env |= {"CALLCENTER_PBX_SIM_PORT": str(ami), "CALLCENTER_AMI_PORT": str(ami), "CALLCENTER_PBX_SIM_CONTROL_PORT": str(control)}
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "demo", "--port", str(port), "--data-dir", str(tmp_path / "var")],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Demo(proc, port, log)
    try:
        wait_port(port, timeout=90)
        yield running
    finally:
        running.http.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _eventually(check: Any, *, timeout: float, what: str, demo: Demo) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        assert demo.proc.poll() is None, f"the demo exited with {demo.proc.returncode}:\n{demo.output()[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"no {what} within {timeout:.0f} s:\n{demo.output()[-3000:]}")


def test_demo_takes_calls_within_a_minute_and_stops_cleanly_on_ctrl_c(demo: Demo) -> None:
    out = demo.output()
    for expected in ("http://127.0.0.1:", "operator1", "PJSIP/op101", "password 'demo'", "Ctrl-C"):
        assert expected in out, f"banner lacks {expected!r}:\n{out[-2000:]}"
    operator = demo.token("operator1")
    started = time.monotonic()

    def first_draft() -> dict[str, Any] | None:
        body = demo.http.get("/api/appeals", params={"status": "draft", "channel": "phone"}, headers=operator).json()
        return body["items"][0] if body["total"] else None

    draft = _eventually(first_draft, timeout=60, what="draft appeal from a call", demo=demo)
    assert draft["call_ids"], draft
    assert time.monotonic() - started < 60
    supervisor = demo.token("supervisor")

    def no_model_transcript() -> dict[str, Any] | None:
        items = demo.http.get("/api/appeals", params={"channel": "phone", "limit": 100}, headers=operator).json()["items"]
        for appeal in items:
            for t in demo.http.get(f"/api/appeals/{appeal['id']}/transcripts", headers=supervisor).json():
                if t["status"] == "no_model":
                    return dict(t)
        return None

    transcript = _eventually(no_model_transcript, timeout=90, what="recording in the no-model state", demo=demo)
    assert "CALLCENTER_VOSK_MODEL_PATH" in transcript["error"], transcript
    demo.proc.send_signal(signal.SIGINT)
    code = demo.proc.wait(timeout=30)
    assert code in (0, 130), demo.output()[-3000:]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{demo.port}/healthz", timeout=2)
    assert "Traceback" not in demo.output().split("Stop with Ctrl-C.")[-1], demo.output()[-3000:]
