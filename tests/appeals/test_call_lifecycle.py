"""The core's call use cases the listener drives: answer, end (missed → callback), requested callback, recording."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.calls import CallEnd, add_recording, answer_call, end_call, get_call, request_callback
from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Appeal, Call, CallbackKind, CallbackTask, OutboxMessage, RecordingLayout, Role
from tests.conftest import Clock
from tests.factories import make_user


def _open(session: Session, clock: Clock, call_id: str, caller: str | None = "0501234567") -> int:
    _, appeal, created = open_call_draft(session, IncomingCall(call_id=call_id, caller=caller, started_at=clock.now), now=clock.now)
    assert created
    assert appeal.id is not None
    return appeal.id


def test_answer_matches_the_extension_exactly_and_end_is_idempotent(engine: Engine, session: Session, clock: Clock) -> None:
    user = make_user(engine, "operator1", Role.operator, now=clock.now, extension="PJSIP/op101")
    appeal_id = _open(session, clock, "c.1")
    assert answer_call(session, "c.1", interface="PJSIP/op1010", wait_seconds=3.0, now=clock.advance(seconds=5))
    assert not answer_call(session, "c.1", interface="PJSIP/op101", wait_seconds=9.0, now=clock.now)  # the first answer wins
    call = get_call(session, "c.1")
    assert call is not None
    assert call.interface == "PJSIP/op1010"
    assert call.operator_id is None  # PJSIP/op1010 is not PJSIP/op101
    assert call.answered
    _open(session, clock, "c.2")
    assert answer_call(session, "c.2", interface="PJSIP/op101", wait_seconds=3.0, now=clock.now, queue="hotline")
    call = get_call(session, "c.2")
    assert call is not None
    assert call.operator_id == user.id
    assert call.queue == "hotline"
    assert call.wait_seconds == 3.0
    appeal = session.get(Appeal, call.appeal_id)
    assert appeal is not None
    assert appeal.operator_id == user.id
    assert end_call(
        session, "c.2", CallEnd(cause=16, cause_text="Normal Clearing", answered=True, talk_seconds=60.0), now=clock.advance(minutes=1)
    )
    ended = get_call(session, "c.2")
    assert ended is not None
    first_end = ended.ended_at
    assert not end_call(session, "c.2", CallEnd(cause=0), now=clock.advance(minutes=1))
    again = get_call(session, "c.2")
    assert again is not None
    assert again.ended_at == first_end
    assert again.hangup_cause == 16
    assert again.hangup_cause_text == "Normal Clearing"
    assert again.talk_seconds == 60.0
    assert again.answered
    assert not again.abandoned
    assert not answer_call(session, "c.2", interface="PJSIP/op101", wait_seconds=1.0, now=clock.now)  # ended: no late answer
    assert not answer_call(session, "unknown", interface="PJSIP/op101", wait_seconds=1.0, now=clock.now)
    assert not end_call(session, "unknown", CallEnd(cause=16), now=clock.now)
    topics = [m.topic for m in session.exec(select(OutboxMessage)).all()]
    assert topics.count("call.ended") == 1
    assert topics.count("call.answered") == 2
    assert session.get(Appeal, appeal_id) is not None


def test_missed_calls_get_one_callback_task_unless_withheld_or_requested(session: Session, clock: Clock) -> None:
    for call_id, caller in (("m.1", "0501234567"), ("m.2", "anonymous"), ("m.3", "0671112233")):
        _open(session, clock, call_id, caller)
    assert request_callback(session, "m.3", number="0671112233", now=clock.now) is not None
    assert request_callback(session, "m.3", number="0671112233", now=clock.now) is not None  # the same task again
    for call_id in ("m.1", "m.2", "m.3"):
        end_call(session, call_id, CallEnd(cause=16, abandoned=True), now=clock.advance(seconds=30))
    tasks = {(t.call_id, t.kind) for t in session.exec(select(CallbackTask)).all()}
    assert tasks == {("m.1", CallbackKind.missed_call), ("m.3", CallbackKind.requested_callback)}
    assert all(a.missed for a in session.exec(select(Appeal)).all())
    assert all(c.abandoned and not c.answered and c.ended_at for c in session.exec(select(Call)).all())
    _open(session, clock, "m.4")
    assert answer_call(session, "m.4", interface="PJSIP/op101", wait_seconds=2.0, now=clock.now)
    assert end_call(session, "m.4", CallEnd(cause=16, abandoned=True), now=clock.advance(seconds=30))
    answered = get_call(session, "m.4")
    assert answered is not None
    assert answered.answered
    assert not answered.abandoned  # an answered call is never abandoned, whatever the queue said
    assert not session.exec(select(CallbackTask).where(CallbackTask.call_id == "m.4")).all()
    assert request_callback(session, "unknown", number=None, now=clock.now) is None


def test_recording_once_with_its_transcribe_job(session: Session, clock: Clock) -> None:
    _open(session, clock, "r.1")
    first = add_recording(session, "r.1", relpath="2026/11/24/r.1.wav", layout=RecordingLayout.stereo, now=clock.now)
    again = add_recording(session, "r.1", relpath="2026/11/24/r.1.wav", layout=RecordingLayout.stereo, now=clock.now)
    assert first is not None
    assert again is not None
    assert first.id == again.id
    jobs = [m.payload for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "job")).all()]
    assert jobs == [{"func": "workers.asr_jobs.transcribe", "args": [first.id], "job_id": f"transcribe-{first.id}"}]
    assert add_recording(session, "nope", relpath="x.wav", layout=RecordingLayout.mono, now=clock.now) is None
