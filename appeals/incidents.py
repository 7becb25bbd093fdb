"""Mass incidents: declare, link issues at the affected addresses, propose from a burst of calls, close and tell.

An incident names one category; it covers that category, its sub-categories and its siblings (a heating-main
burst covers "no heating" and "low temperature" calls at the same addresses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM, Actor
from appeals.errors import DomainValidationError, InvalidTransitionError, NotFoundError
from appeals.history import record_audit
from appeals.issues import ActionInput, transition_issue
from appeals.models import (
    Appeal,
    Assignment,
    AssignmentState,
    Building,
    Category,
    Incident,
    IncidentAddress,
    IncidentStatus,
    Issue,
    IssueAction,
    IssueStatus,
    NotificationChannel,
    Street,
)
from appeals.notifications import SUPERVISORS, notify_citizen, queue_notification

LINKABLE = (IssueStatus.registered, IssueStatus.assigned)


@dataclass(frozen=True)
class AddressIn:
    """An affected building, or a whole street (no building)."""

    street_id: int
    building_id: int | None = None


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError("incident", incident_id)
    return incident


def covered_categories(session: Session, category_id: int) -> set[int]:
    """The category, its children and, when it has a parent, its siblings."""
    category = session.get(Category, category_id)
    if category is None:
        return set()
    ids = {category_id, *session.exec(select(Category.id).where(Category.parent_id == category_id)).all()}
    if category.parent_id is not None:
        ids |= set(session.exec(select(Category.id).where(Category.parent_id == category.parent_id)).all())
    return {i for i in ids if i is not None}


def _address_match(street_id: int | None, building_id: int | None) -> ColumnElement[bool]:
    street_wide = and_(col(IncidentAddress.building_id).is_(None), col(IncidentAddress.street_id) == street_id)
    return or_(col(IncidentAddress.building_id) == building_id, street_wide) if building_id is not None else street_wide


def covering_incident(session: Session, issue: Issue) -> Incident | None:
    """The active incident that covers this issue's category at its address (the most recent one)."""
    if issue.category_id is None or (issue.street_id is None and issue.building_id is None):
        return None
    street_id = issue.street_id
    if street_id is None and issue.building_id is not None:
        building = session.get(Building, issue.building_id)
        street_id = building.street_id if building else None
    candidates = session.exec(
        select(Incident)
        .join(IncidentAddress, col(IncidentAddress.incident_id) == Incident.id)
        .where(Incident.status == IncidentStatus.active, _address_match(street_id, issue.building_id))
        .order_by(col(Incident.started_at).desc())
    ).all()
    return next((i for i in candidates if issue.category_id in covered_categories(session, i.category_id)), None)


def incidents_at_buildings(session: Session, building_ids: Sequence[int]) -> list[Incident]:
    """Active incidents affecting any of these buildings (listed, or their whole street)."""
    if not building_ids:
        return []
    return list(
        session.exec(
            select(Incident)
            .join(IncidentAddress, col(IncidentAddress.incident_id) == Incident.id)
            .join(Building, col(Building.id).in_(building_ids))
            .where(Incident.status == IncidentStatus.active)
            .where(
                or_(
                    col(IncidentAddress.building_id) == Building.id,
                    and_(col(IncidentAddress.building_id).is_(None), col(IncidentAddress.street_id) == Building.street_id),
                )
            )
            .distinct()
            .order_by(col(Incident.started_at).desc())
        ).all()
    )


def set_addresses(session: Session, incident: Incident, addresses: Sequence[AddressIn]) -> None:
    if not addresses:
        raise DomainValidationError("Вкажіть хоча б один будинок або вулицю аварії", code="incident_address_required")
    for item in addresses:
        if session.get(Street, item.street_id) is None:
            raise DomainValidationError(f"Вулиці {item.street_id} немає в довіднику адрес", code="street_unknown")
        building = session.get(Building, item.building_id) if item.building_id is not None else None
        if item.building_id is not None and (building is None or building.street_id != item.street_id):
            raise DomainValidationError(f"Будинок {item.building_id} не на вулиці {item.street_id}", code="building_unknown")
        exists = session.exec(
            select(IncidentAddress.id).where(
                IncidentAddress.incident_id == incident.id,
                IncidentAddress.street_id == item.street_id,
                IncidentAddress.building_id == item.building_id
                if item.building_id is not None
                else col(IncidentAddress.building_id).is_(None),
            )
        ).first()
        if exists is None:
            session.add(IncidentAddress(incident_id=incident.id or 0, street_id=item.street_id, building_id=item.building_id))


def link_issue(session: Session, incident: Incident, issue: Issue, *, actor: Actor, now: datetime) -> Issue:
    """Attach an issue to the incident instead of a separate assignment (a pending assignment is withdrawn)."""
    if incident.status is not IncidentStatus.active:
        raise InvalidTransitionError("incident", incident.id, incident.status.value, "link", allowed=[])
    issue.incident_id = incident.id
    session.add(issue)
    linked = transition_issue(session, issue.id or 0, IssueAction.link_incident, actor=actor, now=now)
    for assignment in session.exec(
        select(Assignment).where(
            Assignment.issue_id == linked.id, col(Assignment.state).in_([AssignmentState.new, AssignmentState.accepted])
        )
    ).all():
        assignment.state, assignment.closed_at, assignment.result = AssignmentState.cancelled, now, "incident"
        session.add(assignment)
    session.commit()
    return linked


def link_open_issues(session: Session, incident: Incident, *, now: datetime) -> int:
    """Link every not-yet-worked issue at the incident's addresses (on declaring it or adding addresses)."""
    rows = session.exec(
        select(Issue).where(col(Issue.status).in_(LINKABLE), col(Issue.category_id).in_(covered_categories(session, incident.category_id)))
    ).all()
    count = 0
    for issue in rows:
        found = covering_incident(session, issue)
        if found is not None and found.id == incident.id:
            link_issue(session, incident, issue, actor=SYSTEM, now=now)
            count += 1
    return count


def activate(session: Session, incident: Incident, *, actor: Actor, now: datetime, addresses: Sequence[AddressIn] = ()) -> Incident:
    """Declare (or confirm a proposed) incident; link the open issues it covers."""
    if incident.status not in (IncidentStatus.proposed, IncidentStatus.active):
        raise InvalidTransitionError("incident", incident.id, incident.status.value, "declare", allowed=[])
    incident.status, incident.declared_by, incident.declared_at, incident.updated_at = IncidentStatus.active, actor.user_id, now, now
    session.add(incident)
    session.flush()
    if addresses:
        set_addresses(session, incident, addresses)
    record_audit(session, actor, "declare", "incident", incident.id, now=now)
    session.commit()
    link_open_issues(session, incident, now=now)
    session.refresh(incident)
    return incident


def close_incident(session: Session, incident_id: int, *, actor: Actor, now: datetime, resolution: str) -> Incident:
    """Close: each linked issue is reported resolved (then verified like any other) and its applicant is told."""
    incident = get_incident(session, incident_id)
    if incident.status is not IncidentStatus.active:
        raise InvalidTransitionError("incident", incident_id, incident.status.value, "close", allowed=[])
    if not resolution.strip():
        raise DomainValidationError("Щоб закрити аварію, опишіть, як її усунено", code="reason_required", fields={"resolution": "required"})
    incident.status, incident.closed_by, incident.closed_at, incident.resolution, incident.updated_at = (
        IncidentStatus.closed,
        actor.user_id,
        now,
        resolution,
        now,
    )
    session.add(incident)
    record_audit(session, actor, "close", "incident", incident_id, now=now)
    session.commit()
    for issue in session.exec(select(Issue).where(Issue.incident_id == incident_id, Issue.status == IssueStatus.linked_to_incident)).all():
        appeal = session.get(Appeal, issue.appeal_id)
        if appeal is not None:
            text = messages.citizen_notice(
                appeal.number or "", title="аварію усунено", text=f"Аварію «{incident.title}» усунено. {resolution}".strip()
            )
            notify_citizen(session, appeal, text, kind="citizen_incident_closed", key=f"incident_closed:{incident_id}:{issue.id}", now=now)
        transition_issue(session, issue.id or 0, IssueAction.resolve_incident, actor=SYSTEM, now=now, data=ActionInput(reason=resolution))
    session.refresh(incident)
    return incident


def _open_here(session: Session, street_id: int, category_id: int) -> bool:
    """A proposed or active incident already covers this category on this street."""
    found = session.exec(
        select(Incident.id)
        .join(IncidentAddress, col(IncidentAddress.incident_id) == Incident.id)
        .where(col(Incident.status).in_([IncidentStatus.proposed, IncidentStatus.active]), IncidentAddress.street_id == street_id)
        .where(col(Incident.category_id).in_(covered_categories(session, category_id)))
    ).first()
    return found is not None


def propose_from_burst(session: Session, issue: Issue, *, now: datetime, calls: int, minutes: int) -> Incident | None:
    """N issues of one category on one street within M minutes and no incident there yet: propose one."""
    if issue.category_id is None or issue.street_id is None or calls < 2:
        return None
    since = now - timedelta(minutes=minutes)
    burst = session.exec(
        select(func.count())
        .select_from(Issue)
        .where(Issue.street_id == issue.street_id, Issue.category_id == issue.category_id, col(Issue.registered_at) >= since)
    ).one()
    if int(burst) < calls:
        return None
    if _open_here(session, issue.street_id, issue.category_id):
        return None
    category, street = session.get(Category, issue.category_id), session.get(Street, issue.street_id)
    title = f"{category.name if category else 'Аварія'}: {street.name if street else ''}".strip()
    reason = f"{int(burst)} звернень за {minutes} хв"
    incident = Incident(
        status=IncidentStatus.proposed,
        category_id=issue.category_id,
        title=title[:200],
        proposal_reason=reason,
        started_at=now,
        created_at=now,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentAddress(incident_id=incident.id or 0, street_id=issue.street_id))
    queue_notification(
        session,
        kind="incident_proposed",
        channel=NotificationChannel.email,
        recipient=SUPERVISORS,
        dedup_key=f"incident_proposed:{incident.id}",
        text=messages.Text(f"Можлива масова аварія: {title}", f"{reason}: «{title}». Підтвердьте або відхиліть у консолі.\n"),
        now=now,
    )
    return incident
