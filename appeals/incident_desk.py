"""The supervisor's side of mass incidents: declare, edit, confirm or dismiss a proposal, list with addresses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import DomainValidationError, InvalidTransitionError
from appeals.history import record_audit
from appeals.incidents import AddressIn, activate, get_incident, link_open_issues, set_addresses
from appeals.models import Building, Category, Executor, Incident, IncidentAddress, IncidentStatus, Issue, Street


class AddressSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street_id: int
    building_id: int | None = None


class IncidentIn(BaseModel):
    """A mass incident as a supervisor declares it."""

    model_config = ConfigDict(extra="forbid")
    category_id: int
    title: str = Field(min_length=3, max_length=200)
    public_notice: str = Field(default="", max_length=1000)
    eta_at: datetime | None = None
    executor_id: int | None = None
    ivr_prompt: str | None = Field(default=None, max_length=120, pattern=r"^[A-Za-z0-9_\-/]+$")
    announce_all: bool = False
    addresses: list[AddressSchema] = Field(min_length=1, max_length=2000)


class IncidentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=3, max_length=200)
    public_notice: str | None = Field(default=None, max_length=1000)
    eta_at: datetime | None = None
    ivr_prompt: str | None = Field(default=None, max_length=120, pattern=r"^[A-Za-z0-9_\-/]+$")
    announce_all: bool | None = None
    add_addresses: list[AddressSchema] = Field(default_factory=list, max_length=2000)


class AddressOut(BaseModel):
    street_id: int
    street: str
    building_id: int | None
    house: str | None


class IncidentPublic(BaseModel):
    id: int
    status: str
    category_id: int
    category_name: str | None
    executor_id: int | None
    title: str
    public_notice: str
    ivr_prompt: str | None
    announce_all: bool
    eta_at: datetime | None
    started_at: datetime
    declared_at: datetime | None
    proposal_reason: str
    closed_at: datetime | None
    resolution: str
    addresses: list[AddressOut]
    linked_issues: int


def _addresses(items: list[AddressSchema]) -> list[AddressIn]:
    return [AddressIn(a.street_id, a.building_id) for a in items]


def declare_incident(session: Session, data: IncidentIn, *, actor: Actor, now: datetime) -> Incident:
    """Declare an active incident; open issues it covers are linked at once."""
    if session.get(Category, data.category_id) is None:
        raise DomainValidationError(
            f"Категорії {data.category_id} немає в довіднику", code="category_unknown", fields={"category_id": "unknown"}
        )
    if data.executor_id is not None and session.get(Executor, data.executor_id) is None:
        raise DomainValidationError(
            f"Виконавця {data.executor_id} немає в довіднику", code="executor_unknown", fields={"executor_id": "unknown"}
        )
    incident = Incident(
        status=IncidentStatus.active,
        **data.model_dump(exclude={"addresses"}),
        started_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    return activate(session, incident, actor=actor, now=now, addresses=_addresses(data.addresses))


def update_incident(session: Session, incident_id: int, data: IncidentPatch, *, actor: Actor, now: datetime) -> Incident:
    incident = get_incident(session, incident_id)
    if incident.status not in (IncidentStatus.proposed, IncidentStatus.active):
        raise InvalidTransitionError("incident", incident_id, incident.status.value, "update", allowed=[])
    for name, value in data.model_dump(exclude_unset=True, exclude={"add_addresses"}).items():
        setattr(incident, name, value)
    incident.updated_at = now
    session.add(incident)
    record_audit(session, actor, "update", "incident", incident_id, now=now)
    if data.add_addresses:
        set_addresses(session, incident, _addresses(data.add_addresses))
    session.commit()
    if incident.status is IncidentStatus.active and data.add_addresses:
        link_open_issues(session, incident, now=now)
    session.refresh(incident)
    return incident


def confirm_proposal(session: Session, incident_id: int, *, actor: Actor, now: datetime) -> Incident:
    incident = get_incident(session, incident_id)
    if incident.status is not IncidentStatus.proposed:
        raise InvalidTransitionError("incident", incident_id, incident.status.value, "confirm", allowed=[])
    return activate(session, incident, actor=actor, now=now)


def dismiss_proposal(session: Session, incident_id: int, *, actor: Actor, now: datetime) -> Incident:
    incident = get_incident(session, incident_id)
    if incident.status is not IncidentStatus.proposed:
        raise InvalidTransitionError("incident", incident_id, incident.status.value, "dismiss", allowed=[])
    incident.status, incident.closed_by, incident.closed_at, incident.updated_at = IncidentStatus.dismissed, actor.user_id, now, now
    session.add(incident)
    record_audit(session, actor, "dismiss", "incident", incident_id, now=now)
    session.commit()
    session.refresh(incident)
    return incident


def incident_views(session: Session, incidents: list[Incident]) -> list[IncidentPublic]:
    ids = [i.id for i in incidents if i.id is not None]
    rows = session.exec(
        select(IncidentAddress, Street, Building)
        .join(Street, col(Street.id) == IncidentAddress.street_id)
        .join(Building, col(Building.id) == IncidentAddress.building_id, isouter=True)
        .where(col(IncidentAddress.incident_id).in_(ids))
    ).all()
    counts = dict(
        session.exec(select(Issue.incident_id, func.count()).where(col(Issue.incident_id).in_(ids)).group_by(col(Issue.incident_id))).all()
    )
    names = {c.id: c.name for c in session.exec(select(Category).where(col(Category.id).in_([i.category_id for i in incidents]))).all()}
    out = []
    for incident in incidents:
        addresses = [
            AddressOut(
                street_id=street.id or 0, street=street.name, building_id=row.building_id, house=building.house if building else None
            )
            for row, street, building in rows
            if row.incident_id == incident.id
        ]
        data = incident.model_dump()
        out.append(
            IncidentPublic(
                **data, category_name=names.get(incident.category_id), addresses=addresses, linked_issues=int(counts.get(incident.id, 0))
            )
        )
    return out


def list_incidents(session: Session, *, status: str | None = None, limit: int = 100) -> list[Incident]:
    query = select(Incident)
    if status:
        query = query.where(Incident.status == status)
    else:
        query = query.where(col(Incident.status).in_([IncidentStatus.proposed, IncidentStatus.active]))
    return list(session.exec(query.order_by(col(Incident.started_at).desc()).limit(limit)).all())
