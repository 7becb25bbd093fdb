"""Deadline rules (domain.md §5.3): statutory terms of art. 20, procedural terms, category SLA, attention."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from appeals.calendar import WorkCalendar
from appeals.errors import DeadlineError
from appeals.models import Channel, SlaUnit, StatutoryClass

KYIV = ZoneInfo("Europe/Kyiv")
END_OF_DAY = time(23, 59, 59)
WORKDAY_END = time(18, 0)
EXTENSION_MAX_DAYS = 45
FORWARD_OUT_DAYS = 5
RETURN_INCOMPLETE_DAYS = 10
_AFTER_HOURS_CHANNELS = frozenset({Channel.email, Channel.web, Channel.open311, Channel.petition})


@dataclass(frozen=True)
class IssueDeadlines:
    """The computed deadlines of one issue."""

    receipt_date: date
    due_at: datetime
    sla_due_at: datetime
    attention_at: datetime


def end_of_day(day: date) -> datetime:
    """23:59:59 Europe/Kyiv of `day`, as an aware datetime."""
    return datetime.combine(day, END_OF_DAY, tzinfo=KYIV)


def add_months(day: date, months: int) -> date:
    """The same date `months` later; the last day of that month when it has no such date (Civil Code art. 254)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def receipt_date(received_at: datetime, channel: Channel, calendar: WorkCalendar) -> date:
    """The day the appeal counts as received: e-mail and web forms after hours or on a day off count from the next working day."""
    local = received_at.astimezone(KYIV)
    day = local.date()
    if channel in _AFTER_HOURS_CHANNELS:
        if not calendar.is_working(day):
            return calendar.next_working_on_or_after(day)
        if local.time() >= WORKDAY_END:
            return calendar.next_working_after(day)
    return day


def statutory_due(t0: date, statutory_class: StatutoryClass, calendar: WorkCalendar) -> datetime:
    """Art. 20: 15 calendar days or one month from receipt, moved off a day off, end of day in Kyiv."""
    raw = t0 + timedelta(days=15) if statutory_class is StatutoryClass.days_15 else add_months(t0, 1)
    return end_of_day(calendar.next_working_on_or_after(raw))


def procedural_due(t0: date, days: int, calendar: WorkCalendar) -> datetime:
    """A calendar-day procedural term (art. 7: 5 days, art. 5: 10 days), moved off a day off."""
    return end_of_day(calendar.next_working_on_or_after(t0 + timedelta(days=days)))


def extension_limit(t0: date, calendar: WorkCalendar) -> datetime:
    """The latest possible due date after extension: 45 days from receipt (art. 20)."""
    return procedural_due(t0, EXTENSION_MAX_DAYS, calendar)


def sla_due(received_at: datetime, t0: date, *, value: int, unit: SlaUnit, calendar: WorkCalendar) -> datetime:
    """The category's operational SLA: wall-clock hours (emergencies, around the clock), calendar or working days."""
    if unit is SlaUnit.hours:
        return received_at + timedelta(hours=value)
    if unit is SlaUnit.working_days:
        return end_of_day(calendar.add_working_days(t0, value))
    return end_of_day(t0 + timedelta(days=value))


def attention_at(start: datetime, due: datetime, pct: int) -> datetime:
    """The attention point: `pct` % of the way from start to due (Kyiv default 75 %)."""
    span = max(due - start, timedelta(0))
    return start + span * (max(0, min(pct, 100)) / 100)


def compute_issue_deadlines(
    received_at: datetime,
    channel: Channel,
    *,
    statutory_class: StatutoryClass,
    sla_value: int,
    sla_unit: SlaUnit,
    attention_pct: int,
    calendar: WorkCalendar,
) -> IssueDeadlines:
    """All deadlines of a newly registered issue; the SLA is never later than the statutory due."""
    t0 = receipt_date(received_at, channel, calendar)
    due = statutory_due(t0, statutory_class, calendar)
    sla = min(sla_due(received_at, t0, value=sla_value, unit=sla_unit, calendar=calendar), due)
    return IssueDeadlines(receipt_date=t0, due_at=due, sla_due_at=sla, attention_at=attention_at(received_at, sla, attention_pct))


def validate_extension(*, t0: date, current_due: datetime, new_day: date, calendar: WorkCalendar) -> datetime:
    """The extended due for a head's chosen day.

    Raises:
        DeadlineError: the day is not after the current due, or lies beyond 45 days from receipt.
    """
    new_due = end_of_day(calendar.next_working_on_or_after(new_day))
    limit = extension_limit(t0, calendar)
    if new_due <= current_due:
        raise DeadlineError(
            f"Новий строк {new_due.date().isoformat()} має бути пізніше за поточний {current_due.astimezone(KYIV).date().isoformat()}",
            code="extension_not_later",
            fields={"new_due": "not_later"},
        )
    if new_due > limit:
        raise DeadlineError(
            f"Ст. 20 дозволяє щонайбільше {EXTENSION_MAX_DAYS} днів від надходження ({t0.isoformat()}): найпізніший строк — {limit.date().isoformat()}",
            code="extension_beyond_limit",
            fields={"new_due": "beyond_45_days"},
        )
    return new_due


def complaint_in_time(t0: date, *, decision: date | None, acquainted: date | None) -> bool:
    """Art. 17: within a year of the decision and a month of learning of it (unknown dates do not bar it)."""
    if decision is not None and t0 > add_months(decision, 12):
        return False
    return not (acquainted is not None and t0 > add_months(acquainted, 1))
