"""Callback-desk jobs (queue `callbacks`): following an executor's report with the answer and the verification call."""

from __future__ import annotations

from appeals.deadline_watch import overdue_callbacks
from appeals.verification import follow_report as follow
from workers.context import current


def follow_report(issue_id: int) -> int | None:
    """Answer the applicant and create the verification task for a reported issue; returns the task id."""
    ctx = current()
    with ctx.session() as session:
        task = follow(session, issue_id, now=ctx.now())
        task_id = task.id if task else None
    ctx.flush_outbox()
    return task_id


def sweep_callbacks() -> int:
    """Tell the desk's supervisor about callback tasks left open past their window."""
    ctx = current()
    with ctx.session() as session:
        count = overdue_callbacks(session, now=ctx.now())
    ctx.flush_outbox()
    return count
