"""Use cases on one issue: every lifecycle action with its side effects, and answers to the applicant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.deadlines import FORWARD_OUT_DAYS, attention_at, procedural_due, receipt_date, sla_due, validate_extension
from appeals.drafts import get_appeal
from appeals.errors import DomainValidationError, ForbiddenError, NotFoundError
from appeals.followups import after_issue_transition
from appeals.history import record_audit, record_status_change
from appeals.lifecycle import REOPEN_WINDOW_DAYS, REWORK_LIMIT, plan_transition
from appeals.models import (
    CLOSED_ISSUE_STATUSES,
    Answer,
    AppealForm,
    AppealSubject,
    Assignment,
    AssignmentState,
    Category,
    Executor,
    Issue,
    IssueAction,
    IssueStatus,
    NotConsideredReason,
    Role,
)
from appeals.reports.labels import FORM
from appeals.routing import resolve_executor
from appeals.status import refresh_appeal_status
from appeals.workcalendar import load_calendar

A = IssueAction


@dataclass(frozen=True)
class ActionInput:
    """Extra data some actions need."""

    reason: str = ""
    executor_id: int | None = None
    new_due: date | None = None
    forward_to: str | None = None
    postponed_until: date | None = None
    not_considered_reason: str | None = None
    satisfaction: int | None = None


def get_issue(session: Session, issue_id: int, actor: Actor) -> Issue:
    """The issue, if the actor may see it (an executor sees only its organisation's issues)."""
    issue = session.get(Issue, issue_id)
    if issue is None or (actor.role is Role.executor and (actor.executor_id is None or issue.executor_id != actor.executor_id)):
        raise NotFoundError("issue", issue_id)
    return issue


def _open_assignment(session: Session, issue_id: int) -> Assignment | None:
    return session.exec(
        select(Assignment)
        .where(Assignment.issue_id == issue_id, col(Assignment.state).in_([AssignmentState.new.value, AssignmentState.accepted.value]))
        .order_by(col(Assignment.id).desc())
    ).first()


def _latest_assignment(session: Session, issue_id: int) -> Assignment | None:
    return session.exec(select(Assignment).where(Assignment.issue_id == issue_id).order_by(col(Assignment.id).desc())).first()


def _assign(session: Session, issue: Issue, data: ActionInput, actor: Actor, now: datetime) -> None:
    executor_id = data.executor_id or issue.executor_id
    if executor_id is None and issue.category_id is not None:
        found = resolve_executor(session, issue.category_id, building_id=issue.building_id, district=issue.district)
        executor_id = found.id if found else None
    executor = session.get(Executor, executor_id) if executor_id else None
    if executor is None or not executor.is_active:
        raise DomainValidationError(
            f"Питання {issue.id} не має виконавця: жодне правило маршрутизації не підійшло; оберіть виконавця",
            code="executor_required",
            fields={"executor_id": "required"},
        )
    previous = _open_assignment(session, issue.id or 0)
    if previous is not None:
        previous.state, previous.closed_at = AssignmentState.cancelled, now
        session.add(previous)
    override = data.executor_id is not None and data.executor_id != issue.executor_id
    issue.executor_id = executor.id
    issue.executor_override = issue.executor_override or override
    session.add(
        Assignment(issue_id=issue.id or 0, executor_id=executor.id or 0, assigned_by=actor.user_id, assigned_at=now, is_override=override)
    )


def _on_report(session: Session, issue: Issue, result: str, data: ActionInput, now: datetime) -> None:
    assignment = _open_assignment(session, issue.id or 0)
    if assignment is not None:
        assignment.state, assignment.reported_at, assignment.result, assignment.result_text = (
            AssignmentState.reported,
            now,
            result,
            data.reason,
        )
        assignment.accepted_at = assignment.accepted_at or now
        session.add(assignment)
    issue.resolution_text = data.reason


def _on_rework(session: Session, issue: Issue, category: Category | None, now: datetime) -> None:
    """Back to the same executor: a new assignment and a fresh SLA, never beyond the statutory due."""
    issue.rework_count += 1
    last = _latest_assignment(session, issue.id or 0)
    if last is not None:
        session.add(Assignment(issue_id=issue.id or 0, executor_id=last.executor_id, assigned_at=now, assigned_by=None))
    due = issue.extended_due_at or issue.due_at
    if category is not None and due is not None:
        sla = min(sla_due(now, now.date(), value=category.sla_value, unit=category.sla_unit, calendar=load_calendar(session)), due)
        issue.sla_due_at, issue.attention_at = sla, attention_at(now, sla, category.attention_pct)


def _require_answer(session: Session, issue: Issue) -> None:
    """Art. 15/19: a written or electronic appeal closes only after an answer was sent."""
    appeal = get_appeal(session, issue.appeal_id)
    if appeal.form is AppealForm.oral or appeal.subject is AppealSubject.anonymous:
        return
    answered = session.exec(select(Answer.id).where(Answer.appeal_id == appeal.id, col(Answer.interim).is_(False))).first()
    if answered is None:
        raise DomainValidationError(
            f"Звернення {appeal.number} {FORM.get(appeal.form.value, appeal.form.value).lower()}: перед закриттям надішліть заявникові відповідь (ст. 19)",
            code="answer_required",
            fields={"answer": "required"},
        )


def _apply_effects(
    session: Session, issue: Issue, action: IssueAction, data: ActionInput, actor: Actor, now: datetime
) -> IssueStatus | None:
    """Side effects of an action; returns a different target status when a rule redirects it."""
    category = session.get(Category, issue.category_id) if issue.category_id else None
    if action is A.assign:
        _assign(session, issue, data, actor, now)
    elif action is A.accept:
        assignment = _open_assignment(session, issue.id or 0)
        if assignment is not None:
            assignment.state, assignment.accepted_at = AssignmentState.accepted, now
            session.add(assignment)
    elif action is A.return_to_dispatch:
        assignment = _open_assignment(session, issue.id or 0)
        if assignment is not None:
            assignment.state, assignment.result, assignment.result_text, assignment.closed_at = (
                AssignmentState.returned,
                "not_competent",
                data.reason,
                now,
            )
            session.add(assignment)
    elif action in (A.report_done, A.report_explained, A.postpone):
        _on_report(session, issue, {A.report_done: "done", A.report_explained: "explained"}.get(action, "postponed"), data, now)
        issue.postponed_until = data.postponed_until if action is A.postpone else issue.postponed_until
    elif action is A.extend:
        _extend(session, issue, data, actor)
    elif action is A.dispute:
        if issue.rework_count >= REWORK_LIMIT:
            return IssueStatus.escalated
        _on_rework(session, issue, category, now)
    elif action is A.no_answer:
        issue.verification_attempts += 1
    elif action is A.forward_out:
        if not (data.forward_to or "").strip():
            raise DomainValidationError(
                "Щоб переслати за належністю (ст. 7), вкажіть орган, до компетенції якого належить питання",
                code="forward_to_required",
                fields={"forward_to": "required"},
            )
        appeal = get_appeal(session, issue.appeal_id)
        issue.forward_to = data.forward_to
        issue.forward_due_at = procedural_due(
            receipt_date(appeal.received_at, appeal.channel, load_calendar(session)), FORWARD_OUT_DAYS, load_calendar(session)
        )
    elif action is A.not_consider:
        if data.not_considered_reason not in {r.value for r in NotConsideredReason}:
            raise DomainValidationError(
                "Щоб не розглядати звернення (ст. 8), оберіть підставу",
                code="not_considered_reason_required",
                fields={"not_considered_reason": "required"},
            )
    elif action is A.reopen:
        if issue.closed_at is not None and now - issue.closed_at > timedelta(days=REOPEN_WINDOW_DAYS):
            raise DomainValidationError(
                f"Питання {issue.id} закрито понад {REOPEN_WINDOW_DAYS} днів тому: зареєструйте нове (повторне) звернення",
                code="reopen_window_passed",
            )
        issue.reopen_count += 1
        issue.closed_at = None
    if action in (A.confirm, A.close_explained, A.close_unverified):
        _require_answer(session, issue)
    return None


def _extend(session: Session, issue: Issue, data: ActionInput, actor: Actor) -> None:
    if actor.role is not Role.head:
        raise ForbiddenError("Продовжити строк може лише керівник або його заступник (ст. 20)", code="extension_needs_head")
    if data.new_due is None or issue.due_at is None:
        raise DomainValidationError("Вкажіть новий строк", code="new_due_required", fields={"new_due": "required"})
    appeal = get_appeal(session, issue.appeal_id)
    calendar = load_calendar(session)
    t0 = receipt_date(appeal.received_at, appeal.channel, calendar)
    issue.extended_due_at = validate_extension(
        t0=t0, current_due=issue.extended_due_at or issue.due_at, new_day=data.new_due, calendar=calendar
    )
    issue.extension_reason, issue.extension_approved_by = data.reason, actor.user_id


def transition_issue(
    session: Session, issue_id: int, action: IssueAction, *, actor: Actor, now: datetime, data: ActionInput | None = None
) -> Issue:
    """Take `action` on an issue: check the table and guards, apply side effects, record history, commit.

    Raises:
        NotFoundError: no such issue, or an executor asking about another organisation's issue.
        InvalidTransitionError / ForbiddenError / DomainValidationError: see `lifecycle.plan_transition`.
    """
    data = data or ActionInput()
    issue = get_issue(session, issue_id, actor)
    transition = plan_transition(issue_id, issue.status, action, actor.role, reason=data.reason)
    previous = issue.status
    target = _apply_effects(session, issue, action, data, actor, now) or transition.target
    issue.status = target
    issue.updated_at = now
    if target in CLOSED_ISSUE_STATUSES or target in (
        IssueStatus.forwarded_out,
        IssueStatus.not_considered,
        IssueStatus.returned_incomplete,
        IssueStatus.cancelled,
    ):
        issue.closed_at = now
    session.add(issue)
    appeal = get_appeal(session, issue.appeal_id)
    detail: dict[str, object] = {
        k: v
        for k, v in {
            "executor_id": issue.executor_id if action is A.assign else None,
            "new_due": data.new_due.isoformat() if data.new_due else None,
            "forward_to": data.forward_to,
            "not_considered_reason": data.not_considered_reason,
            "satisfaction": data.satisfaction,
            "escalated": (target is IssueStatus.escalated and action is A.dispute) or None,
        }.items()
        if v is not None
    }
    record_status_change(
        session,
        entity="issue",
        entity_id=issue_id,
        appeal_id=appeal.id,
        action=action.value,
        from_status=previous.value,
        to_status=target.value,
        actor=actor,
        now=now,
        reason=data.reason,
        detail=detail,
    )
    record_audit(session, actor, action.value, "issue", issue_id, now=now)
    after_issue_transition(session, issue, action, previous=previous, actor=actor, now=now, reason=data.reason)
    refresh_appeal_status(session, appeal, actor=actor, now=now)
    session.commit()
    session.refresh(issue)
    return issue


def record_answer(
    session: Session,
    appeal_id: int,
    *,
    text: str,
    channel: str,
    actor: Actor,
    now: datetime,
    issue_id: int | None = None,
    interim: bool = False,
) -> Answer:
    """Record an answer sent to the applicant; art. 14/15 appeals need a head's signature.

    Raises:
        ForbiddenError: the appeal requires the first head and the signer is not a head.
        DomainValidationError: no text, or `issue_id` is not an issue of this appeal.
    """
    appeal = get_appeal(session, appeal_id)
    if not text.strip():
        raise DomainValidationError("Введіть текст відповіді", code="answer_text_required", fields={"text": "required"})
    if appeal.requires_first_head and not interim and actor.role is not Role.head:
        raise ForbiddenError(
            f"На звернення {appeal.number} має відповісти керівник особисто (ст. 14–15)", code="first_head_signature_required"
        )
    if issue_id is not None and ((issue := session.get(Issue, issue_id)) is None or issue.appeal_id != appeal_id):
        raise DomainValidationError(
            f"Питання {issue_id} не належить до звернення {appeal_id}", code="issue_not_in_appeal", fields={"issue_id": "unknown"}
        )
    answer = Answer(
        appeal_id=appeal_id, issue_id=issue_id, text=text, channel=channel, interim=interim, signed_by=actor.user_id, sent_at=now
    )
    session.add(answer)
    record_audit(session, actor, "answer", "appeal", appeal_id, now=now, detail={"interim": interim, "channel": channel})
    session.commit()
    session.refresh(answer)
    return answer
