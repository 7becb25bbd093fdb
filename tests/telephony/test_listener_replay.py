"""Every capture and every own transcript replayed over real TCP into the real listener: the DB holds exactly the
inbound calls, each with one call record and one draft appeal, and the facts the capture's README states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Call, CallbackKind, CallbackTask, OutboxMessage, Recording
from runtime import streams
from tests.telephony.conftest import FakeAmi, eventually
from tests.telephony.own_transcripts import OWN, build

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ami"
CAPTURE_TRUNK = {"ami_trunk_endpoints": ("voipgrid-siproute-docker",), "ami_inbound_contexts": ("voipgrid_in",)}

# file → [(linkedid, caller E.164, DID, answered, abandoned)] from tests/fixtures/ami/README.md
CAPTURES: dict[str, list[tuple[str, str, str, bool, bool]]] = {
    "inbound_queue_answered.ami": [("195176c06ab8-1529939196.518", "+31150010001", "+31150010004", True, False)],
    "inbound_queue_abandoned.ami": [("40a7a1f2a669-1585318545.326", "+31150010001", "+31150010004", False, True)],
    "inbound_queue_blind_transfer.ami": [("f29ea68048f6-1530023464.2539", "+31260010001", "+31150010001", True, False)],
    "inbound_queue_attended_transfer.ami": [("f29ea68048f6-1530022819.2433", "+31260010001", "+31150010001", True, False)],
    "inbound_direct_attended_transfer_anon.ami": [("07b796be1962-1530001217.664", "+31260010001", "+31150010001", True, False)],
    "inbound_forwarded_to_external.ami": [("f29ea68048f6-1530017224.892", "+31150010001", "+31150010004", True, False)],
    "outbound_external_then_inbound_direct.ami": [("195176c06ab8-1529936734.297", "+31260010001", "+31150010001", True, False)],
    "click_to_dial_external.ami": [],
    "internal_ext_to_ext.ami": [],
}
ANSWERED_BY = {
    "inbound_queue_answered.ami": "SIP/150010002",
    "inbound_queue_blind_transfer.ami": "SIP/150010001",
    "inbound_queue_attended_transfer.ami": "SIP/150010001",
    "inbound_direct_attended_transfer_anon.ami": "SIP/150010001",
    "outbound_external_then_inbound_direct.ami": "SIP/150010001",
}

HANGUP_CAUSE = {
    "inbound_queue_answered.ami": (16, "Normal Clearing"),
    "inbound_queue_abandoned.ami": (0, "Unknown"),
}


def test_every_capture_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.ami")) == sorted(CAPTURES)
    assert sum(len(v) for v in CAPTURES.values()) == 7  # README: 7 inbound records expected in total
    assert "MIT License" in (FIXTURES / "README.md").read_text()


def _calls(engine: Engine) -> list[Call]:
    with Session(engine) as session:
        return list(session.exec(select(Call).order_by(col(Call.id))).all())


def _unpublished(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))).all())


async def _replay(ami: FakeAmi, start_listener, data: bytes, expected: int, engine: Engine, **overrides) -> None:
    harness = await start_listener(ami.port, **overrides)
    await eventually(lambda: ami.clients, what="login")
    before = harness.listener.handled
    await ami.send(data)
    frames = data.count(b"\r\n\r\n")
    await eventually(lambda: harness.listener.handled - before >= frames, what="every frame handled")
    await eventually(lambda: len(_calls(engine)) >= expected, what="calls")
    await eventually(lambda: all(c.ended_at for c in _calls(engine)), what="calls ended")
    await eventually(lambda: _unpublished(engine) == 0, what="outbox published")
    await harness.stop()


@pytest.mark.parametrize("name", sorted(CAPTURES))
async def test_capture_replay(name: str, ami: FakeAmi, start_listener, engine: Engine, redis_client: redis.Redis) -> None:
    expected = CAPTURES[name]
    await _replay(ami, start_listener, (FIXTURES / name).read_bytes(), len(expected), engine, **CAPTURE_TRUNK)
    calls = _calls(engine)
    assert [(c.call_id, c.caller, c.did, c.answered, c.abandoned) for c in calls] == expected
    with Session(engine) as session:
        appeals = session.exec(select(Appeal)).all()
        assert len(appeals) == len(expected)
        assert all(a.status is AppealStatus.draft and a.missed == (not c.answered) for a, c in zip(appeals, calls, strict=True))
        missed = session.exec(select(CallbackTask).where(CallbackTask.kind == CallbackKind.missed_call)).all()
        assert len(missed) == sum(1 for e in expected if not e[3])
    if name in ANSWERED_BY:
        assert calls[0].interface == ANSWERED_BY[name]
    if name in HANGUP_CAUSE:  # README: the trunk leg's Hangup cause
        assert (calls[0].hangup_cause, calls[0].hangup_cause_text) == HANGUP_CAUSE[name]
    types = [f["type"] for _, f in streams.read_range(redis_client)]
    assert types.count("call.offered") == len(expected)
    assert types.count("call.ended") == len(expected)


@pytest.mark.parametrize("name", sorted(build()))
async def test_own_transcript(name: str, ami: FakeAmi, start_listener, engine: Engine, redis_client: redis.Redis) -> None:
    data, expects = build()[name]
    assert (OWN / f"{name}.ami").read_bytes() == data, "fixtures out of date: python -m tests.telephony.own_transcripts"
    await _replay(ami, start_listener, data, len(expects), engine)
    calls = _calls(engine)
    assert [c.call_id for c in calls] == [e.call_id for e in expects]
    with Session(engine) as session:
        for call, exp in zip(calls, expects, strict=True):
            assert (call.caller, call.did, call.abandoned) == (exp.caller, exp.did, exp.abandoned)
            assert call.interface == exp.answered_by
            if call.answered and "queue" in name:
                assert call.queue == "hotline"
            assert call.answered == (exp.answered_by is not None)
            if exp.caller_name:
                assert call.caller_name == exp.caller_name
            kinds = {t.kind for t in session.exec(select(CallbackTask).where(CallbackTask.call_id == call.call_id)).all()}
            assert (CallbackKind.missed_call in kinds) == exp.missed_task
            assert (CallbackKind.requested_callback in kinds) == exp.requested_task
            recordings = [r.relpath for r in session.exec(select(Recording).where(Recording.call_id == call.call_id)).all()]
            assert recordings == ([exp.recording] if exp.recording else [])
    if name == "member_pause_and_status":
        snap = json.loads(str(redis_client.hget(streams.QUEUES_KEY, "hotline")))
        members = {m["interface"]: m for m in snap["members"]}
        assert members["PJSIP/op101"]["paused"] is True
        assert members["PJSIP/op101"]["paused_reason"] == "обід"
        assert members["PJSIP/op102"]["in_call"] is True
        assert "PJSIP/op103" not in members
