"""The wire trace: a JSON line per traced frame and client, stamped when the frame was handed to that client's socket."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import CallSpec
from tests.telephony.sim.client import RawAmi, get


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_agent_called_frames_are_traced_per_client_before_the_client_reads_them(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    sim = Simulator(SimConfig(speed=200, operators=3, trace_file=trace, recordings_dir=tmp_path / "rec"))
    await sim.start()
    clients = [await RawAmi.connect(sim.port) for _ in range(2)]
    anonymous = await RawAmi.connect(sim.port)  # never logs in: gets no events, so no trace line
    try:
        for client in clients:
            await client.login()
        placed = sim.engine.place(CallSpec(caller="+380671234567", operator="PJSIP/op102", notice_seconds=0.5, talk_seconds=1))
        received: list[float] = []
        for client in clients:
            frames = await client.until(lambda f: get(f, "Event") == "AgentCalled")
            received.append(time.time())
            assert get(frames[-1], "Interface") == "PJSIP/op102"
        await placed.task
    finally:
        for client in (*clients, anonymous):
            client.close()
        await sim.close()
    lines = _lines(trace)
    assert [line["event"] for line in lines] == ["AgentCalled", "AgentCalled"]  # nothing else is traced by default
    assert {line["Linkedid"] for line in lines} == {placed.linkedid}
    assert {line["Uniqueid"] for line in lines} == {placed.uniqueid}  # the caller's leg, not the Dest (operator) leg
    assert {line["Interface"] for line in lines} == {"PJSIP/op102"}
    assert len({line["peer"] for line in lines}) == 2
    stamps = sorted(float(str(line["at"])) for line in lines)
    assert all(stamp <= got for stamp, got in zip(stamps, sorted(received), strict=True))


async def test_the_traced_events_are_chosen_and_untraced_runs_write_nothing(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    sim = Simulator(SimConfig(speed=200, trace_file=trace, trace_events=frozenset({"Hangup"}), recordings_dir=tmp_path / "rec"))
    await sim.start()
    client = await RawAmi.connect(sim.port)
    try:
        await client.login()
        placed = sim.engine.place(CallSpec(notice_seconds=0.5, talk_seconds=1))
        await placed.task
        await client.until(lambda f: get(f, "Event") == "Hangup" and get(f, "Uniqueid") == placed.uniqueid)
    finally:
        client.close()
        await sim.close()
    lines = _lines(trace)
    assert {line["event"] for line in lines} == {"Hangup"}
    assert len(lines) == 2  # the operator's leg and the trunk leg
    plain = Simulator(SimConfig())
    assert plain.trace is None
    assert plain.pbx.trace is None


def test_cli_options_reach_the_config(tmp_path: Path) -> None:
    from callcenter.cli import build_parser
    from callcenter.cli_pbxsim import build_config

    args = build_parser().parse_args(
        [
            "pbx-sim",
            "--operators",
            "190",
            "--trace-file",
            str(tmp_path / "t.jsonl"),
            "--trace-event",
            "AgentCalled",
            "--trace-event",
            "Hangup",
        ]
    )
    config = build_config(args)
    assert config.operators == 190
    assert config.trace_file == tmp_path / "t.jsonl"
    assert config.trace_events == frozenset({"AgentCalled", "Hangup"})
    assert build_config(build_parser().parse_args(["pbx-sim"])).trace_events == frozenset({"AgentCalled"})
    with pytest.raises(SystemExit):
        build_parser().parse_args(["pbx-sim", "--operators", "401"])
