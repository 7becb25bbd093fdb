"""What follows an issue's transition beyond the register, in the same transaction: who is told what.

`after_issue_transition` is called by `issues.transition_issue` before it commits. Each occasion's
notifications carry a key naming it, so nothing is queued twice; delivery happens in the `notify` queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import Actor
from appeals.deadlines import FORWARD_OUT_DAYS, procedural_due, receipt_date
from appeals.history import enqueue_after_commit
from appeals.models import (
    Appeal,
    Assignment,
    Executor,
    Incident,
    Issue,
    IssueAction,
    IssueStatus,
    NotificationChannel,
)
from appeals.notifications import SUPERVISORS, executor_name, issue_facts, notify_citizen, queue_notification
from appeals.verification import interim_notice
from appeals.workcalendar import load_calendar

A = IssueAction
FOLLOW_REPORT_JOB = "workers.callback_jobs.follow_report"


@dataclass(frozen=True)
class Occasion:
    """One transition and its context."""

    session: Session
    issue: Issue
    appeal: Appeal
    action: IssueAction
    previous: IssueStatus
    actor: Actor
    now: datetime
    reason: str
    extra: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.action.value}:{self.issue.id}:{self.now.timestamp():.6f}"

    @property
    def executor(self) -> Executor | None:
        return self.session.get(Executor, self.issue.executor_id) if self.issue.executor_id else None


def _latest_assignment(session: Session, issue_id: int) -> Assignment | None:
    return session.exec(select(Assignment).where(Assignment.issue_id == issue_id).order_by(col(Assignment.id).desc())).first()


def webhook_payload(o: Occasion, event: str) -> dict[str, Any]:
    """The JSON an executor's own system receives (address and problem; the phone only when the crew may call)."""
    facts = issue_facts(o.session, o.issue, o.appeal)
    return {
        "event": event,
        "occurred_at": o.now.isoformat(),
        "issue": {
            "id": o.issue.id,
            "number": facts.number,
            "status": o.issue.status.value,
            "category": facts.category,
            "address": facts.address,
            "description": facts.description,
            "due_at": facts.due_at.isoformat() if facts.due_at else None,
            "emergency": facts.emergency,
            "contact_phone": o.appeal.caller if facts.contact else None,
            "rework_count": o.issue.rework_count,
        },
        "reason": o.reason or None,
    }


def tell_executor(o: Occasion, text: messages.Text, *, kind: str, event: str) -> None:
    """E-mail the executor organisation and, when it has one, call its webhook."""
    executor = o.executor
    if executor is None:
        return
    common: dict[str, Any] = {"appeal_id": o.appeal.id, "issue_id": o.issue.id, "executor_id": executor.id, "now": o.now}
    queue_notification(
        o.session,
        kind=kind,
        channel=NotificationChannel.email,
        recipient=executor.email,
        dedup_key=f"{o.key}:exe:email",
        text=text,
        **common,
    )
    queue_notification(
        o.session,
        kind=kind,
        channel=NotificationChannel.webhook,
        recipient=executor.webhook_url,
        dedup_key=f"{o.key}:exe:webhook",
        payload=webhook_payload(o, event),
        **common,
    )


def tell_supervisors(o: Occasion, text: messages.Text, *, kind: str, head: bool = False) -> None:
    """The dispatch desk (and, for escalations, the executor's head)."""
    recipients = [SUPERVISORS] + ([o.executor.head_email] if head and o.executor and o.executor.head_email else [])
    for n, recipient in enumerate(recipients):
        queue_notification(
            o.session,
            kind=kind,
            channel=NotificationChannel.email,
            recipient=recipient,
            dedup_key=f"{o.key}:sup{n}",
            text=text,
            now=o.now,
            appeal_id=o.appeal.id,
            issue_id=o.issue.id,
            executor_id=o.issue.executor_id,
        )


def _on_assign(o: Occasion) -> None:
    facts = issue_facts(o.session, o.issue, o.appeal)
    name = executor_name(o.executor)
    tell_executor(o, messages.executor_assignment(facts, executor=name), kind="executor_assignment", event="assignment.created")
    executor = o.executor
    if facts.emergency and executor is not None:
        alert = messages.dispatch_alert(facts, executor=name)
        for channel, recipient in (
            (NotificationChannel.email, executor.dispatch_email),
            (NotificationChannel.sms, executor.dispatch_phone),
        ):
            queue_notification(
                o.session,
                kind="dispatch_alert",
                channel=channel,
                recipient=recipient,
                dedup_key=f"{o.key}:dispatch:{channel.value}",
                text=alert,
                now=o.now,
                appeal_id=o.appeal.id,
                issue_id=o.issue.id,
                executor_id=executor.id,
            )


def _on_reported(o: Occasion) -> None:
    """The answer and the verification callback follow in a job (queue `callbacks`), so a person who starts the
    verification by hand first is not overtaken."""
    enqueue_after_commit(
        o.session,
        "callbacks",
        FOLLOW_REPORT_JOB,
        args=[o.issue.id],
        job_id=f"report-{o.issue.id}-{int(o.now.timestamp() * 1e6)}",
        now=o.now,
    )


def _on_return(o: Occasion) -> None:
    facts = issue_facts(o.session, o.issue, o.appeal)
    calendar = load_calendar(o.session)
    forward_due = procedural_due(receipt_date(o.appeal.received_at, o.appeal.channel, calendar), FORWARD_OUT_DAYS, calendar)
    text = messages.returned_to_dispatch(facts, executor=executor_name(o.executor), reason=o.reason, forward_due=forward_due)
    tell_supervisors(o, text, kind="return_to_dispatch")


def _on_dispute(o: Occasion) -> None:
    facts = issue_facts(o.session, o.issue, o.appeal)
    if o.issue.status is IssueStatus.escalated:
        reason = f"заявник повторно не підтвердив виконання (доопрацювань: {o.issue.rework_count}); {o.reason}"
        tell_supervisors(o, messages.escalation(facts, executor=executor_name(o.executor), reason=reason), kind="escalation", head=True)
        return
    text = messages.executor_rework(facts, count=o.issue.rework_count, reason=o.reason)
    tell_executor(o, text, kind="executor_rework", event="assignment.rework")


def _on_escalate(o: Occasion) -> None:
    facts = issue_facts(o.session, o.issue, o.appeal)
    tell_supervisors(o, messages.escalation(facts, executor=executor_name(o.executor), reason=o.reason), kind="escalation", head=True)


def _on_extend(o: Occasion) -> None:
    facts = issue_facts(o.session, o.issue, o.appeal)
    due = messages.kyiv(o.issue.extended_due_at)
    interim_notice(
        o.session,
        o.issue,
        o.appeal,
        title="строк розгляду продовжено",
        text=f"Строк розгляду вашого звернення продовжено до {due} (ст. 20 Закону «Про звернення громадян»).\nПричина: {o.reason}",
        key=o.key,
        now=o.now,
    )
    text = messages.executor_changed(facts, what="Строк виконання продовжено", detail=f"Новий строк: {due}. Причина: {o.reason}")
    tell_executor(o, text, kind="executor_extension", event="assignment.extended")


def _citizen_notice(title: str, template: str) -> Callable[[Occasion], None]:
    def handler(o: Occasion) -> None:
        until = f"Орієнтовний строк: {o.issue.postponed_until:%d.%m.%Y}." if o.issue.postponed_until else ""
        text = template.format(reason=o.reason, forward_to=o.issue.forward_to or "", until=until)
        interim_notice(o.session, o.issue, o.appeal, title=title, text=text, key=o.key, now=o.now)

    return handler


def _executor_notice(what: str, event: str) -> Callable[[Occasion], None]:
    def handler(o: Occasion) -> None:
        if _latest_assignment(o.session, o.issue.id or 0) is None:
            return
        text = messages.executor_changed(issue_facts(o.session, o.issue, o.appeal), what=what, detail=o.reason)
        tell_executor(o, text, kind="executor_change", event=event)

    return handler


def _on_link(o: Occasion) -> None:
    incident = o.session.get(Incident, o.issue.incident_id) if o.issue.incident_id else None
    notice = incident.public_notice if incident else ""
    eta = f"Орієнтовний час усунення: {messages.kyiv(incident.eta_at)}." if incident and incident.eta_at else ""
    text = messages.citizen_notice(
        o.appeal.number or "",
        title="пов'язано з аварією, яку вже усувають",
        text=f"Ваше звернення стосується аварії, про яку вже відомо; її усувають.\n{notice}\n{eta}".strip(),
    )
    notify_citizen(o.session, o.appeal, text, kind="citizen_incident", key=o.key, now=o.now, issue_id=o.issue.id)


_HANDLERS: dict[IssueAction, Callable[[Occasion], None]] = {
    A.assign: _on_assign,
    A.report_done: _on_reported,
    A.report_explained: _on_reported,
    A.resolve_incident: _on_reported,
    A.return_to_dispatch: _on_return,
    A.dispute: _on_dispute,
    A.escalate: _on_escalate,
    A.extend: _on_extend,
    A.link_incident: _on_link,
    A.forward_out: _citizen_notice(
        "переслано за належністю",
        "Порушене питання не належить до повноважень міської ради; звернення переслано до: {forward_to} "
        "(ст. 7 Закону «Про звернення громадян»). Причина: {reason}",
    ),
    A.return_incomplete: _citizen_notice(
        "повернуто для доповнення", "Звернення повернуто: {reason}. Доповніть його та надішліть повторно (ст. 5)."
    ),
    A.not_consider: _citizen_notice("не підлягає розгляду", "Звернення не підлягає розгляду (ст. 8): {reason}"),
    A.postpone: _citizen_notice("виконання заплановано", "Виконання потребує фінансування або включено до плану робіт. {reason} {until}"),
    A.cancel: _executor_notice("Доручення скасовано", "assignment.cancelled"),
    A.reopen: _executor_notice("Доручення поновлено: заявник повідомив, що проблема не усунена", "assignment.reopened"),
}


def after_issue_transition(
    session: Session,
    issue: Issue,
    action: IssueAction,
    *,
    previous: IssueStatus,
    actor: Actor,
    now: datetime,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Queue what the transition means for people outside the register (and start verification after a report)."""
    handler = _HANDLERS.get(action)
    if handler is None:
        return
    appeal = session.get(Appeal, issue.appeal_id)
    if appeal is None:
        return
    handler(Occasion(session, issue, appeal, action, previous, actor, now, reason, extra or {}))
