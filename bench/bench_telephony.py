"""Telephony throughput and latency.

1. AMI events per second through our frame parser + translator + call tracker, against panoramisk 1.4's bare
   parsing of the same bytes in the same run (same 4 KiB reads). Target: not slower than panoramisk alone.
2. Calls per second turned into draft appeals with `call.*` events published, sustained for
   `CALLCENTER_BENCH_TELEPHONY_SECONDS` (default 60) on SQLite and on PostgreSQL: the PBX simulator's AMI server
   (in its own process, as Asterisk is) pushes 50 calls/s (Newchannel, queue join, operator ringing, answer, hangups one second later) at the real
   listener over TCP, with the real Redis and a migrated, seeded database. Prints drafts/s and the latency from the
   first AMI frame of a call (read off the socket) to its `call.offered` on `cc:events`, on a copy of the seeded
   database (bench/volume.py: 300,000 citizens, 1,000,000 appeals; half the callers are citizens). Target: 50 calls/s,
   p99 < 20 ms.
Run one: `.venv/bin/python -m bench telephony`; quick: `CALLCENTER_BENCH_TELEPHONY_SECONDS=10 …`.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from unittest import mock

import redis
import redis.asyncio as aredis
from panoramisk import utils as pano_utils
from panoramisk.ami_protocol import AMIProtocol
from sqlmodel import Session, func, select

from appeals.models import Call
from bench import volume
from runtime import streams
from runtime.db import build_engine
from telephony.board import QueueBoard
from telephony.frames import FrameParser
from telephony.listener import Listener
from telephony.settings import TelephonySettings
from telephony.sim.server import SimConfig, Simulator
from telephony.tracker import Tracker
from telephony.translate import translate

PG_ADMIN = os.environ.get("CALLCENTER_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CALLCENTER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
SECONDS = float(os.environ.get("CALLCENTER_BENCH_TELEPHONY_SECONDS", "60"))
RATE = 50
SNAP = ("Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName", "ConnectedLineNum", "ConnectedLineName")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _snapshot(prefix: str, channel: str, uid: str, linked: str, state: str, num: str, context: str) -> str:
    desc = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}[state]
    values = (channel, state, desc, num, "Петренко Олена", "<unknown>", "<unknown>")
    head = "".join(f"{prefix}{k}: {v}\r\n" for k, v in zip(SNAP, values, strict=True))
    tail = f"{prefix}Language: uk\r\n{prefix}AccountCode: \r\n{prefix}Context: {context}\r\n{prefix}Exten: 1551\r\n"
    return head + tail + f"{prefix}Priority: 1\r\n{prefix}Uniqueid: {uid}\r\n{prefix}Linkedid: {linked}\r\n"


def call_frames(n: int, *, base: int = 1_800_000_000) -> tuple[bytes, bytes]:
    """One inbound queue call answered by PJSIP/op101: (frames up to the answer, the hangups)."""
    uid, op_uid = f"{base}.{2 * n}", f"{base}.{2 * n + 1}"
    trunk, op = f"PJSIP/trunk-{n:08x}", f"PJSIP/op101-{n:08x}"
    # half the callers are seeded citizens (the draft is prefilled from their card), half unknown numbers
    caller = "0" + volume.phone(1 + (n * 7919) % volume.CITIZENS)[4:] if n % 2 == 0 else f"067{n % 10_000_000:07d}"
    t_ring = _snapshot("", trunk, uid, uid, "4", caller, "from-trunk")
    t_up = _snapshot("", trunk, uid, uid, "6", caller, "from-trunk")
    o_down = _snapshot("Dest", op, op_uid, uid, "0", "101", "operators")
    o_up = _snapshot("Dest", op, op_uid, uid, "6", "101", "operators")
    member = "Queue: hotline\r\nInterface: PJSIP/op101\r\nMemberName: Оператор 101\r\n"
    head = (
        f"Event: Newchannel\r\nPrivilege: call,all\r\n{t_ring}\r\n"
        f"Event: Newstate\r\nPrivilege: call,all\r\n{t_up}\r\n"
        f"Event: QueueCallerJoin\r\nPrivilege: agent,all\r\n{t_up}Queue: hotline\r\nPosition: 1\r\nCount: 1\r\n\r\n"
        f"Event: Newchannel\r\nPrivilege: call,all\r\n{o_down.replace('Dest', '')}\r\n"
        f"Event: AgentCalled\r\nPrivilege: agent,all\r\n{t_up}{o_down}{member}\r\n"
        f"Event: DialBegin\r\nPrivilege: call,all\r\n{t_up}{o_down}DialString: PJSIP/op101\r\n\r\n"
        f"Event: DialEnd\r\nPrivilege: call,all\r\n{t_up}{o_up}DialStatus: ANSWER\r\n\r\n"
        f"Event: QueueCallerLeave\r\nPrivilege: agent,all\r\n{t_up}Queue: hotline\r\nPosition: 1\r\nCount: 0\r\n\r\n"
        f"Event: AgentConnect\r\nPrivilege: agent,all\r\n{t_up}{o_up}{member}HoldTime: 3\r\nRingTime: 2\r\n\r\n"
    )
    tail = (
        f"Event: Hangup\r\nPrivilege: call,all\r\n{o_up.replace('Dest', '')}Cause: 16\r\nCause-txt: Normal Clearing\r\n\r\n"
        f"Event: Hangup\r\nPrivilege: call,all\r\n{t_up}Cause: 16\r\nCause-txt: Normal Clearing\r\n\r\n"
    )
    return head.encode(), tail.encode()


class _NoDispatch:
    """panoramisk's manager reduced to a no-op dispatch: we time its protocol's parsing alone."""

    save_stream = None

    def dispatch(self, _message: object) -> None:
        return None


# -- 1. parsing ------------------------------------------------------------------------------------
def _chunks(data: bytes, size: int = 4096) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def bench_parsing(calls: int = 4000) -> None:
    data = b"".join(b"".join(call_frames(n)) for n in range(calls))
    chunks = _chunks(data)
    events = data.count(b"\r\n\r\n")
    results: dict[str, float] = {}
    for _ in range(3):
        started = time.perf_counter()
        proto = AMIProtocol()
        proto.connection_made(mock.Mock())
        proto.factory = _NoDispatch()
        pano_utils.EOL = "\r\n"
        for chunk in chunks:
            proto.data_received(chunk)
        results["panoramisk 1.4 bare parsing"] = max(
            results.get("panoramisk 1.4 bare parsing", 0), events / (time.perf_counter() - started)
        )
        started = time.perf_counter()
        parser = FrameParser()
        for chunk in chunks:
            for _frame in parser.feed(chunk):
                pass
        results["ours: frame parser only"] = max(results.get("ours: frame parser only", 0), events / (time.perf_counter() - started))
        started = time.perf_counter()
        parser, tracker, board = FrameParser(), Tracker(trunk_endpoints=["trunk"], inbound_contexts=["from-trunk"]), QueueBoard()
        now = datetime.now(UTC)
        effects = 0
        for chunk in chunks:
            for frame in parser.feed(chunk):
                event = translate(frame)
                if event is not None:
                    board.apply(event, now)
                    effects += len(tracker.handle(event, now))
        results["ours: parser + translator + tracker"] = max(
            results.get("ours: parser + translator + tracker", 0), events / (time.perf_counter() - started)
        )
    _say(f"AMI events: {events} ({calls} calls, {len(data) / 1e6:.1f} MB in 4 KiB reads), best of 3")
    for name, rate in results.items():
        _say(f"  {name:<40} {rate:>10,.0f} events/s")
    ratio = results["ours: parser + translator + tracker"] / results["panoramisk 1.4 bare parsing"]
    _say(f"  ours (parse+track) / panoramisk (parse only): {ratio:.2f}×  (target ≥ 1.0)")


# -- 2. calls → drafts -----------------------------------------------------------------------------
def _pbx(conn: Connection, rate: float, seconds: float) -> None:
    """The PBX in its own process, as Asterisk is: serve AMI, wait for the listener's login and the go, then write
    `rate` calls a second for `seconds`; send back when each call's first frame went to the socket (wall clock)."""

    async def run() -> None:
        sim = Simulator(SimConfig(secret="bench-secret"))  # noqa: S106 - a throwaway secret between two local processes
        conn.send(await sim.start("127.0.0.1", 0))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # the go
        started = loop.time()
        n = 0
        sent_at: dict[str, float] = {}
        while loop.time() - started < seconds:
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            head, tail = call_frames(n)
            sent_at[f"1800000000.{2 * n}"] = time.time()
            sim.replay(head)
            loop.call_later(1.0, sim.replay, tail)
            n += 1
        conn.send((n, loop.time() - started, sent_at))
        await loop.run_in_executor(None, conn.recv)  # the listener has settled
        await sim.close()

    asyncio.run(run())


async def _drive(url: str, seconds: float) -> dict[str, Any]:
    engine = build_engine(url)
    sync_redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    sync_redis.flushdb()
    aclient = aredis.Redis.from_url(REDIS_URL, decode_responses=True)
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    pbx = multiprocessing.get_context("spawn").Process(target=_pbx, args=(theirs, RATE, seconds), daemon=True)
    pbx.start()
    loop = asyncio.get_running_loop()
    port = await loop.run_in_executor(None, ours.recv)
    settings = TelephonySettings(ami_port=port, ami_secret="bench-secret", listener_heartbeat_seconds=1.0)  # noqa: S106 - as above
    listener = Listener(settings, engine=engine, client=sync_redis, aclient=aclient)
    stop = asyncio.Event()
    task = asyncio.create_task(listener.run(stop))
    while listener.ami.state != "up":  # noqa: ASYNC110 - polling a plain attribute of the listener
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    ours.send("go")
    n, sent_for, sent_at = await loop.run_in_executor(None, ours.recv)
    with Session(engine) as session:
        done_in_time = session.exec(select(func.count()).select_from(Call)).one()
    await asyncio.sleep(1.5)
    deadline = loop.time() + 60
    while loop.time() < deadline and not listener.frames.empty():  # noqa: ASYNC110 - as above
        await asyncio.sleep(0.1)
    await listener.settle()
    stop.set()
    await task
    ours.send("done")
    pbx.join(10)
    with Session(engine) as session:
        drafts = session.exec(select(func.count()).select_from(Call)).one()
    entries = [(entry_id, f) for entry_id, f in streams.read_range(sync_redis) if f["type"] == "call.offered"]
    offered = len(entries)
    # Redis stamps each entry id with its own clock (ms): the wall-clock delay from the PBX writing the call's first
    # frame to its call.offered being on the stream, whoever published it.
    on_stream = sorted(
        max(0.0, int(entry_id.split("-")[0]) / 1000 - sent_at.get(json.loads(f["data"])["call_id"], 0.0)) for entry_id, f in entries
    )
    await aclient.aclose()
    sync_redis.flushdb()
    sync_redis.close()
    engine.dispose()
    lat = sorted(listener.latencies)
    stream_p99 = on_stream[int(0.99 * (len(on_stream) - 1))] * 1000 if on_stream else float("nan")
    stream_p50 = statistics.median(on_stream) * 1000 if on_stream else float("nan")
    return {
        "calls": n,
        "drafts": drafts,
        "offered": offered,
        "rate": done_in_time / sent_for,
        "p50": statistics.median(lat) * 1000 if lat else float("nan"),
        "p99": lat[int(0.99 * (len(lat) - 1))] * 1000 if lat else float("nan"),
        "max": lat[-1] * 1000 if lat else float("nan"),
        "measured": len(lat),
        "stream_p50": stream_p50,
        "stream_p99": stream_p99,
    }


def bench_drafts(seconds: float = SECONDS) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = f"cc_bench_tel_{uuid.uuid4().hex[:8]}"
        try:
            for name in ("SQLite", "PostgreSQL"):
                url = volume.copy_sqlite(Path(tmp) / "bench.db") if name == "SQLite" else volume.copy_postgres(PG_ADMIN, pg_name)
                r = asyncio.run(_drive(url, seconds))
                _say(
                    f"{name:<10} {r['calls']} calls offered at {RATE}/s for {seconds:g} s on the seeded database "
                    f"({volume.CITIZENS:,} citizens, {volume.APPEALS:,} appeals; half the callers known): {r['drafts']} drafts, "
                    f"{r['offered']} call.offered; {r['rate']:.1f} drafts/s kept up; first frame read → call.offered p50 {r['p50']:.1f} ms, "
                    f"p99 {r['p99']:.1f} ms ({r['measured']} published by the listener at once, the rest by its outbox drainer); "
                    f"PBX write → on the stream, every call: p50 {r['stream_p50']:.1f} ms, p99 {r['stream_p99']:.1f} ms "
                    "(target 50/s, p99 < 20 ms)"
                )
        finally:
            volume.drop_postgres(PG_ADMIN, pg_name)


def main() -> None:
    bench_parsing()
    bench_drafts()


if __name__ == "__main__":
    main()
