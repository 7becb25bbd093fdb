"""Creating callback tasks and scheduling their attempts on the work calendar (desk hours, working days)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from appeals.actors import SYSTEM
from appeals.calendar import WorkCalendar
from appeals.deadlines import KYIV
from appeals.errors import DomainValidationError
from appeals.history import record_status_change
from appeals.models import Appeal, CallbackKind, CallbackTask

DESK_OPENS = time(9, 0)
DESK_CLOSES = time(19, 0)
RETRY_GAP = timedelta(hours=3)
LATE_SLOT = time(14, 0)
VERIFICATION_WORKING_DAYS = 2
"""Verification: 3 tries over 2 working days (domain.md §5.2), then the issue is closed unverified."""


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=KYIV)


def desk_slot(now: datetime, calendar: WorkCalendar) -> datetime:
    """`now` if the callback desk works then, else the next opening (desk hours on working days, Kyiv time)."""
    local = now.astimezone(KYIV)
    if calendar.is_working(local.date()) and DESK_OPENS <= local.time() < DESK_CLOSES:
        return now
    day = local.date() if calendar.is_working(local.date()) and local.time() < DESK_OPENS else calendar.next_working_after(local.date())
    return _at(day, DESK_OPENS)


def verification_window_end(start: datetime, calendar: WorkCalendar) -> datetime:
    """Desk closing time of the second working day of the window that opens at `start`."""
    first = desk_slot(start, calendar).astimezone(KYIV).date()
    return _at(calendar.add_working_days(first, VERIFICATION_WORKING_DAYS - 1), DESK_CLOSES)


def next_attempt_at(last: datetime, attempts_done: int, calendar: WorkCalendar, *, window_end: datetime | None = None) -> datetime:
    """When to dial again after `attempts_done` unanswered tries: a few hours later the same day, then the next
    working day in the afternoon (another time of day reaches other people); never after the window's end."""
    local = last.astimezone(KYIV)
    if attempts_done <= 1:
        later = local + RETRY_GAP
        same_day = later.date() == local.date() and calendar.is_working(later.date()) and DESK_OPENS <= later.time() < DESK_CLOSES
        slot = later if same_day else _at(calendar.next_working_after(local.date()), DESK_OPENS)
    else:
        slot = _at(calendar.next_working_after(local.date()), LATE_SLOT)
    if window_end is not None and slot > window_end:
        slot = max(last, window_end - timedelta(hours=1))
    return slot


def create_callback_task(
    session: Session,
    kind: CallbackKind,
    *,
    dedup_key: str,
    now: datetime,
    phone: str | None,
    appeal_id: int | None = None,
    issue_id: int | None = None,
    call_id: str | None = None,
    citizen_id: int | None = None,
    due_at: datetime | None = None,
    priority: int = 0,
    next_attempt: datetime | None = None,
) -> tuple[CallbackTask, bool]:
    """The task for `dedup_key`, created once (flushed, not committed); `created` tells which.

    Raises:
        DomainValidationError: `appeal_id` names no appeal.
    """
    existing = session.exec(select(CallbackTask).where(CallbackTask.dedup_key == dedup_key)).first()
    if existing is not None:
        return existing, False
    if appeal_id is not None and session.get(Appeal, appeal_id) is None:
        raise DomainValidationError(f"Звернення {appeal_id} не існує", code="appeal_unknown", fields={"appeal_id": "unknown"})
    task = CallbackTask(
        kind=kind,
        dedup_key=dedup_key,
        phone=phone,
        appeal_id=appeal_id,
        issue_id=issue_id,
        call_id=call_id,
        citizen_id=citizen_id,
        next_attempt_at=next_attempt or now,
        due_at=due_at,
        priority=priority,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:
        return session.exec(select(CallbackTask).where(CallbackTask.dedup_key == dedup_key)).one(), False
    record_status_change(
        session,
        entity="callback",
        entity_id=task.id or 0,
        appeal_id=appeal_id,
        action="create",
        from_status=None,
        to_status=task.status.value,
        actor=SYSTEM,
        now=now,
        detail={"kind": kind.value},
    )
    return task, True
