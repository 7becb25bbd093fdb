"""Read models: appeals with their issues, names and call ids, assembled in a few batched queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from appeals.models import (
    TERMINAL_ISSUE_STATUSES,
    Appeal,
    Building,
    Call,
    Category,
    Executor,
    Issue,
    StatusChange,
    Street,
    User,
)
from appeals.phones import display_phone
from appeals.schemas import AppealPublic, HistoryEntry, IssuePublic


def format_address(street: Street | None, house: str | None, flat: str | None, text: str) -> str:
    """`вул. Київська, 12, кв. 5`, or the free text when no gazetteer street is set."""
    if street is None:
        return text
    short = {"вулиця": "вул.", "проспект": "просп.", "бульвар": "бульв.", "провулок": "пров.", "площа": "пл."}.get(street.kind, street.kind)
    parts = [f"{short} {street.name}"]
    if house:
        parts.append(house)
    if flat:
        parts.append(f"кв. {flat}")
    return ", ".join(parts)


def current_due(issue: Issue) -> datetime | None:
    return issue.extended_due_at or issue.due_at


def is_overdue(issue: Issue, now: datetime) -> bool:
    due = current_due(issue)
    return due is not None and issue.status not in TERMINAL_ISSUE_STATUSES and issue.status != "draft" and now > due


def _issue_view(issue: Issue, appeal: Appeal, lookups: _Lookups, now: datetime) -> IssuePublic:
    category = lookups.categories.get(issue.category_id or 0)
    executor = lookups.executors.get(issue.executor_id or 0)
    street = lookups.streets.get(issue.street_id or 0)
    return IssuePublic(
        id=issue.id or 0,
        seq=issue.seq,
        number=f"{appeal.number}/{issue.seq}" if appeal.number else None,
        category_id=issue.category_id,
        category_name=category.name if category else None,
        emergency_class=category.emergency_class if category else None,
        street_id=issue.street_id,
        building_id=issue.building_id,
        house=issue.house,
        flat=issue.flat,
        address_text=issue.address_text,
        address=format_address(street, issue.house, issue.flat, issue.address_text),
        district=issue.district,
        description=issue.description,
        executor_id=issue.executor_id,
        executor_name=executor.short_name or executor.name if executor else None,
        status=issue.status,
        registered_at=issue.registered_at,
        due_at=issue.due_at,
        sla_due_at=issue.sla_due_at,
        attention_at=issue.attention_at,
        extended_due_at=issue.extended_due_at,
        current_due_at=current_due(issue),
        overdue=is_overdue(issue, now),
        rework_count=issue.rework_count,
        forward_to=issue.forward_to,
        resolution_text=issue.resolution_text,
        closed_at=issue.closed_at,
    )


class _Lookups:
    def __init__(self, session: Session, issues: Sequence[Issue]) -> None:
        cat_ids = {i.category_id for i in issues if i.category_id}
        exe_ids = {i.executor_id for i in issues if i.executor_id}
        street_ids = {i.street_id for i in issues if i.street_id}
        self.categories = (
            {c.id or 0: c for c in session.exec(select(Category).where(col(Category.id).in_(cat_ids))).all()} if cat_ids else {}
        )
        self.executors = (
            {e.id or 0: e for e in session.exec(select(Executor).where(col(Executor.id).in_(exe_ids))).all()} if exe_ids else {}
        )
        self.streets = (
            {s.id or 0: s for s in session.exec(select(Street).where(col(Street.id).in_(street_ids))).all()} if street_ids else {}
        )


def appeal_views(session: Session, appeals: Sequence[Appeal], *, now: datetime) -> list[AppealPublic]:
    """AppealPublic for each appeal, in order, with three batched queries whatever the count."""
    ids = [a.id for a in appeals if a.id is not None]
    if not ids:
        return []
    issues = session.exec(select(Issue).where(col(Issue.appeal_id).in_(ids)).order_by(col(Issue.appeal_id), col(Issue.seq))).all()
    calls = session.exec(select(Call.appeal_id, Call.call_id).where(col(Call.appeal_id).in_(ids)).order_by(col(Call.started_at))).all()
    lookups = _Lookups(session, issues)
    by_appeal: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_appeal[issue.appeal_id].append(issue)
    call_ids: dict[int, list[str]] = defaultdict(list)
    for appeal_id, call_id in calls:
        if appeal_id is not None:
            call_ids[appeal_id].append(call_id)
    out = []
    for appeal in appeals:
        data = appeal.model_dump()
        data["caller_display"] = display_phone(appeal.caller)
        data["issues"] = [_issue_view(i, appeal, lookups, now) for i in by_appeal.get(appeal.id or 0, [])]
        data["call_ids"] = call_ids.get(appeal.id or 0, [])
        out.append(AppealPublic.model_validate(data))
    return out


def appeal_history(session: Session, appeal_id: int) -> list[HistoryEntry]:
    rows = session.exec(
        select(StatusChange, User.full_name, User.username)
        .join(User, col(User.id) == StatusChange.actor_id, isouter=True)
        .where(StatusChange.appeal_id == appeal_id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    return [
        HistoryEntry(
            entity=c.entity,
            entity_id=c.entity_id,
            action=c.action,
            from_status=c.from_status,
            to_status=c.to_status,
            actor_id=c.actor_id,
            actor_name=(full or user) if c.actor_id else None,
            reason=c.reason,
            at=c.at,
        )
        for c, full, user in rows
    ]


def building_address(session: Session, building_id: int) -> tuple[Building, Street] | None:
    row = session.exec(
        select(Building, Street).join(Street, col(Street.id) == Building.street_id).where(Building.id == building_id)
    ).first()
    return (row[0], row[1]) if row else None
