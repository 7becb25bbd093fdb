"""The control interface (HTTP/JSON): place calls through the simulator, inspect, drop, script Originate outcomes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from telephony.sim.control import serve_control
from telephony.sim.server import Simulator
from tests.telephony.sim.client import RawAmi, get

CAPTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ami" / "internal_ext_to_ext.ami"


@pytest.fixture
async def control(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    server = await serve_control(sim, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        yield client
    server.close()


async def test_place_a_call_and_see_it_on_the_ami(sim: Simulator, ami: RawAmi, control: httpx.AsyncClient) -> None:
    response = await control.post("/calls", json={"caller": "+380671234567", "did": "1551", "outcome": "answered", "notice_seconds": 300})
    assert response.status_code == 200
    call = response.json()
    frames = await ami.until(lambda f: get(f, "Event") == "Newchannel")
    assert get(frames[-1], "Uniqueid") == call["uniqueid"] == call["linkedid"]
    channels = (await control.get("/channels")).json()
    assert [c["linkedid"] for c in channels] == [call["linkedid"]]
    assert channels[0]["caller"] == "+380671234567"
    assert (await control.get("/calls")).json()[0]["channel"] == call["channel"]
    hung = await control.post("/hangup", json={"linkedid": call["linkedid"]})
    assert hung.json()["hung_up"] == [call["channel"]]
    await ami.until(lambda f: get(f, "Event") == "Hangup")
    status = (await control.get("/status")).json()
    assert status["sessions"] == 1
    assert status["stats"]["calls_placed"] == 1


async def test_bad_calls_are_rejected_with_a_reason(control: httpx.AsyncClient) -> None:
    bad = await control.post("/calls", json={"outcome": "teleported"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_call"
    assert "teleported" in bad.json()["error"]["message"]
    unknown = await control.post("/calls", json={"colour": "red"})
    assert "unknown call fields ['colour']" in unknown.json()["error"]["message"]
    not_json = await control.post("/calls", content=b"{nope")
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "invalid_json"
    assert (await control.get("/nowhere")).status_code == 404
    assert (await control.post("/hangup", json={"channel": "PJSIP/none"})).status_code == 404


async def test_originates_are_counted_and_outcomes_scripted(ami: RawAmi, control: httpx.AsyncClient) -> None:
    scripted = await control.post("/originate-outcomes", json={"interface": "PJSIP/op102", "outcome": "busy"})
    assert scripted.status_code == 200
    assert (await control.post("/originate-outcomes", json={"interface": "PJSIP/op102", "outcome": "maybe"})).status_code == 400
    await ami.action(
        "Originate",
        ("Channel", "PJSIP/op102"),
        ("Context", "callcenter-callback"),
        ("Exten", "380501234567"),
        ("Priority", "1"),
        ("Async", "true"),
    )
    frames = await ami.until(lambda f: get(f, "Event") == "OriginateResponse")
    assert get(frames[-1], "Reason") == "5"
    log = (await control.get("/originates")).json()
    assert log["count"] == 1
    assert ["Channel", "PJSIP/op102"] in log["items"][0]["headers"]


async def test_drop_and_faults_and_devices(sim: Simulator, ami: RawAmi, control: httpx.AsyncClient) -> None:
    assert (await control.post("/faults", json={"faults": ["split", "slow-write=1"]})).json()["faults"]["split"] is True
    bad = await control.post("/faults", json={"faults": ["explode"]})
    assert bad.status_code == 400
    assert "unknown fault" in bad.json()["error"]["message"]
    assert (await control.post("/faults", json={"faults": [], "reset": True})).json()["faults"]["split"] is False
    gone = await control.post("/devices", json={"interface": "PJSIP/op101", "available": False})
    assert gone.json() == {"interface": "PJSIP/op101", "available": False}
    frames = await ami.until(lambda f: get(f, "Event") == "QueueMemberStatus")
    assert get(frames[-1], "Status") == "5"
    assert (await control.post("/drop")).json() == {"dropped": 1}
    assert await ami.closed()


async def test_restart_through_control(sim: Simulator, ami: RawAmi, control: httpx.AsyncClient) -> None:
    assert (await control.post("/restart", json={"down_seconds": "soon"})).status_code == 400
    assert (await control.post("/restart", json={"down_seconds": 0.2})).json() == {"restarting": True, "down_seconds": 0.2}
    frames = await ami.until(lambda f: get(f, "Event") == "Shutdown")
    assert get(frames[-1], "Restart") == "True"
    assert await ami.closed()


async def test_replay_through_control(ami: RawAmi, control: httpx.AsyncClient) -> None:
    assert (await control.post("/replay", json={"path": str(CAPTURE)})).json() == {"sent_to": 1}
    assert (await control.post("/replay", json={"path": "/no/such.ami"})).status_code == 400


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_cli_process_serves_ami_and_control_and_stops_on_sigterm(tmp_path: Path) -> None:
    ami_port, control_port = _free_port(), _free_port()
    env = {**os.environ, "CALLCENTER_RECORDINGS_DIR": str(tmp_path), "CALLCENTER_DEMO": "1"}
    cmd = [
        sys.executable,
        "-m",
        "callcenter.cli",
        "pbx-sim",
        "--port",
        str(ami_port),
        "--control-port",
        str(control_port),
        "--scenario",
        "none",
        "--speed",
        "50",
    ]
    proc = await asyncio.create_subprocess_exec(*cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        client = await _connect_retry(ami_port)
        assert client.banner == b"Asterisk Call Manager/9.0.0\r\n"
        assert get(await client.login(), "Message") == "Authentication accepted"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{control_port}") as http:
            placed: dict[str, Any] = (await http.post("/calls", json={"outcome": "answered", "caller": "+380441112233"})).json()
        frames = await client.until(lambda f: get(f, "UserEvent") == "CallcenterRecording", limit=20)
        assert get(frames[-1], "Linkedid") == placed["linkedid"]
        assert (tmp_path / str(get(frames[-1], "RecordingFile"))).is_file()
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in _out.decode().splitlines() if line.startswith("{")]
    assert any(line.get("msg") == "pbx simulator listening" for line in lines)


async def _connect_retry(port: int) -> RawAmi:
    for _ in range(600):  # importing the whole CLI takes seconds on a busy 2-core machine
        try:
            return await RawAmi.connect(port)
        except OSError:
            await asyncio.sleep(0.1)
    raise AssertionError("the simulator did not start")


def test_cli_rejects_an_unknown_fault(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "callcenter.cli", "pbx-sim", "--port", "0", "--fault", "explode"],
        capture_output=True,
        text=True,
        env={**os.environ, "CALLCENTER_RECORDINGS_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown fault 'explode'" in result.stderr


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--cdr-database-url", "nonsense"], 2, "invalid CDR database URL"),
        (["--cdr-database-url", "postgresql+psycopg://nobody@127.0.0.1:1/x"], 1, "cannot open the CDR database"),
        (["--fault", "slow-read=soon"], 2, "needs a number"),
    ],
)
async def test_cli_bad_input_is_one_clear_line(argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from callcenter.cli import build_parser
    from callcenter.cli_pbxsim import serve

    args = build_parser().parse_args(["pbx-sim", "--port", "0", *argv])
    assert await serve(args) == code
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
