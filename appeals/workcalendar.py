"""The stored work calendar: loading overrides into a WorkCalendar, editing a day."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.calendar import WorkCalendar
from appeals.history import record_audit
from appeals.models import WorkCalendarDay


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar with every stored override (a few dozen rows a year)."""
    rows = session.exec(select(WorkCalendarDay)).all()
    return WorkCalendar({row.day: row.is_working for row in rows})


def list_overrides(session: Session, start: date, end: date) -> list[WorkCalendarDay]:
    return list(
        session.exec(
            select(WorkCalendarDay)
            .where(col(WorkCalendarDay.day) >= start, col(WorkCalendarDay.day) <= end)
            .order_by(col(WorkCalendarDay.day))
        ).all()
    )


def set_day(session: Session, day: date, *, is_working: bool, note: str, actor: Actor, now: datetime) -> WorkCalendarDay:
    """Mark a date working or not; deadlines computed afterwards follow it (existing ones are not moved)."""
    row = session.get(WorkCalendarDay, day) or WorkCalendarDay(day=day, is_working=is_working)
    row.is_working = is_working
    row.note = note
    session.add(row)
    record_audit(session, actor, "update", "work_calendar", day.isoformat(), now=now, detail={"is_working": is_working, "note": note})
    session.commit()
    session.refresh(row)
    return row


def clear_day(session: Session, day: date, *, actor: Actor, now: datetime) -> None:
    """Remove an override: the date goes back to the default week."""
    row = session.get(WorkCalendarDay, day)
    if row is not None:
        session.delete(row)
        record_audit(session, actor, "delete", "work_calendar", day.isoformat(), now=now)
        session.commit()
