"""Call records: what is ringing or talking now, one call's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from appeals.callback_tasks import create_callback_task
from appeals.events import CallAnswered, CallEnded
from appeals.history import emit, enqueue_after_commit
from appeals.models import Appeal, Call, CallbackKind, CallbackTask, CallDirection, Recording, RecordingLayout, User
from appeals.phones import try_normalize_phone

STALE_AFTER = timedelta(hours=6)


def active_calls(session: Session, *, now: datetime) -> list[Call]:
    """Calls not yet ended (recent ones: a record the PBX never closed does not linger forever)."""
    return list(
        session.exec(
            select(Call).where(col(Call.ended_at).is_(None), col(Call.started_at) > now - STALE_AFTER).order_by(col(Call.started_at))
        ).all()
    )


def get_call(session: Session, call_id: str, *, lock: bool = False) -> Call | None:
    """The call record; `lock` holds its row until commit (PostgreSQL), so two listeners never close it twice."""
    query = select(Call).where(Call.call_id == call_id)
    return session.exec(query.with_for_update() if lock else query).first()


def answer_call(
    session: Session, call_id: str, *, interface: str | None, wait_seconds: float | None, now: datetime, queue: str | None = None
) -> Call | None:
    """The call was answered by the phone `interface` (matched exactly to a user's extension); idempotent, first answer wins."""
    call = get_call(session, call_id, lock=True)
    if call is None or call.answered or call.ended_at is not None:
        return call
    call.answered, call.answered_at, call.interface, call.wait_seconds = True, now, interface, wait_seconds
    call.queue = call.queue or queue
    if interface:
        user = session.exec(select(User).where(User.extension == interface)).first()
        call.operator_id = user.id if user else None
        if user is not None and call.appeal_id is not None:
            appeal = session.get(Appeal, call.appeal_id)
            if appeal is not None and appeal.operator_id is None:
                appeal.operator_id = user.id
                session.add(appeal)
    session.add(call)
    emit(session, CallAnswered(call_id=call_id, interface=interface), now=now)
    session.commit()
    return call


@dataclass(frozen=True)
class CallEnd:
    """How a call ended, as the PBX told it."""

    cause: int | None = None
    cause_text: str | None = None
    answered: bool = False
    abandoned: bool = False
    talk_seconds: float | None = None
    queue: str | None = None


def end_call(session: Session, call_id: str, end: CallEnd, *, now: datetime) -> Call | None:
    """Close the call record once. An unanswered inbound call keeps its draft, marked missed, and (when the
    number is known and the caller did not ask for a callback already) gets a missed-call callback task."""
    call = get_call(session, call_id, lock=True)
    if call is None or call.ended_at is not None:
        return call
    call.ended_at, call.hangup_cause, call.hangup_cause_text = now, end.cause, (end.cause_text or None)
    call.abandoned, call.talk_seconds = end.abandoned and not call.answered, end.talk_seconds
    call.answered = call.answered or end.answered
    if end.queue and not call.queue:
        call.queue = end.queue
    session.add(call)
    if not call.answered and call.direction is CallDirection.inbound:
        _mark_missed(session, call, now)
    cause = end.cause_text or (str(end.cause) if end.cause is not None else None)
    emit(session, CallEnded(call_id=call_id, cause=cause, answered=call.answered, abandoned=call.abandoned), now=now)
    session.commit()
    return call


def _mark_missed(session: Session, call: Call, now: datetime) -> None:
    appeal = session.get(Appeal, call.appeal_id) if call.appeal_id else None
    if appeal is not None and not appeal.missed:
        appeal.missed, appeal.updated_at = True, now
        session.add(appeal)
    requested = session.exec(select(CallbackTask.id).where(CallbackTask.dedup_key == f"requested:{call.call_id}")).first()
    if call.caller and requested is None:
        create_callback_task(
            session,
            CallbackKind.missed_call,
            dedup_key=f"missed:{call.call_id}",
            now=now,
            phone=call.caller,
            appeal_id=call.appeal_id,
            call_id=call.call_id,
            citizen_id=appeal.citizen_id if appeal else None,
        )


def request_callback(session: Session, call_id: str, *, number: str | None, now: datetime) -> CallbackTask | None:
    """The caller pressed "call me back" in the queue: one requested-callback task per call (None without a number)."""
    call = get_call(session, call_id)
    phone = try_normalize_phone(number) or (call.caller if call else None)
    if phone is None:
        return None
    appeal = session.get(Appeal, call.appeal_id) if call is not None and call.appeal_id else None
    task, _ = create_callback_task(
        session,
        CallbackKind.requested_callback,
        dedup_key=f"requested:{call_id}",
        now=now,
        phone=phone,
        appeal_id=appeal.id if appeal else None,
        call_id=call_id if call else None,
        citizen_id=appeal.citizen_id if appeal else None,
        priority=1,
    )
    session.commit()
    return task


def add_recording(session: Session, call_id: str, *, relpath: str, layout: RecordingLayout, now: datetime) -> Recording | None:
    """The call's finished recording (once per relpath), with its `transcribe` job queued in the outbox; None for an unknown call."""
    existing = session.exec(select(Recording).where(Recording.relpath == relpath)).first()
    if existing is not None:
        return existing
    if get_call(session, call_id) is None:
        return None
    recording = Recording(call_id=call_id, relpath=relpath, layout=layout, created_at=now)
    session.add(recording)
    session.flush()
    assert recording.id is not None  # noqa: S101 - flushed
    enqueue_after_commit(session, "asr", "workers.asr_jobs.transcribe", args=[recording.id], job_id=f"transcribe-{recording.id}", now=now)
    session.commit()
    return recording
