"""Call records: what is ringing or talking now, one call's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, not_, update
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
) -> bool:
    """The call was answered by the phone `interface` (matched exactly to a user's extension); idempotent, first answer
    wins. True when this answer was recorded (False: an unknown call, or one already answered or ended).

    One conditional UPDATE … RETURNING, not an ORM load-and-flush: the listener runs this for every call, next to the
    draft writes whose latency the operator waits on. On PostgreSQL the UPDATE's row lock makes a second listener's
    answer wait, re-check the condition and record nothing."""
    operator_id = session.execute(select(col(User.id)).where(col(User.extension) == interface).limit(1)).scalar() if interface else None
    appeal_id = session.execute(
        update(Call)
        .where(col(Call.call_id) == call_id, col(Call.answered).is_(False), col(Call.ended_at).is_(None))
        .values(
            answered=True,
            answered_at=now,
            interface=interface,
            wait_seconds=wait_seconds,
            operator_id=operator_id,
            queue=func.coalesce(col(Call.queue), queue),
        )
        .returning(col(Call.appeal_id))
        .execution_options(synchronize_session=False)
    ).first()
    if appeal_id is None:
        session.rollback()
        return False
    if operator_id is not None and appeal_id[0] is not None:
        session.execute(
            update(Appeal)
            .where(col(Appeal.id) == appeal_id[0], col(Appeal.operator_id).is_(None))
            .values(operator_id=operator_id)
            .execution_options(synchronize_session=False)
        )
    emit(session, CallAnswered(call_id=call_id, interface=interface), now=now)
    session.commit()
    return True


@dataclass(frozen=True)
class CallEnd:
    """How a call ended, as the PBX told it."""

    cause: int | None = None
    cause_text: str | None = None
    answered: bool = False
    abandoned: bool = False
    talk_seconds: float | None = None
    queue: str | None = None


def end_call(session: Session, call_id: str, end: CallEnd, *, now: datetime) -> bool:
    """Close the call record once (True when this call closed it). An unanswered inbound call keeps its draft, marked
    missed, and (when the number is known and the caller did not ask for a callback already) gets a missed-call
    callback task. A conditional UPDATE … RETURNING as in `answer_call` (SET reads the row's values before the update)."""
    row = session.execute(
        update(Call)
        .where(col(Call.call_id) == call_id, col(Call.ended_at).is_(None))
        .values(
            ended_at=now,
            hangup_cause=end.cause,
            hangup_cause_text=end.cause_text or None,
            abandoned=not_(col(Call.answered)) if end.abandoned else False,
            talk_seconds=end.talk_seconds,
            answered=True if end.answered else col(Call.answered),
            queue=func.coalesce(col(Call.queue), end.queue),
        )
        .returning(col(Call.answered), col(Call.abandoned), col(Call.direction), col(Call.appeal_id), col(Call.caller))
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        session.rollback()
        return False
    answered, abandoned, direction, appeal_id, caller = row
    if not answered and CallDirection(direction) is CallDirection.inbound:
        _mark_missed(session, call_id, appeal_id, caller, now)
    cause = end.cause_text or (str(end.cause) if end.cause is not None else None)
    emit(session, CallEnded(call_id=call_id, cause=cause, answered=bool(answered), abandoned=bool(abandoned)), now=now)
    session.commit()
    return True


def _mark_missed(session: Session, call_id: str, appeal_id: int | None, caller: str | None, now: datetime) -> None:
    appeal = session.get(Appeal, appeal_id) if appeal_id else None
    if appeal is not None and not appeal.missed:
        appeal.missed, appeal.updated_at = True, now
        session.add(appeal)
    requested = session.exec(select(CallbackTask.id).where(CallbackTask.dedup_key == f"requested:{call_id}")).first()
    if caller and requested is None:
        create_callback_task(
            session,
            CallbackKind.missed_call,
            dedup_key=f"missed:{call_id}",
            now=now,
            phone=caller,
            appeal_id=appeal_id,
            call_id=call_id,
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
