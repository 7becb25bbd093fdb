"""Small pure statistics used by every report: rates, means, medians, durations in hours."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

T = TypeVar("T")


def pct(part: int | float, whole: int | float) -> float | None:
    """`part / whole` in percent, rounded to 0.1; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def ratio(part: int | float, whole: int | float, digits: int = 2) -> float | None:
    if not whole:
        return None
    return round(part / whole, digits)


def mean(values: Iterable[float], digits: int = 1) -> float | None:
    data = list(values)
    return round(statistics.fmean(data), digits) if data else None


def median(values: Iterable[float], digits: int = 1) -> float | None:
    data = list(values)
    return round(statistics.median(data), digits) if data else None


def hours(start: datetime | None, end: datetime | None) -> float | None:
    """Calendar hours from start to end (None when either is missing)."""
    if start is None or end is None:
        return None
    return (aware(end) - aware(start)) / timedelta(hours=1)


def aware(value: datetime) -> datetime:
    """A naive datetime is UTC (values typed by hand or read raw); aware ones pass through."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def maybe_aware(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


def chunks(values: Iterable[T], size: int = 5000) -> Iterator[list[T]]:
    """`values` in lists of at most `size` (an IN list must stay well under the drivers' parameter limits)."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
