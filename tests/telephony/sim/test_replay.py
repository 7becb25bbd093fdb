"""Replay of real captures: the bytes each client receives are exactly the file's bytes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from telephony.sim.server import SimConfig, Simulator
from tests.telephony.sim.client import RawAmi, get

CAPTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "ami").glob("*.ami"))


def test_every_capture_is_present() -> None:
    assert len(CAPTURES) == 9


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.stem)
async def test_replay_on_login_is_byte_verbatim(capture: Path, tmp_path: Path) -> None:
    sim = Simulator(SimConfig(replay=capture, recordings_dir=tmp_path))
    await sim.start()
    try:
        client = await RawAmi.connect(sim.port)
        await client.send(("Action", "Login"), ("ActionID", "r"), ("Username", "callcenter"), ("Secret", "callcenter-demo"))
        assert get(await client.frame(), "Message") == "Authentication accepted"
        assert get(await client.frame(), "Event") == "FullyBooted"
        expected = await asyncio.to_thread(capture.read_bytes)
        while len(client.buffer) < len(expected):
            await client._read_more(5)
        assert client.buffer == expected
        client.close()
    finally:
        await sim.close()


async def test_replay_on_command_goes_to_every_logged_in_client(sim: Simulator) -> None:
    clients = [await RawAmi.connect(sim.port) for _ in range(2)]
    for client in clients:
        await client.login()
        await client.frame()  # FullyBooted
    stranger = await RawAmi.connect(sim.port)  # not logged in: gets nothing
    data = CAPTURES[0].read_bytes()
    assert sim.replay(data) == 2
    for client in clients:
        while len(client.buffer) < len(data):
            await client._read_more(5)
        assert client.buffer == data
        client.close()
    assert stranger.buffer == b""
    stranger.close()
