"""The executor's view: its organisation's assignments only (another organisation's issue is a 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import NotFoundError
from appeals.executor_view import ExecutorIssue, executor_issue, executor_issues

router = APIRouter(tags=["executor"])


@router.get("/api/executor/assignments")
def assignments(
    session: SessionDep, actor: ActorDep, now: NowDep, include_closed: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ExecutorIssue]:
    """Open issues assigned to the caller's organisation, most urgent first."""
    if actor.executor_id is None:
        return []
    return executor_issues(session, actor.executor_id, now=now, include_closed=include_closed, limit=limit)


@router.get("/api/executor/assignments/{issue_id}")
def assignment(issue_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> ExecutorIssue:
    found = executor_issue(session, issue_id, actor.executor_id, now=now) if actor.executor_id else None
    if found is None:
        raise NotFoundError("assignment", issue_id)
    return found
