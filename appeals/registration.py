"""Registration of a draft, and joining a repeated contact to the caller's open appeal."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.actors import SYSTEM, Actor
from appeals.admissibility import ACCEPTED, Admission, assess, find_previous_decided, validate_for_registration
from appeals.citizens import add_phone, create_citizen, match_applicant
from appeals.deadlines import RETURN_INCOMPLETE_DAYS, compute_issue_deadlines, procedural_due, receipt_date
from appeals.drafts import (
    apply_fields,
    build_issue,
    cancel_draft_issues,
    create_appeal,
    draft_issues,
    find_by_idempotency_key,
    get_appeal,
    require_draft,
)
from appeals.errors import DomainValidationError, InvalidTransitionError
from appeals.events import AppealUpdated
from appeals.history import emit, enqueue_after_commit, record_audit, record_status_change
from appeals.lifecycle import plan_transition
from appeals.models import (
    Admissibility,
    Appeal,
    AppealStatus,
    AppealSubject,
    Call,
    Category,
    Citizen,
    DiscardReason,
    Issue,
    IssueAction,
    IssueStatus,
    ReceiptSign,
)
from appeals.numbering import next_registration_number
from appeals.routing import resolve_executor
from appeals.schemas import AppealCreate, AppealFields, IssueIn
from appeals.status import refresh_appeal_status, set_appeal_status
from appeals.workcalendar import load_calendar

ROUTE_JOB = "workers.routing_jobs.route_appeal"
"""The routing job (queue `routing`): assigns each registered issue, links incidents, acknowledges the applicant."""


def _resolve_citizen(session: Session, appeal: Appeal, now: datetime) -> None:
    if appeal.subject is AppealSubject.anonymous:
        return
    citizen = (
        session.get(Citizen, appeal.citizen_id)
        if appeal.citizen_id
        else match_applicant(session, phone=appeal.caller, full_name=appeal.applicant_name)
    )
    if citizen is None and appeal.applicant_name.strip():
        citizen = create_citizen(
            session,
            full_name=appeal.applicant_name,
            phones=[appeal.caller] if appeal.caller and appeal.caller.startswith("+") else [],
            email=appeal.reply_email,
            address_text=appeal.applicant_address,
            now=now,
        )
    if citizen is None:
        return
    appeal.citizen_id = citizen.id
    if appeal.caller and appeal.caller.startswith("+") and citizen.id is not None:
        add_phone(session, citizen.id, appeal.caller)
    appeal.is_priority = citizen.is_priority
    appeal.requires_first_head = citizen.requires_first_head


def _register_issue(
    session: Session,
    appeal: Appeal,
    issue: Issue,
    category: Category,
    *,
    actor: Actor,
    now: datetime,
    calendar_deadlines: tuple[datetime, datetime, datetime],
) -> None:
    plan_transition(issue.id, issue.status, IssueAction.register, actor.role)
    issue.due_at, issue.sla_due_at, issue.attention_at = calendar_deadlines
    issue.registered_at = now
    if issue.executor_id is None:
        executor = resolve_executor(session, category.id or 0, building_id=issue.building_id, district=issue.district)
        issue.executor_id = executor.id if executor else None
    issue.status = IssueStatus.registered
    issue.updated_at = now
    session.add(issue)
    session.flush()
    record_status_change(
        session,
        entity="issue",
        entity_id=issue.id or 0,
        appeal_id=appeal.id,
        action="register",
        from_status="draft",
        to_status="registered",
        actor=actor,
        now=now,
        detail={"executor_id": issue.executor_id, "override": issue.executor_override},
    )


def register_appeal(
    session: Session, appeal_id: int, *, actor: Actor, now: datetime, reg_prefix: str, changes: AppealFields | None = None
) -> Appeal:
    """Register a draft: validate (art. 5), number it, compute each issue's deadlines and executor, apply arts. 5/8/17.

    Raises:
        InvalidTransitionError: the appeal is not a draft.
        DomainValidationError: something the operator must fill in is missing (`fields` names it).
    """
    appeal = get_appeal(session, appeal_id)
    require_draft(appeal, "register")
    if changes is not None:
        apply_fields(session, appeal, changes)
        session.flush()
    issues = draft_issues(session, appeal_id)
    categories = {
        c.id or 0: c
        for c in session.exec(select(Category).where(col(Category.id).in_([i.category_id for i in issues if i.category_id]))).all()
    }
    validate_for_registration(appeal, issues, categories)
    calendar = load_calendar(session)
    t0 = receipt_date(appeal.received_at, appeal.channel, calendar)
    _resolve_citizen(session, appeal, now)
    appeal.number = next_registration_number(session, reg_prefix, t0.year)
    appeal.registered_at = now
    appeal.operator_id = appeal.operator_id or actor.user_id
    admission = assess(appeal, issues, t0)
    appeal.admissibility = admission.admissibility
    appeal.not_considered_reason = admission.not_considered.value if admission.not_considered else None
    for issue in issues:
        category = categories[issue.category_id or 0]
        d = compute_issue_deadlines(
            appeal.received_at,
            appeal.channel,
            statutory_class=category.statutory_class,
            sla_value=category.sla_value,
            sla_unit=category.sla_unit,
            attention_pct=category.attention_pct,
            calendar=calendar,
        )
        _register_issue(session, appeal, issue, category, actor=actor, now=now, calendar_deadlines=(d.due_at, d.sla_due_at, d.attention_at))
        previous = find_previous_decided(session, appeal, issue)
        if previous is not None and not appeal.is_repeated:
            appeal.is_repeated, appeal.previous_appeal_id, appeal.receipt_sign = True, previous, ReceiptSign.repeated
    set_appeal_status(session, appeal, AppealStatus.registered, action="register", actor=actor, now=now)
    if admission is not ACCEPTED:
        _apply_admission(session, appeal, issues, admission, t0=t0, now=now)
    record_audit(
        session,
        actor,
        "register",
        "appeal",
        appeal_id,
        now=now,
        detail={"number": appeal.number, "admissibility": appeal.admissibility.value},
    )
    refresh_appeal_status(session, appeal, actor=actor, now=now)
    enqueue_after_commit(session, "routing", ROUTE_JOB, args=[appeal_id], job_id=f"route-{appeal_id}", now=now)
    session.commit()
    session.refresh(appeal)
    return appeal


def _apply_admission(session: Session, appeal: Appeal, issues: list[Issue], admission: Admission, *, t0: date, now: datetime) -> None:
    action = IssueAction.return_incomplete if admission.issue_status is IssueStatus.returned_incomplete else IssueAction.not_consider
    if admission.admissibility is Admissibility.returned_incomplete:
        appeal.return_due_at = procedural_due(t0, RETURN_INCOMPLETE_DAYS, load_calendar(session))
    for issue in issues:
        record_status_change(
            session,
            entity="issue",
            entity_id=issue.id or 0,
            appeal_id=appeal.id,
            action=action.value,
            from_status=issue.status.value,
            to_status=admission.issue_status.value,
            actor=SYSTEM,
            now=now,
            reason=admission.reason,
        )
        issue.status = admission.issue_status
        issue.closed_at = now
        session.add(issue)


def submit_appeal(session: Session, data: AppealCreate, *, actor: Actor, now: datetime, reg_prefix: str) -> tuple[Appeal, bool]:
    """Create a draft (and register it when asked) exactly once per idempotency key; `created` is False on a retry.

    Raises:
        DomainValidationError: registration was asked and the appeal is incomplete (nothing is kept).
    """
    existing = find_by_idempotency_key(session, data.idempotency_key)
    if existing is not None:
        return existing, False
    try:
        appeal = create_appeal(session, data, actor=actor, now=now)
    except IntegrityError:
        session.rollback()
        existing = find_by_idempotency_key(session, data.idempotency_key)
        if existing is None:
            raise
        return existing, False
    if data.register_now:
        return register_appeal(session, appeal.id or 0, actor=actor, now=now, reg_prefix=reg_prefix), True
    session.commit()
    session.refresh(appeal)
    return appeal, True


def attach_draft(session: Session, draft_id: int, target_id: int, *, actor: Actor, now: datetime, issues: list[IssueIn]) -> Appeal:
    """A repeated contact about an open appeal: move the call to it, add any new issues, close the draft.

    Raises:
        InvalidTransitionError: the draft is not a draft, or the target is not registered.
    """
    draft, target = get_appeal(session, draft_id), get_appeal(session, target_id)
    require_draft(draft, "attach")
    if target.status is not AppealStatus.registered:
        raise InvalidTransitionError("appeal", target_id, target.status.value, "attach", allowed=[])
    for call in session.exec(select(Call).where(Call.appeal_id == draft_id)).all():
        call.appeal_id = target_id
        session.add(call)
    if issues:
        calendar = load_calendar(session)
        seq = max((i.seq for i in draft_issues(session, target_id)), default=0)
        for offset, item in enumerate(issues, start=1):
            issue = build_issue(session, item, appeal_id=target_id, seq=seq + offset)
            category = session.get(Category, issue.category_id) if issue.category_id else None
            if category is None or not issue.description.strip():
                raise DomainValidationError(
                    "Нове питання потребує категорії та опису",
                    code="appeal_incomplete",
                    fields={"issues": "required"},
                    hints={"issues": "Оберіть категорію та опишіть суть питання"},
                )
            session.add(issue)
            session.flush()
            d = compute_issue_deadlines(
                now,
                target.channel,
                statutory_class=category.statutory_class,
                sla_value=category.sla_value,
                sla_unit=category.sla_unit,
                attention_pct=category.attention_pct,
                calendar=calendar,
            )
            _register_issue(
                session, target, issue, category, actor=actor, now=now, calendar_deadlines=(d.due_at, d.sla_due_at, d.attention_at)
            )
    draft.previous_appeal_id = target_id
    draft.discard_reason = DiscardReason.duplicate_call.value
    draft.discard_note = f"приєднано до {target.number}"
    draft.closed_at = now
    cancel_draft_issues(session, draft_id)
    set_appeal_status(session, draft, AppealStatus.discarded, action="attach", actor=actor, now=now, reason=f"приєднано до {target.number}")
    target.updated_at = now
    emit(session, AppealUpdated(appeal_id=target_id, status=target.status.value), now=now)
    if issues:
        enqueue_after_commit(session, "routing", ROUTE_JOB, args=[target_id], job_id=f"route-{target_id}-a{draft_id}", now=now)
    session.commit()
    session.refresh(target)
    return target
