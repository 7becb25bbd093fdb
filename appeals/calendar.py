"""The work calendar: Mon–Fri by default, with editable overrides (holidays, transfers, martial law)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from appeals.errors import DeadlineError

_SEARCH_LIMIT = 366


class WorkCalendar:
    """Answers "is this a working day?" from a default week and explicit per-date overrides.

    Under martial law the public holidays of КЗпП art. 73 are not days off, so no holiday list is built in:
    a site enters its holidays (or transferred working days) as overrides.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})

    def is_working(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() < 5

    def next_working_on_or_after(self, day: date) -> date:
        """The first working day on or after `day` (a deadline on a day off moves to the next working day)."""
        for offset in range(_SEARCH_LIMIT):
            candidate = day + timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        raise DeadlineError(
            f"Протягом року після {day.isoformat()} немає жодного робочого дня; перевірте робочий календар", code="calendar_no_working_day"
        )

    def next_working_after(self, day: date) -> date:
        return self.next_working_on_or_after(day + timedelta(days=1))

    def add_working_days(self, day: date, count: int) -> date:
        """`count` working days after `day` (day itself not counted)."""
        current = day
        for _ in range(count):
            current = self.next_working_after(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        total = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            total += self.is_working(current)
        return total
