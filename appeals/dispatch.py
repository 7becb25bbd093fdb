"""Routing a registered appeal: each issue to its executor (or its mass incident), and the applicant's acknowledgement.

Idempotent: only issues still `registered` are touched, and every message has a key; a re-run after a crash
finishes what the first run left and repeats nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM
from appeals.errors import DomainValidationError
from appeals.incidents import covering_incident, link_issue, propose_from_burst
from appeals.issues import transition_issue
from appeals.models import (
    Admissibility,
    Answer,
    Appeal,
    AppealStatus,
    Issue,
    IssueAction,
    IssueStatus,
    NotificationChannel,
    StatusChange,
)
from appeals.notifications import SUPERVISORS, issue_facts, notify_citizen, queue_notification, reply_headers

logger = logging.getLogger(__name__)


@dataclass
class RouteReport:
    """What one routing run did."""

    assigned: list[int] = field(default_factory=list)
    linked: list[int] = field(default_factory=list)
    unrouted: list[int] = field(default_factory=list)
    proposed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class BurstRule:
    """Propose an incident when `calls` issues of one category on one street arrive within `minutes`."""

    calls: int = 5
    minutes: int = 30


def _route_issue(session: Session, issue: Issue, report: RouteReport, *, now: datetime, burst: BurstRule) -> None:
    incident = covering_incident(session, issue)
    if incident is not None:
        link_issue(session, incident, issue, actor=SYSTEM, now=now)
        report.linked.append(issue.id or 0)
        return
    try:
        transition_issue(session, issue.id or 0, IssueAction.assign, actor=SYSTEM, now=now)
        report.assigned.append(issue.id or 0)
    except DomainValidationError as exc:
        if exc.code != "executor_required":
            raise
        session.rollback()
        report.unrouted.append(issue.id or 0)
        appeal = session.get(Appeal, issue.appeal_id)
        facts = issue_facts(session, issue, appeal) if appeal else None
        queue_notification(
            session,
            kind="unrouted",
            channel=NotificationChannel.email,
            recipient=SUPERVISORS,
            dedup_key=f"unrouted:{issue.id}",
            text=messages.Text(
                f"[{facts.number if facts else issue.id}] Немає правила маршрутизації — призначте виконавця",
                f"Для категорії й адреси цього питання не знайдено виконавця.\n\n{facts.category if facts else ''}, "
                f"{facts.address if facts else ''}\n\nЗвернення: {messages.CONSOLE}/issues/{issue.id}\n",
            ),
            now=now,
            appeal_id=issue.appeal_id,
            issue_id=issue.id,
        )
        session.commit()
    proposal = propose_from_burst(session, issue, now=now, calls=burst.calls, minutes=burst.minutes)
    if proposal is not None:
        report.proposed.append(proposal.id or 0)
        session.commit()


def _acknowledge(session: Session, appeal: Appeal, issues: list[Issue], *, now: datetime) -> None:
    """Tell the applicant the registration number, or (arts. 5, 8) why the appeal is not taken up."""
    number = appeal.number or ""
    if appeal.admissibility is Admissibility.accepted:
        text = messages.citizen_ack(number, [issue_facts(session, i, appeal) for i in issues])
        notify_citizen(session, appeal, text, kind="citizen_ack", key=f"ack:{appeal.id}", now=now, payload=reply_headers(appeal))
        return
    title = "повернуто для доповнення" if appeal.admissibility is Admissibility.returned_incomplete else "не підлягає розгляду"
    explanation = _admission_reason(session, appeal) or title
    text = messages.citizen_notice(number, title=title, text=f"Звернення зареєстровано за № {number}, але {title}: {explanation}")
    notes = notify_citizen(session, appeal, text, kind="citizen_notice", key=f"ack:{appeal.id}", now=now, payload=reply_headers(appeal))
    if notes and not session.exec(select(Answer.id).where(Answer.appeal_id == appeal.id, col(Answer.interim).is_(True))).first():
        session.add(Answer(appeal_id=appeal.id or 0, text=explanation, channel=notes[0].channel.value, interim=True, sent_at=now))


def _admission_reason(session: Session, appeal: Appeal) -> str:
    return (
        session.exec(
            select(StatusChange.reason)
            .where(StatusChange.appeal_id == appeal.id, col(StatusChange.action).in_(["return_incomplete", "not_consider"]))
            .order_by(col(StatusChange.id))
        ).first()
        or ""
    )


def route_appeal(session: Session, appeal_id: int, *, now: datetime, burst: BurstRule | None = None) -> RouteReport:
    """Assign every `registered` issue (or link it to the incident at its address) and acknowledge the applicant."""
    report = RouteReport()
    appeal = session.get(Appeal, appeal_id)
    if appeal is None or appeal.status not in (AppealStatus.registered, AppealStatus.closed):
        return report
    issues = list(session.exec(select(Issue).where(Issue.appeal_id == appeal_id).order_by(col(Issue.seq))).all())
    for issue in issues:
        if issue.status is IssueStatus.registered:
            _route_issue(session, issue, report, now=now, burst=burst or BurstRule())
    session.refresh(appeal)
    _acknowledge(session, appeal, [i for i in issues if i.status is not IssueStatus.cancelled], now=now)
    session.commit()
    logger.info(
        "appeal routed",
        extra={"event_data": {"appeal_id": appeal_id, "assigned": len(report.assigned), "linked": len(report.linked)}},
    )
    return report
