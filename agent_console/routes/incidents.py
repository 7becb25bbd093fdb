"""Mass incidents: the supervisor declares, edits, confirms or dismisses proposals, closes; desks link issues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import DomainValidationError
from appeals.incident_desk import (
    IncidentIn,
    IncidentPatch,
    IncidentPublic,
    confirm_proposal,
    declare_incident,
    dismiss_proposal,
    incident_views,
    list_incidents,
    update_incident,
)
from appeals.incidents import close_incident, get_incident, link_issue
from appeals.issues import get_issue
from appeals.models import IncidentStatus

router = APIRouter(tags=["incidents"])


class CloseIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000)


class LinkIn(BaseModel):
    issue_id: int


def _one(session: SessionDep, incident_id: int) -> IncidentPublic:
    incident = get_incident(session, incident_id)
    session.refresh(incident)  # a use case may have committed (and expired it) after loading it
    return incident_views(session, [incident])[0]


@router.get("/api/incidents")
def incidents(
    session: SessionDep, status: IncidentStatus | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[IncidentPublic]:
    """Proposed and active incidents (or those with `status`), newest first."""
    return incident_views(session, list_incidents(session, status=status, limit=limit))


@router.post("/api/incidents", status_code=201)
def declare(body: IncidentIn, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    """Declare an incident; open issues at its addresses are linked to it at once."""
    incident = declare_incident(session, body, actor=actor, now=now)
    return _one(session, incident.id or 0)


@router.get("/api/incidents/{incident_id}")
def read(incident_id: int, session: SessionDep) -> IncidentPublic:
    return _one(session, incident_id)


@router.patch("/api/incidents/{incident_id}")
def update(incident_id: int, body: IncidentPatch, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    """Change the notice or ETA, or add buildings and streets (newly covered issues are linked)."""
    update_incident(session, incident_id, body, actor=actor, now=now)
    return _one(session, incident_id)


@router.post("/api/incidents/{incident_id}/confirm")
def confirm(incident_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    """Turn a proposal (a burst of calls) into an active incident."""
    confirm_proposal(session, incident_id, actor=actor, now=now)
    return _one(session, incident_id)


@router.post("/api/incidents/{incident_id}/dismiss")
def dismiss(incident_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    dismiss_proposal(session, incident_id, actor=actor, now=now)
    return _one(session, incident_id)


@router.post("/api/incidents/{incident_id}/close")
def close(incident_id: int, body: CloseIn, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    """Close it: each linked citizen is told, and their issues go to verification."""
    close_incident(session, incident_id, actor=actor, now=now, resolution=body.resolution)
    return _one(session, incident_id)


@router.post("/api/incidents/{incident_id}/link")
def link(incident_id: int, body: LinkIn, session: SessionDep, actor: ActorDep, now: NowDep) -> IncidentPublic:
    """Link one issue by hand (instead of a separate assignment)."""
    issue = get_issue(session, body.issue_id, actor)
    incident = get_incident(session, incident_id)
    if issue.status.value not in ("registered", "assigned"):
        raise DomainValidationError(f"Issue {issue.id} is {issue.status.value}: only new ones can be linked", code="incident_link_invalid")
    link_issue(session, incident, issue, actor=actor, now=now)
    return _one(session, incident_id)
