"""The listener against drops, restarts and bursts: resync after reconnect, CDR backfill from a real PostgreSQL
`cdr` table, 200 simultaneous calls with two listeners and no duplicate, /healthz flipping, commands, recordings."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.models import Appeal, Call, CallbackKind, CallbackTask, Recording
from runtime import streams
from tests.conftest import PG_ADMIN_URL
from tests.telephony.conftest import FakeAmi, eventually
from tests.telephony.own_transcripts import build
from tests.telephony.wire import (
    Chan,
    core_show_channel,
    hangup,
    member_status,
    message,
    new_channel,
    queue_abandon,
    queue_join,
    queue_leave,
)
from workers.queues import queue

CDR_DDL = """CREATE TABLE cdr (
  calldate timestamptz NOT NULL DEFAULT now(), clid varchar(80) NOT NULL DEFAULT '', src varchar(80) NOT NULL DEFAULT '',
  dst varchar(80) NOT NULL DEFAULT '', dcontext varchar(80) NOT NULL DEFAULT '', channel varchar(80) NOT NULL DEFAULT '',
  dstchannel varchar(80) NOT NULL DEFAULT '', lastapp varchar(80) NOT NULL DEFAULT '', lastdata varchar(80) NOT NULL DEFAULT '',
  duration integer NOT NULL DEFAULT 0, billsec integer NOT NULL DEFAULT 0, disposition varchar(45) NOT NULL DEFAULT '',
  amaflags integer NOT NULL DEFAULT 0, accountcode varchar(20) NOT NULL DEFAULT '', uniqueid varchar(150) NOT NULL DEFAULT '',
  userfield varchar(255) NOT NULL DEFAULT '', peeraccount varchar(20) NOT NULL DEFAULT '', linkedid varchar(150) NOT NULL DEFAULT '',
  sequence integer NOT NULL DEFAULT 0)"""


@pytest.fixture
def cdr_engine() -> Iterator[Engine]:
    """A real PostgreSQL database holding Asterisk's standard `cdr` table (cdr_pgsql)."""
    name = f"cc_cdr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    with engine.begin() as conn:
        conn.execute(text(CDR_DDL))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _cdr(engine: Engine, **row: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO cdr ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)  # noqa: S608 - test data


def _calls(engine: Engine) -> dict[str, Call]:
    with Session(engine) as session:
        return {c.call_id: c for c in session.exec(select(Call)).all()}


def _events(client: redis.Redis, type_: str) -> list[dict[str, Any]]:
    return [json.loads(f["data"]) for _, f in streams.read_range(client) if f["type"] == type_]


def _listed(leg: Chan, action_id: str) -> bytes:
    return core_show_channel(leg.at(state="6"), action_id, application="Queue")


def _trunk(uid: str, caller: str) -> Chan:
    return Chan(f"PJSIP/trunk-{uid.replace('.', '')[-8:]:0>8}", uid, uid, num=caller)


async def test_reconnect_mid_call_resyncs_and_backfills_from_cdr(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis, cdr_engine: Engine
) -> None:
    harness = await start_listener(ami.port, cdr_engine=cdr_engine)
    await eventually(lambda: ami.clients)
    a, b, c = _trunk("2.1", "0501110001"), _trunk("2.2", "0501110002"), _trunk("2.3", "0501110003")
    await ami.send(new_channel(a) + queue_join(a.at(state="6"), "hotline", 1, 1))
    await eventually(lambda: "2.1" in _calls(engine), what="call A")
    await ami.stop()  # the PBX goes away mid-call
    await eventually(lambda: harness.listener.ami.state == "down")
    beat = await eventually(lambda: streams.read_listener_state(redis_client), what="heartbeat")
    await eventually(lambda: (streams.read_listener_state(redis_client) or {}).get("state") == "down", what="down heartbeat")
    assert beat is not None
    # during the outage: A ends, B starts and is still up, C starts and ends; the CDR has A, C and an outbound call D
    now = datetime.now(UTC)
    _cdr(
        cdr_engine,
        calldate=now,
        src="0501110001",
        dst="1551",
        dcontext="from-trunk",
        channel=a.channel,
        disposition="NO ANSWER",
        duration=20,
        uniqueid="2.1",
        linkedid="2.1",
    )
    _cdr(
        cdr_engine,
        calldate=now,
        src="0501110003",
        dst="1551",
        dcontext="from-trunk",
        channel=c.channel,
        dstchannel="PJSIP/op101-0000aaaa",
        disposition="NO ANSWER",
        duration=9,
        uniqueid="2.3",
        linkedid="2.3",
    )
    _cdr(
        cdr_engine,
        calldate=now,
        src="0501110003",
        dst="101",
        dcontext="from-trunk",
        channel="PJSIP/op101-0000aaaa",
        disposition="NO ANSWER",
        duration=5,
        uniqueid="2.4",
        linkedid="2.3",
    )
    _cdr(
        cdr_engine,
        calldate=now,
        src="101",
        dst="0442223344",
        dcontext="operators",
        channel="PJSIP/op101-0000bbbb",
        dstchannel="PJSIP/trunk-0000cccc",
        disposition="ANSWERED",
        duration=30,
        billsec=25,
        uniqueid="2.5",
        linkedid="2.5",
    )
    _cdr(
        cdr_engine,
        calldate=now - timedelta(days=3),
        src="0501119999",
        dst="1551",
        dcontext="from-trunk",
        channel="PJSIP/trunk-0000dddd",
        disposition="NO ANSWER",
        uniqueid="1.9",
        linkedid="1.9",
    )
    ami.channels = [lambda aid: core_show_channel(b.at(state="6", priority="9"), aid, application="Queue", duration="00:00:12")]
    await ami.start()
    await eventually(lambda: set(_calls(engine)) == {"2.1", "2.2", "2.3"}, what="resync + backfill")
    await eventually(lambda: _calls(engine)["2.1"].ended_at is not None, what="A closed")
    await eventually(lambda: _calls(engine)["2.3"].ended_at is not None, what="C backfilled as ended")
    calls = _calls(engine)
    assert calls["2.2"].ended_at is None  # B adopted, still up
    assert calls["2.2"].caller == "+380501110002"
    assert calls["2.2"].source == "ami"
    assert calls["2.3"].source == "cdr"
    assert calls["2.3"].answered is False
    assert calls["2.3"].ended_at is not None
    with Session(engine) as session:
        assert len(session.exec(select(Appeal)).all()) == 3
        missed = {t.call_id for t in session.exec(select(CallbackTask).where(CallbackTask.kind == CallbackKind.missed_call)).all()}
        assert missed == {"2.1", "2.3"}
        assert all(a.missed for a in session.exec(select(Appeal).where(Appeal.id != calls["2.2"].appeal_id)).all())
    await eventually(lambda: (streams.read_listener_state(redis_client) or {}).get("state") == "up", what="up heartbeat")
    # B hangs up after the reconnect; another resync (a second drop) duplicates nothing
    await ami.send(hangup(b.at(state="6")))
    await eventually(lambda: _calls(engine)["2.2"].ended_at is not None, what="B ended")
    ami.channels = []
    await ami.drop()
    await eventually(lambda: harness.listener.ami.connections == 2 and harness.listener.ami.state == "up")
    await eventually(lambda: len(_events(redis_client, "call.ended")) >= 3)
    assert sorted(e["call_id"] for e in _events(redis_client, "call.ended")) == ["2.1", "2.2", "2.3"]
    assert sorted(e["call_id"] for e in _events(redis_client, "call.offered")) == ["2.1", "2.2", "2.3"]
    assert len(_calls(engine)) == 3


async def test_two_hundred_simultaneous_calls_two_listeners_no_duplicates(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis
) -> None:
    first, second = await start_listener(ami.port), await start_listener(ami.port)
    await eventually(lambda: len(ami.clients) == 2)
    legs = [_trunk(f"3.{i}", f"0672{i:06d}") for i in range(200)]
    await ami.send(b"".join(new_channel(leg) for leg in legs))
    await eventually(lambda: len(_calls(engine)) == 200, within=60, what="200 calls")
    ami.channels = [functools.partial(_listed, leg) for leg in legs]
    await ami.drop()  # both reconnect and resync the same 200 live calls
    await eventually(lambda: first.listener.ami.connections == 2 and second.listener.ami.connections == 2, within=30)
    await eventually(lambda: first.listener.frames.empty() and second.listener.frames.empty())
    with Session(engine) as session:
        assert len(session.exec(select(Appeal)).all()) == 200
    assert len(_calls(engine)) == 200
    offered = _events(redis_client, "call.offered")
    assert len(offered) == 200
    assert len({e["call_id"] for e in offered}) == 200


def test_healthz_ami_flips_down_and_up(client: TestClient, engine: Engine, redis_client: redis.Redis) -> None:
    import asyncio

    async def scenario() -> list[tuple[int, str]]:
        from tests.telephony.conftest import Harness, telephony_settings  # noqa: F401

        seen: list[tuple[int, str]] = []
        ami = FakeAmi()
        await ami.start()
        import redis.asyncio as aredis

        from telephony.listener import Listener
        from tests.conftest import REDIS_URL

        aclient = aredis.Redis.from_url(REDIS_URL, decode_responses=True)
        listener = Listener(telephony_settings(ami.port), engine=engine, client=redis_client, aclient=aclient, reconnect_base=0.05)
        stop = asyncio.Event()
        task = asyncio.create_task(listener.run(stop))

        async def health(expect: str) -> None:
            def check() -> bool:
                response = client.get("/healthz")
                body = response.json()
                if body["ami"]["status"] == expect:
                    seen.append((response.status_code, expect))
                    return True
                return False

            await eventually(lambda: asyncio.to_thread(check), within=8, what=f"ami {expect}")

        await health("up")
        await ami.stop()
        await health("down")
        await ami.start()
        await health("up")
        stop.set()
        await task
        await aclient.aclose()
        await ami.stop()
        return seen

    assert asyncio.run(scenario()) == [(200, "up"), (503, "down"), (200, "up")]


async def test_recording_row_and_transcribe_job(ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis) -> None:
    harness = await start_listener(ami.port)
    await eventually(lambda: ami.clients)
    data, _ = build()["queue_answered_recorded"]
    await ami.send(data)
    await eventually(lambda: harness.listener.frames.empty() and any(c.ended_at for c in _calls(engine).values()))
    with Session(engine) as session:
        (rec,) = session.exec(select(Recording)).all()
    assert rec.layout.value == "stereo"
    job = await eventually(lambda: queue("asr", redis_client).fetch_job(f"transcribe-{rec.id}"), what="transcribe job")
    assert list(job.args) == [rec.id]
    assert [e["interface"] for e in _events(redis_client, "call.agent_ringing")] == ["PJSIP/op101"]
    answered = await eventually(lambda: _events(redis_client, "call.answered"), what="call.answered")
    assert answered[0]["interface"] == "PJSIP/op101"


async def test_commands_originate_pause_expired_and_rejected(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis
) -> None:
    await start_listener(ami.port)
    await eventually(lambda: ami.clients)
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    commands: list[dict[str, Any]] = [
        {
            "command_id": "c1",
            "kind": "originate",
            "interface": "PJSIP/op101",
            "number": "+380501234567",
            "appeal_id": 7,
            "task_id": 3,
            "expires_at": later,
        },
        {"command_id": "c2", "kind": "queue_pause", "interface": "PJSIP/op102", "reason": "обід", "queue": "hotline", "expires_at": later},
        {"command_id": "c3", "kind": "queue_login", "interface": "PJSIP/op103", "expires_at": later},
        {
            "command_id": "c4",
            "kind": "originate",
            "interface": "PJSIP/op101",
            "number": "+380501234567",
            "expires_at": "2020-01-01T00:00:00+00:00",
        },
        {"command_id": "c5", "kind": "spy", "interface": "PJSIP/op199", "number": "PJSIP/op101; rm -rf", "expires_at": later},
        {"command_id": "c6", "kind": "spy", "interface": "PJSIP/op199", "number": "PJSIP/op101", "reason": "whisper", "expires_at": later},
    ]
    for cmd in commands:
        streams.publish(redis_client, "command", cmd, stream=streams.COMMANDS)
    results = await eventually(
        lambda: len(_events(redis_client, "command.result")) == 6 and _events(redis_client, "command.result"), within=15
    )
    outcome = {r["command_id"]: r["outcome"] for r in results}
    assert outcome == {"c1": "ok", "c2": "ok", "c3": "ok", "c4": "expired", "c5": "rejected", "c6": "ok"}
    sent = {a["Action"]: a for a in ami.actions if a["Action"] not in ("Login", "Ping", "CoreShowChannels", "QueueStatus")}
    orig = [a for a in ami.actions if a["Action"] == "Originate"]
    assert orig[0]["Context"] == "callcenter-callback"
    assert orig[0]["Exten"] == "380501234567"
    assert orig[0]["Async"] == "true"
    assert orig[0]["ChannelId"]
    assert sorted(orig[0]["Variable"]) == ["CC_APPEAL_ID=7", "CC_COMMAND_ID=c1", "CC_TASK_ID=3"]
    assert orig[1]["Application"] == "ChanSpy"
    assert orig[1]["Data"] == "PJSIP/op101,qw"
    assert len(orig) == 2  # the expired and the rejected ones never reached the PBX
    assert sent["QueuePause"]["Reason"] == "обід"
    assert sent["QueuePause"]["Paused"] == "true"
    assert sent["QueueAdd"]["Interface"] == "PJSIP/op103"
    pending: Any = redis_client.xpending(streams.COMMANDS, "listener")
    assert pending["pending"] == 0


async def test_queue_board_shows_waiting_callers_with_growing_wait(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis
) -> None:
    await start_listener(ami.port)
    await eventually(lambda: ami.clients)
    leg = _trunk("5.1", "0501239876")
    await ami.send(new_channel(leg) + queue_join(leg.at(state="6"), "hotline", 1, 1))

    def snapshot() -> dict[str, Any]:
        raw = redis_client.hget(streams.QUEUES_KEY, "hotline")
        return json.loads(str(raw)) if raw else {}

    first = await eventually(lambda: snapshot().get("waiting"), what="a waiting caller")
    assert first[0]["call_id"] == "5.1"
    assert first[0]["caller_masked"] == "••• 9876"
    assert first[0]["position"] == 1
    await eventually(lambda: snapshot()["waiting"] and snapshot()["waiting"][0]["wait_seconds"] >= first[0]["wait_seconds"] + 0.5)
    assert snapshot()["counters"]["offered"] == 1
    await ami.send(
        queue_abandon(leg.at(state="6"), "hotline", 3) + queue_leave(leg.at(state="6"), "hotline", 1, 0) + hangup(leg.at(state="6"))
    )
    await eventually(lambda: snapshot()["waiting"] == [] and snapshot()["counters"]["abandoned"] == 1, what="the caller gone")


def _queue_params(action_id: str, *, calls: int, completed: int, abandoned: int) -> bytes:
    pairs = [("Event", "QueueParams"), ("ActionID", action_id), ("Queue", "hotline"), ("Max", "0"), ("Strategy", "ringall")]
    pairs += [("Calls", str(calls)), ("Holdtime", "4"), ("TalkTime", "60"), ("Completed", str(completed)), ("Abandoned", str(abandoned))]
    pairs += [("ServiceLevel", "20"), ("ServicelevelPerf", "90.0"), ("ServicelevelPerf2", "90.0"), ("Weight", "0")]
    return message(pairs)


def _queue_entry(leg: Chan, action_id: str, *, position: int, wait: int) -> bytes:
    pairs = [("Event", "QueueEntry"), ("ActionID", action_id), ("Queue", "hotline"), ("Position", str(position))]
    pairs += [("Channel", leg.channel), ("Uniqueid", leg.uniqueid), ("CallerIDNum", leg.num), ("CallerIDName", "Петренко Олена")]
    pairs += [("ConnectedLineNum", "<unknown>"), ("ConnectedLineName", "<unknown>"), ("Wait", str(wait)), ("Priority", "0")]
    return message(pairs)


def _queue_member(action_id: str, interface: str, *, status: int, paused: bool = False, reason: str = "") -> bytes:
    item = member_status("QueueMember", "hotline", interface, interface.split("/")[-1], status=status, paused=paused, reason=reason)
    return item.replace(b"Event: QueueMember\r\n", f"Event: QueueMember\r\nActionID: {action_id}\r\n".encode(), 1)


async def test_queue_board_is_corrected_by_the_periodic_queue_status_poll(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis
) -> None:
    """A missed event (a filter, a lost frame) cannot leave a ghost caller or a wrong member on the wallboard: every
    `ami_queue_poll_seconds` the listener re-reads QueueStatus and the PBX's list wins, with running clocks kept."""
    ghost, stays, unseen = _trunk("6.1", "0501110061"), _trunk("6.2", "0501110062"), _trunk("6.3", "0501110063")
    ami.queue_items = [  # what the PBX says at first agrees with the events
        lambda aid: _queue_params(aid, calls=2, completed=0, abandoned=0),
        lambda aid: _queue_entry(ghost, aid, position=1, wait=0),
        lambda aid: _queue_entry(stays, aid, position=2, wait=0),
        lambda aid: _queue_member(aid, "PJSIP/op101", status=1),
        lambda aid: _queue_member(aid, "PJSIP/op109", status=1),
    ]
    await start_listener(ami.port, ami_queue_poll_seconds=0.3)
    await eventually(lambda: ami.clients)
    await ami.send(new_channel(ghost) + queue_join(ghost.at(state="6"), "hotline", 1, 1))
    await ami.send(new_channel(stays) + queue_join(stays.at(state="6"), "hotline", 2, 2))
    await ami.send(member_status("QueueMemberStatus", "hotline", "PJSIP/op101", "op101", status=1))
    await ami.send(member_status("QueueMemberStatus", "hotline", "PJSIP/op109", "op109", status=1))

    def snapshot() -> dict[str, Any]:
        raw = redis_client.hget(streams.QUEUES_KEY, "hotline")
        return json.loads(str(raw)) if raw else {}

    def waiting() -> list[str]:
        return [w["call_id"] for w in snapshot().get("waiting", [])]

    await eventually(lambda: waiting() == ["6.1", "6.2"], what="two callers from the events")
    entered = {w["call_id"]: w["entered_at"] for w in snapshot()["waiting"]}
    # the PBX says: 6.1 left (its QueueCallerLeave never reached us), 6.3 waits for 40 s (its join never reached us),
    # op101 is paused, op109 is no longer a member
    ami.queue_items = [
        lambda aid: _queue_params(aid, calls=2, completed=5, abandoned=1),
        lambda aid: _queue_entry(unseen, aid, position=1, wait=40),
        lambda aid: _queue_entry(stays, aid, position=2, wait=3),
        lambda aid: _queue_member(aid, "PJSIP/op101", status=1, paused=True, reason="Обід"),
    ]
    await eventually(lambda: waiting() == ["6.3", "6.2"], what="the board corrected by QueueStatus")
    snap = snapshot()
    by_id = {w["call_id"]: w for w in snap["waiting"]}
    assert by_id["6.3"]["wait_seconds"] >= 40
    assert by_id["6.2"]["entered_at"] == entered["6.2"]  # a caller we knew keeps the wait clock it had
    assert [m["interface"] for m in snap["members"]] == ["PJSIP/op101"]
    assert snap["members"][0]["paused"] is True
    assert snap["members"][0]["paused_reason"] == "Обід"
    assert snap["counters"]["answered"] == 5
    assert snap["counters"]["abandoned"] == 1
    polls = [a for a in ami.actions if a.get("Action") == "QueueStatus"]
    assert len(polls) >= 2  # the connect's resync, then the periodic polls
