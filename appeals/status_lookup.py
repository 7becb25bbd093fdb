"""The public status lookup: a registration number plus the last four digits of the applicant's phone, throttled.

Failures are counted per client address and per registration number (in the login-failure table), so guessing
the 10 000 possible endings of one appeal, or trying many appeals from one address, is locked out quickly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import AppealsError, DomainValidationError
from appeals.history import record_audit
from appeals.models import Appeal, AppealStatus, Category, CitizenPhone, Executor, Issue, LoginFailure
from appeals.reports.labels import APPEAL_STATUS, ISSUE_STATUS

IP_LIMIT, IP_WINDOW, IP_LOCK = 10, timedelta(minutes=15), timedelta(minutes=15)
NUMBER_LIMIT, NUMBER_WINDOW, NUMBER_LOCK = 5, timedelta(hours=1), timedelta(hours=1)
NOT_FOUND = "Звернення з таким номером і телефоном не знайдено. Перевірте номер і останні чотири цифри телефону."
_NUMBER = re.compile(r"^\s*([A-ZА-ЯҐЄІЇ]{1,8})\s*-\s*(\d{4})\s*-\s*(\d{1,9})\s*$")


class StatusLookupThrottledError(AppealsError):
    code = "status_lookup_throttled"
    kind = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"Забагато невдалих спроб; спробуйте після {until.isoformat(timespec='minutes')}")
        self.until = until


class StatusNotFoundError(AppealsError):
    """One answer for every failure, so the lookup does not reveal which numbers exist."""

    code = "status_not_found"
    kind = "not_found"

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


@dataclass(frozen=True)
class IssueStatusView:
    category: str
    status: str
    executor: str | None
    due_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class AppealStatusView:
    number: str
    status: str
    registered_at: datetime | None
    closed_at: datetime | None
    issues: list[IssueStatusView]


def normalize_number(raw: str) -> str | None:
    """`бр-2026-123` → `БР-2026-000123`; None when it does not look like a registration number."""
    match = _NUMBER.match(raw.upper())
    if match is None:
        return None
    prefix, year, seq = match.groups()
    return f"{prefix}-{year}-{int(seq):06d}"


def _locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    for key in keys:
        row = session.get(LoginFailure, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return row.locked_until
    return None


def _fail(session: Session, keys: list[tuple[str, int, timedelta, timedelta]], now: datetime) -> None:
    for key, limit, window, lock in keys:
        row = session.get(LoginFailure, key) or LoginFailure(key=key, failures=0, window_started_at=now)
        if now - row.window_started_at > window:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + lock
        session.add(row)


def _matches(session: Session, appeal: Appeal, last4: str) -> bool:
    phones = [appeal.caller] if appeal.caller else []
    if appeal.citizen_id is not None:
        phones += session.exec(select(CitizenPhone.phone).where(CitizenPhone.citizen_id == appeal.citizen_id)).all()
    return any(len(p) >= 4 and p[-4:] == last4 for p in phones if p and p.startswith("+"))


def lookup_status(session: Session, number: str, phone_last4: str, *, client: str | None, now: datetime) -> AppealStatusView:
    """The appeal's public status if the number and the phone ending match.

    Raises:
        DomainValidationError: the input is not a registration number and four digits.
        StatusLookupThrottledError: too many failures from this address or for this number.
        StatusNotFoundError: no such registered appeal, or the phone does not match (one message for both).
    """
    normalized, digits = normalize_number(number), phone_last4.strip()
    if normalized is None or not re.fullmatch(r"\d{4}", digits):
        raise DomainValidationError(
            "Вкажіть номер звернення (наприклад, БР-2026-000123) і чотири останні цифри телефону",
            code="status_lookup_invalid",
            fields={"number": "format", "phone_last4": "4 digits"},
        )
    ip_key, number_key = f"status-ip:{client or 'unknown'}", f"status-number:{normalized}"
    until = _locked_until(session, [ip_key, number_key], now)
    if until is not None:
        raise StatusLookupThrottledError(until)
    appeal = session.exec(select(Appeal).where(Appeal.number == normalized)).first()
    actor = Actor(None, None, ip=client)
    if appeal is None or appeal.status not in (AppealStatus.registered, AppealStatus.closed) or not _matches(session, appeal, digits):
        _fail(session, [(ip_key, IP_LIMIT, IP_WINDOW, IP_LOCK), (number_key, NUMBER_LIMIT, NUMBER_WINDOW, NUMBER_LOCK)], now)
        record_audit(session, actor, "status_lookup_failed", "appeal", normalized, now=now)
        session.commit()
        raise StatusNotFoundError
    record_audit(session, actor, "status_lookup", "appeal", appeal.id, now=now)
    session.commit()
    return _view(session, appeal)


def _view(session: Session, appeal: Appeal) -> AppealStatusView:
    rows = session.exec(
        select(Issue, Category.name, Executor.short_name, Executor.name)
        .join(Category, col(Category.id) == Issue.category_id, isouter=True)
        .join(Executor, col(Executor.id) == Issue.executor_id, isouter=True)
        .where(Issue.appeal_id == appeal.id)
        .order_by(col(Issue.seq))
    ).all()
    issues = [
        IssueStatusView(
            category or "—", ISSUE_STATUS.get(i.status.value, i.status.value), short or name, i.extended_due_at or i.due_at, i.closed_at
        )
        for i, category, short, name in rows
    ]
    return AppealStatusView(
        appeal.number or "", APPEAL_STATUS.get(appeal.status.value, appeal.status.value), appeal.registered_at, appeal.closed_at, issues
    )
