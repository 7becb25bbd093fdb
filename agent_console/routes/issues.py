"""Issues: read one (with the actions the caller may take) and act on it through the lifecycle."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.drafts import get_appeal
from appeals.errors import DomainValidationError
from appeals.issues import ActionInput, get_issue, transition_issue
from appeals.lifecycle import allowed_actions
from appeals.models import IssueAction
from appeals.schemas import IssuePublic, TransitionIn
from appeals.views import appeal_views

router = APIRouter(tags=["issues"])


class IssueOut(BaseModel):
    issue: IssuePublic
    appeal_id: int
    appeal_number: str | None
    allowed_actions: list[str]


def _out(session: SessionDep, issue_id: int, actor: ActorDep, now: NowDep) -> IssueOut:
    issue = get_issue(session, issue_id, actor)
    appeal = get_appeal(session, issue.appeal_id)
    view = next(i for i in appeal_views(session, [appeal], now=now)[0].issues if i.id == issue_id)
    return IssueOut(
        issue=view,
        appeal_id=appeal.id or 0,
        appeal_number=appeal.number,
        allowed_actions=[a.value for a in allowed_actions(issue.status, actor.role)],
    )


@router.get("/api/issues/{issue_id}")
def read(issue_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> IssueOut:
    return _out(session, issue_id, actor, now)


@router.post("/api/issues/{issue_id}/transitions")
def transition(issue_id: int, body: TransitionIn, session: SessionDep, actor: ActorDep, now: NowDep) -> IssueOut:
    """Take a lifecycle action (assign, accept, report_done, extend, dispute, …); illegal ones are 409 with the allowed list."""
    try:
        action = IssueAction(body.action)
    except ValueError as exc:
        raise DomainValidationError(
            f"Unknown action '{body.action}'; known: {', '.join(a.value for a in IssueAction)}",
            code="action_unknown",
            fields={"action": "unknown"},
        ) from exc
    data = ActionInput(**body.model_dump(exclude={"action"}))
    transition_issue(session, issue_id, action, actor=actor, now=now, data=data)
    return _out(session, issue_id, actor, now)
