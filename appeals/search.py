"""Searching the register: by phone, number, text, status, channel, executor, category, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import Session, col, select

from appeals.errors import DomainValidationError
from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, AppealStatus, Channel, CitizenPhone, Issue
from appeals.phones import normalize_phone

E = TypeVar("E", bound=StrEnum)

MAX_LIMIT = 500


@dataclass(frozen=True)
class AppealFilter:
    phone: str | None = None
    number: str | None = None
    q: str | None = None
    status: str | None = None
    channel: str | None = None
    executor_id: int | None = None
    category_id: int | None = None
    citizen_id: int | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    limit: int = 50
    offset: int = 0


def _issue_exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(col(Issue.appeal_id) == Appeal.id, *conditions)


def _choice(enum: type[E], value: str | None, name: str) -> E | None:
    """A filter value as its enum: empty means no filter, an unknown value is the caller's error."""
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise DomainValidationError(
            f"Невідоме значення {name} «{value}»; допустимі: {allowed}", code=f"{name}_unknown", fields={name: "unknown"}
        ) from None


def search_appeals(session: Session, f: AppealFilter, *, now: datetime) -> tuple[list[Appeal], int]:
    """Appeals matching every given filter, newest first, with the total count for paging.

    Raises:
        DomainValidationError: a malformed phone number, an unknown status or channel, or paging values.
    """
    if not 0 < f.limit <= MAX_LIMIT or f.offset < 0:
        raise DomainValidationError(
            f"limit має бути від 1 до {MAX_LIMIT}, а offset — не менше 0", code="paging_invalid", fields={"limit": "invalid"}
        )
    status, channel = _choice(AppealStatus, f.status, "status"), _choice(Channel, f.channel, "channel")
    query = select(Appeal)
    if f.phone:
        number = normalize_phone(f.phone)
        owners = select(CitizenPhone.citizen_id).where(CitizenPhone.phone == number)
        query = query.where(or_(col(Appeal.caller) == number, col(Appeal.citizen_id).in_(owners)))
    if f.number:
        query = query.where(func.lower(Appeal.number).like(f"%{f.number.strip().lower()}%"))
    if f.q:
        pattern = f"%{f.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Appeal.summary).like(pattern),
                func.lower(Appeal.applicant_name).like(pattern),
                func.lower(Appeal.number).like(pattern),
                _issue_exists(or_(func.lower(Issue.description).like(pattern), func.lower(Issue.address_text).like(pattern))),
            )
        )
    for column, value in ((Appeal.status, status), (Appeal.channel, channel), (Appeal.citizen_id, f.citizen_id)):
        if value is not None:
            query = query.where(column == value)
    if f.executor_id is not None:
        query = query.where(_issue_exists(col(Issue.executor_id) == f.executor_id))
    if f.category_id is not None:
        query = query.where(_issue_exists(col(Issue.category_id) == f.category_id))
    if f.overdue:
        open_statuses = col(Issue.status).not_in([s.value for s in TERMINAL_ISSUE_STATUSES] + ["draft"])
        query = query.where(_issue_exists(open_statuses, func.coalesce(Issue.extended_due_at, Issue.due_at) < now))
    if f.created_from is not None:
        query = query.where(col(Appeal.created_at) >= f.created_from)
    if f.created_to is not None:
        query = query.where(col(Appeal.created_at) < f.created_to)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Appeal.created_at).desc(), col(Appeal.id).desc()).limit(f.limit).offset(f.offset)).all()
    return list(rows), int(total)
