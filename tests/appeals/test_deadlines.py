"""Deadline rules of art. 20 and the work calendar, with property-based invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appeals.calendar import WorkCalendar
from appeals.deadlines import (
    KYIV,
    add_months,
    attention_at,
    compute_issue_deadlines,
    extension_limit,
    receipt_date,
    statutory_due,
    validate_extension,
)
from appeals.errors import DeadlineError
from appeals.models import Channel, SlaUnit, StatutoryClass

WEEK = WorkCalendar()


def test_fifteen_days_landing_on_sunday_moves_to_monday_end_of_day_in_kyiv() -> None:
    due = statutory_due(date(2026, 11, 28), StatutoryClass.days_15, WEEK)  # +15 = Sunday 13 Dec
    assert due == datetime(2026, 12, 14, 23, 59, 59, tzinfo=KYIV)


def test_one_month_keeps_the_date_or_takes_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert statutory_due(date(2026, 3, 10), StatutoryClass.month, WEEK).date() == date(2026, 4, 10)


def test_a_holiday_entered_in_the_calendar_moves_the_deadline() -> None:
    calendar = WorkCalendar({date(2026, 12, 14): False})
    assert statutory_due(date(2026, 11, 28), StatutoryClass.days_15, calendar).date() == date(2026, 12, 15)


def test_martial_law_public_holidays_are_working_days_unless_entered() -> None:
    # 24 Aug (Independence Day) 2026 is a Monday: under martial law it is not a day off by default.
    assert WEEK.is_working(date(2026, 8, 24))
    assert statutory_due(date(2026, 8, 9), StatutoryClass.days_15, WEEK).date() == date(2026, 8, 24)


def test_a_transferred_saturday_counts_as_working() -> None:
    calendar = WorkCalendar({date(2026, 12, 12): True})
    assert calendar.next_working_on_or_after(date(2026, 12, 12)) == date(2026, 12, 12)


def test_email_after_hours_counts_from_the_next_working_day_but_a_call_does_not() -> None:
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=KYIV)
    assert receipt_date(friday_evening, Channel.email, WEEK) == date(2026, 11, 30)
    assert receipt_date(friday_evening, Channel.phone, WEEK) == date(2026, 11, 27)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=KYIV)
    assert receipt_date(saturday, Channel.web, WEEK) == date(2026, 11, 30)


def test_emergency_sla_counts_wall_clock_hours_through_the_weekend() -> None:
    received = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # Saturday night
    d = compute_issue_deadlines(
        received,
        Channel.phone,
        statutory_class=StatutoryClass.days_15,
        sla_value=4,
        sla_unit=SlaUnit.hours,
        attention_pct=75,
        calendar=WEEK,
    )
    assert d.sla_due_at == received + timedelta(hours=4)
    assert d.attention_at == received + timedelta(hours=3)


def test_sla_never_later_than_the_statutory_due() -> None:
    received = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    d = compute_issue_deadlines(
        received,
        Channel.phone,
        statutory_class=StatutoryClass.days_15,
        sla_value=40,
        sla_unit=SlaUnit.calendar_days,
        attention_pct=75,
        calendar=WEEK,
    )
    assert d.sla_due_at == d.due_at


def test_working_day_sla_skips_weekends() -> None:
    received = datetime(2026, 11, 27, 9, 0, tzinfo=KYIV)  # Friday
    d = compute_issue_deadlines(
        received,
        Channel.phone,
        statutory_class=StatutoryClass.month,
        sla_value=2,
        sla_unit=SlaUnit.working_days,
        attention_pct=75,
        calendar=WEEK,
    )
    assert d.sla_due_at.date() == date(2026, 12, 1)  # Mon, Tue


def test_extension_within_45_days_is_accepted() -> None:
    t0 = date(2026, 11, 2)
    current = statutory_due(t0, StatutoryClass.month, WEEK)
    new_due = validate_extension(t0=t0, current_due=current, new_day=date(2026, 12, 17), calendar=WEEK)
    assert new_due.date() == date(2026, 12, 17)


def test_extension_beyond_45_days_is_refused_with_the_latest_date() -> None:
    t0 = date(2026, 11, 2)
    current = statutory_due(t0, StatutoryClass.month, WEEK)
    with pytest.raises(DeadlineError, match="щонайбільше 45 днів") as info:
        validate_extension(t0=t0, current_due=current, new_day=date(2026, 12, 20), calendar=WEEK)
    assert info.value.code == "extension_beyond_limit"


def test_extension_must_move_the_deadline_later() -> None:
    t0 = date(2026, 11, 2)
    current = statutory_due(t0, StatutoryClass.month, WEEK)
    with pytest.raises(DeadlineError) as info:
        validate_extension(t0=t0, current_due=current, new_day=date(2026, 11, 20), calendar=WEEK)
    assert info.value.code == "extension_not_later"


def test_a_calendar_with_no_working_day_is_an_error_not_a_hang() -> None:
    start = date(2026, 1, 1)
    never = WorkCalendar({start + timedelta(days=i): False for i in range(400)})
    with pytest.raises(DeadlineError, match="немає жодного робочого дня"):
        never.next_working_on_or_after(start)


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
holidays = st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 3, 31)), max_size=40)
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))  # noqa: DTZ001 - hypothesis bounds are naive by contract


@given(t0=days, off=holidays, cls=st.sampled_from(list(StatutoryClass)))
def test_statutory_due_is_a_working_day_end_of_day_and_never_early(t0: date, off: set[date], cls: StatutoryClass) -> None:
    calendar = WorkCalendar(dict.fromkeys(off, False))
    due = statutory_due(t0, cls, calendar)
    assert due.tzinfo is KYIV
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert calendar.is_working(due.date())
    minimum = t0 + timedelta(days=15) if cls is StatutoryClass.days_15 else add_months(t0, 1)
    assert due.date() >= minimum
    assert all(not calendar.is_working(d) for d in (minimum + timedelta(days=i) for i in range((due.date() - minimum).days)))


@given(
    received=instants,
    off=holidays,
    value=st.integers(1, 60),
    unit=st.sampled_from(list(SlaUnit)),
    pct=st.integers(1, 100),
    channel=st.sampled_from(list(Channel)),
)
def test_sla_and_attention_invariants(received: datetime, off: set[date], value: int, unit: SlaUnit, pct: int, channel: Channel) -> None:
    calendar = WorkCalendar(dict.fromkeys(off, False))
    d = compute_issue_deadlines(
        received, channel, statutory_class=StatutoryClass.days_15, sla_value=value, sla_unit=unit, attention_pct=pct, calendar=calendar
    )
    assert d.sla_due_at <= d.due_at
    assert received <= d.attention_at <= max(d.sla_due_at, received)
    assert d.receipt_date >= received.astimezone(KYIV).date()


@given(t0=days, off=holidays, extra=st.integers(1, 60))
def test_no_extension_ever_passes_45_days(t0: date, off: set[date], extra: int) -> None:
    calendar = WorkCalendar(dict.fromkeys(off, False))
    current = statutory_due(t0, StatutoryClass.month, calendar)
    try:
        new_due = validate_extension(t0=t0, current_due=current, new_day=t0 + timedelta(days=15 + extra), calendar=calendar)
    except DeadlineError:
        return
    assert current < new_due <= extension_limit(t0, calendar)


def test_attention_is_75_percent_of_the_way() -> None:
    start = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert attention_at(start, start + timedelta(hours=8), 75) == start + timedelta(hours=6)
