"""Fault injection over real TCP: split writes, malformed frames, drops, slow reads, refused logins, a deaf peer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from telephony.sim.faults import Faults, FaultSpecError, parse_faults
from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import CallSpec
from tests.telephony.sim.client import Frame, RawAmi, get


async def _sim(tmp_path: Path, *specs: str) -> Simulator:
    sim = Simulator(SimConfig(speed=500, auth_fail_delay=0.01, recordings_dir=tmp_path), faults=parse_faults(list(specs)))
    await sim.start()
    return sim


async def test_split_writes_arrive_in_many_pieces_and_reassemble_exactly(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "split", "split-max=3")
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        sim.engine.place(CallSpec(caller_name="Петренко Олена", notice_seconds=0, outcome="abandoned", wait_seconds=1))
        frames = await client.until(lambda f: get(f, "Event") == "Newchannel")
        assert get(frames[-1], "CallerIDName") == "Петренко Олена"  # Cyrillic survives splits inside characters
        assert len(client.chunks) > 50
        assert max(len(c) for c in client.chunks) < 200
        client.close()
    finally:
        await sim.close()


def test_split_pieces_cover_every_byte_and_cut_utf8_and_crlf() -> None:
    import random

    faults = parse_faults(["split", "split-max=2"])
    data = "CallerIDName: Шевчук\r\n\r\n".encode() * 20
    pieces = faults.pieces(data, random.Random(1))
    assert b"".join(pieces) == data
    assert any(p.endswith(b"\r") for p in pieces)
    assert any(_cuts_utf8(p) for p in pieces)


def _cuts_utf8(piece: bytes) -> bool:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


async def test_malformed_frames_are_interleaved(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "malformed=2")
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        sim.engine.place(CallSpec(notice_seconds=0, outcome="abandoned", wait_seconds=1))
        while (
            b"PJSIP/trunk-ffffffff" not in client.buffer
            and b"this line has no colon" not in client.buffer
            and b"broken utf-8" not in client.buffer
        ):
            await client._read_more(5)
        client.close()
    finally:
        await sim.close()


async def test_drop_closes_every_connection_and_new_ones_are_accepted(sim: Simulator) -> None:
    clients = [await RawAmi.connect(sim.port) for _ in range(3)]
    for client in clients:
        await client.login()
    assert sim.drop_connections() == 3
    for client in clients:
        assert await client.closed()
        client.close()
    again = await RawAmi.connect(sim.port)
    assert get(await again.login(), "Message") == "Authentication accepted"
    again.close()


async def test_drop_after_a_time(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "drop-after=0.3")
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        assert await client.closed(limit=3)
        client.close()
    finally:
        await sim.close()


async def test_slow_read_delays_every_action(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "slow-read=300")
    try:
        client = await RawAmi.connect(sim.port)
        started = time.monotonic()
        await client.login()
        await client.action("Ping")
        assert time.monotonic() - started >= 0.55
        client.close()
    finally:
        await sim.close()


async def test_refuse_login(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "refuse-login")
    try:
        client = await RawAmi.connect(sim.port)
        assert get(await client.login(), "Message") == "Authentication failed"
        assert await client.closed()
        client.close()
    finally:
        await sim.close()


async def test_deaf_peer_keeps_tcp_open_but_answers_nothing(sim: Simulator, ami: RawAmi) -> None:
    sim.faults.deaf = True
    await ami.send(("Action", "Ping"), ("ActionID", "void"))
    with pytest.raises(TimeoutError):
        await ami.until(lambda f: get(f, "ActionID") == "void", limit=0.5)
    assert not ami.writer.is_closing()


async def test_a_client_that_stops_reading_is_dropped(tmp_path: Path) -> None:
    sim = await _sim(tmp_path)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port, limit=1024)
        writer.write(b"Action: Login\r\nUsername: callcenter\r\nSecret: callcenter-demo\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)
        [session] = list(sim.sessions)
        for _ in range(25000):  # never read: the outbox fills up
            session.on_event("call", b"Event: Newstate\r\n" + b"X: " + b"y" * 200 + b"\r\n\r\n")
        assert session.closing
        writer.close()
        del reader
    finally:
        await sim.close()


def test_unknown_fault_is_a_clear_error() -> None:
    with pytest.raises(FaultSpecError, match="unknown fault 'explode'; known faults: cut-list, deaf, drop-after"):
        parse_faults(["explode"])
    with pytest.raises(FaultSpecError, match="needs a number"):
        Faults().apply("slow-read=soon")


async def test_restart_sends_shutdown_cuts_calls_refuses_then_accepts(sim: Simulator, ami: RawAmi) -> None:
    placed = sim.engine.place(CallSpec(notice_seconds=0, ring_seconds=0, talk_seconds=10_000))
    await ami.until(lambda f: get(f, "Event") == "AgentConnect")
    restart = asyncio.get_running_loop().create_task(sim.restart(0.5))
    frames = await ami.until(lambda f: get(f, "Event") == "Shutdown")
    assert get(frames[-1], "Shutdown") == "Cleanly"
    assert get(frames[-1], "Restart") == "True"
    assert await ami.closed()
    await asyncio.sleep(0.1)
    with pytest.raises(ConnectionRefusedError):
        await RawAmi.connect(sim.port)
    assert await restart == 1
    assert placed.task.cancelled()
    assert not sim.pbx.channels
    again = await RawAmi.connect(sim.port)
    assert get(await again.login(), "Message") == "Authentication accepted"
    _ack, items, _done = await _core_show_channels(again)
    assert items == []
    again.close()


async def _core_show_channels(client: RawAmi) -> tuple[Frame, list[Frame], Frame]:
    await client.send(("Action", "CoreShowChannels"), ("ActionID", "csc"))
    frames = [f for f in await client.until(lambda f: get(f, "Event") == "CoreShowChannelsComplete") if get(f, "ActionID") == "csc"]
    return frames[0], frames[1:-1], frames[-1]


async def test_writetimeout_drops_a_client_whose_socket_stays_full(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(speed=500, write_timeout=0.3, recordings_dir=tmp_path))
    await sim.start()
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        writer.write(b"Action: Login\r\nUsername: callcenter\r\nSecret: callcenter-demo\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)
        [session] = list(sim.sessions)
        for _ in range(64):  # 64 MB the client never reads: the kernel buffers fill, the drain blocks
            session.on_event("call", b"Event: Newstate\r\nX: " + b"y" * (1 << 20) + b"\r\n\r\n")
        assert session.writer_task is not None
        await asyncio.wait_for(asyncio.gather(session.writer_task, return_exceptions=True), 10)
        assert session.closing
        assert sim.stats["write_timeouts"] == 1
        writer.close()
    finally:
        await sim.close()


async def test_duplicate_events(tmp_path: Path) -> None:
    sim = await _sim(tmp_path, "duplicate=1")
    try:
        client = await RawAmi.connect(sim.port)
        await client.login()
        placed = sim.engine.place(CallSpec(notice_seconds=100))
        first = await client.until(lambda f: get(f, "Event") == "Newchannel")
        second = await client.frame()
        assert second == first[-1]
        assert get(second, "Uniqueid") == placed.uniqueid
        client.close()
    finally:
        await sim.close()


async def test_cut_list_drops_the_connection_before_complete(sim: Simulator, ami: RawAmi) -> None:
    sim.faults.cut_list = True
    await ami.send(("Action", "QueueStatus"), ("ActionID", "cut"))
    frames = await _frames_until_closed(ami)
    mine = [f for f in frames if get(f, "ActionID") == "cut"]
    assert get(mine[0], "EventList") == "start"
    assert 1 < len(mine) < 7  # the ack and some of the six items
    assert not any(get(f, "Event") == "QueueStatusComplete" for f in frames)


async def _frames_until_closed(client: RawAmi) -> list[Frame]:
    frames: list[Frame] = []
    try:
        while True:
            frames.append(await client.frame())
    except ConnectionResetError:
        return frames
