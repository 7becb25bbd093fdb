"""What a report covers: the period (Kyiv dates), channel, category subtree, executor with roll-up, district, priority."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from appeals.deadlines import KYIV, add_months
from appeals.errors import DomainValidationError
from appeals.models import Appeal, Category, Channel, Executor, Issue
from appeals.reports.labels import CHANNEL, label

MAX_PERIOD_DAYS = 732


@dataclass(frozen=True)
class ReportFilter:
    """The filters every report accepts; `start`/`end` are inclusive local (Europe/Kyiv) dates."""

    start: date
    end: date
    channel: Channel | None = None
    category_id: int | None = None
    executor_id: int | None = None
    district: str | None = None
    priority: bool | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainValidationError(
                f"Період закінчується ({self.end.isoformat()}) раніше, ніж починається ({self.start.isoformat()})",
                code="report_period_invalid",
                fields={"end": "invalid"},
            )
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise DomainValidationError(
                f"Звіт охоплює щонайбільше {MAX_PERIOD_DAYS} днів; розділіть період",
                code="report_period_too_long",
                fields={"start": "invalid"},
            )

    @functools.cached_property
    def since(self) -> datetime:
        """The first instant of the period (00:00 Kyiv of `start`)."""
        return datetime.combine(self.start, time.min, tzinfo=KYIV)

    @functools.cached_property
    def until(self) -> datetime:
        """The instant after the period (00:00 Kyiv of the day after `end`)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=KYIV)

    def as_of(self, now: datetime) -> datetime:
        """The moment open work is counted at: the end of the period, or now if the period is not over."""
        return min(now, self.until)

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one."""
        days = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=days), end=self.start - timedelta(days=1))

    def year_before(self) -> ReportFilter:
        return replace(self, start=add_months(self.start, -12), end=add_months(self.end, -12))

    def label(self) -> str:
        return f"{self.start.strftime('%d.%m.%Y')} — {self.end.strftime('%d.%m.%Y')}"


def month_filter(year: int, month: int, **filters: Any) -> ReportFilter:
    first = date(year, month, 1)
    return ReportFilter(start=first, end=add_months(first, 1) - timedelta(days=1), **filters)


def descendants(pairs: Iterable[tuple[int | None, int | None]], root: int) -> set[int]:
    """`root` and every node under it, from (id, parent_id) pairs."""
    children: dict[int, list[int]] = defaultdict(list)
    for node, parent in pairs:
        if node is not None and parent is not None:
            children[parent].append(node)
    found, stack = {root}, [root]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def category_subtree(session: Session, category_id: int) -> set[int]:
    """The category and all its descendants.

    Raises:
        DomainValidationError: no such category.
    """
    if session.get(Category, category_id) is None:
        raise DomainValidationError(
            f"Категорії {category_id} немає в довіднику", code="category_unknown", fields={"category_id": "unknown"}
        )
    return descendants(session.exec(select(Category.id, Category.parent_id)).all(), category_id)


def executor_subtree(session: Session, executor_id: int) -> set[int]:
    """The executor and the organisations under it (roll-up to the parent).

    Raises:
        DomainValidationError: no such executor.
    """
    if session.get(Executor, executor_id) is None:
        raise DomainValidationError(
            f"Виконавця {executor_id} немає в довіднику", code="executor_unknown", fields={"executor_id": "unknown"}
        )
    return descendants(session.exec(select(Executor.id, Executor.parent_id)).all(), executor_id)


def scoped_issues(session: Session, flt: ReportFilter, query: Any) -> Any:
    """Add the non-period filters to a `select(...)` that already joins Issue and Appeal."""
    if flt.channel is not None:
        query = query.where(Appeal.channel == flt.channel)
    if flt.priority is not None:
        query = query.where(col(Appeal.is_priority).is_(flt.priority))
    if flt.district:
        query = query.where(Issue.district == flt.district)
    if flt.category_id is not None:
        query = query.where(col(Issue.category_id).in_(category_subtree(session, flt.category_id)))
    if flt.executor_id is not None:
        query = query.where(col(Issue.executor_id).in_(executor_subtree(session, flt.executor_id)))
    return query


def scoped_appeals(session: Session, flt: ReportFilter, query: Any) -> Any:
    """Appeal-level filters: channel and priority; category, executor and district match any of the appeal's issues."""
    if flt.channel is not None:
        query = query.where(Appeal.channel == flt.channel)
    if flt.priority is not None:
        query = query.where(col(Appeal.is_priority).is_(flt.priority))
    if flt.category_id is not None or flt.executor_id is not None or flt.district:
        inner = scoped_issues(session, replace(flt, channel=None, priority=None), select(Issue.appeal_id).join(Appeal))
        query = query.where(col(Appeal.id).in_(inner))
    return query


def describe(session: Session, flt: ReportFilter) -> str:
    """The period and filters in words, for the report's header and export."""
    return "; ".join([f"період {flt.label()}", *filter_phrases(session, flt)])


def filter_phrases(session: Session, flt: ReportFilter) -> list[str]:
    """The non-period filters in words."""
    parts: list[str] = []
    if flt.channel is not None:
        parts.append(f"канал: {label(CHANNEL, flt.channel.value)}")
    if flt.category_id is not None:
        category = session.get(Category, flt.category_id)
        parts.append(f"категорія: {category.name if category else flt.category_id} (з підкатегоріями)")
    if flt.executor_id is not None:
        executor = session.get(Executor, flt.executor_id)
        parts.append(f"виконавець: {(executor.short_name or executor.name) if executor else flt.executor_id} (з підлеглими)")
    if flt.district:
        parts.append(f"район: {flt.district}")
    if flt.priority is not None:
        parts.append("лише пільговики" if flt.priority else "без пільговиків")
    return parts
