"""Drafts: the appeal a call or an operator opens, its issues and addresses, before registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.citizens import citizens_by_phone
from appeals.errors import DomainValidationError, InvalidTransitionError, NotFoundError
from appeals.events import CallOffered
from appeals.history import emit, record_audit, record_status_change
from appeals.models import (
    Appeal,
    AppealForm,
    AppealStatus,
    Building,
    Call,
    CallDirection,
    Category,
    Channel,
    Citizen,
    Executor,
    Issue,
    IssueStatus,
    Street,
)
from appeals.phones import try_normalize_phone
from appeals.schemas import AppealCreate, AppealFields, IssueIn


@dataclass(frozen=True)
class IncomingCall:
    """What the PBX tells us at first sight of an inbound call."""

    call_id: str
    caller: str | None
    started_at: datetime
    caller_name: str | None = None
    did: str | None = None
    queue: str | None = None
    channel: str | None = None
    direction: CallDirection = CallDirection.inbound


def get_appeal(session: Session, appeal_id: int) -> Appeal:
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFoundError("appeal", appeal_id)
    return appeal


def require_draft(appeal: Appeal, action: str) -> None:
    if appeal.status is not AppealStatus.draft:
        raise InvalidTransitionError("appeal", appeal.id, appeal.status.value, action, allowed=[])


def _prefill_applicant(session: Session, appeal: Appeal) -> None:
    """One known citizen on the number: the draft starts with their name and address."""
    if not appeal.caller:
        return
    citizens = citizens_by_phone(session, appeal.caller)
    if len(citizens) == 1:
        citizen = citizens[0]
        appeal.citizen_id = citizen.id
        appeal.applicant_name = citizen.full_name
        appeal.applicant_address = citizen.address_text
        appeal.is_priority = citizen.is_priority
        appeal.requires_first_head = citizen.requires_first_head


def open_call_draft(session: Session, call: IncomingCall, *, now: datetime) -> tuple[Call, Appeal, bool]:
    """Exactly one call record and one draft appeal per call id; `created` is False when they already existed.

    Idempotent across listener restarts and concurrent listeners: the unique call id decides.
    """
    existing = session.exec(select(Call).where(Call.call_id == call.call_id)).first()
    if existing is not None:
        return existing, get_appeal(session, existing.appeal_id) if existing.appeal_id else _orphan(session, existing, now), False
    caller = try_normalize_phone(call.caller)
    appeal = Appeal(
        status=AppealStatus.draft,
        channel=Channel.phone,
        caller=caller,
        received_at=call.started_at,
        source_ref=call.call_id,
        created_at=now,
        updated_at=now,
    )
    _prefill_applicant(session, appeal)
    session.add(appeal)
    try:
        session.flush()
        record = Call(
            call_id=call.call_id,
            appeal_id=appeal.id,
            direction=call.direction,
            caller=caller,
            caller_name=(call.caller_name or None),
            did=call.did,
            queue=call.queue,
            channel=call.channel,
            started_at=call.started_at,
        )
        session.add(record)
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = session.exec(select(Call).where(Call.call_id == call.call_id)).one()
        return existing, get_appeal(session, existing.appeal_id or 0), False
    assert appeal.id is not None  # noqa: S101 - flushed
    record_status_change(
        session,
        entity="appeal",
        entity_id=appeal.id,
        appeal_id=appeal.id,
        action="open",
        from_status=None,
        to_status="draft",
        actor=Actor(None, None),
        now=now,
        detail={"call_id": call.call_id},
    )
    emit(session, CallOffered(call_id=call.call_id, appeal_id=appeal.id, caller=caller, did=call.did, queue=call.queue), now=now)
    session.commit()
    return record, appeal, True


def _orphan(session: Session, call: Call, now: datetime) -> Appeal:
    """A call whose draft was never made (e.g. an outbound leg recorded first): make it now."""
    appeal = Appeal(
        status=AppealStatus.draft,
        channel=Channel.phone,
        caller=call.caller,
        received_at=call.started_at,
        source_ref=call.call_id,
        created_at=now,
        updated_at=now,
    )
    session.add(appeal)
    session.flush()
    call.appeal_id = appeal.id
    session.add(call)
    session.commit()
    return appeal


def build_issue(session: Session, data: IssueIn, *, appeal_id: int, seq: int) -> Issue:
    """An Issue row from operator input, with its address resolved against the gazetteer.

    Raises:
        DomainValidationError: an unknown category, street, building or executor.
    """
    if data.category_id is not None:
        category = session.get(Category, data.category_id)
        if category is None or not category.is_active:
            raise DomainValidationError(
                f"Категорії {data.category_id} немає в довіднику або її вилучено",
                code="category_unknown",
                fields={"category_id": "unknown"},
            )
    if data.executor_id is not None and session.get(Executor, data.executor_id) is None:
        raise DomainValidationError(
            f"Виконавця {data.executor_id} немає в довіднику", code="executor_unknown", fields={"executor_id": "unknown"}
        )
    issue = Issue(
        appeal_id=appeal_id,
        seq=seq,
        category_id=data.category_id,
        street_id=data.street_id,
        building_id=data.building_id,
        house=(data.house or "").strip() or None,
        flat=(data.flat or "").strip() or None,
        address_text=data.address_text.strip(),
        description=data.description.strip(),
        executor_id=data.executor_id,
        executor_override=data.executor_id is not None,
    )
    _resolve_address(session, issue)
    return issue


def _resolve_address(session: Session, issue: Issue) -> None:
    if issue.building_id is not None:
        building = session.get(Building, issue.building_id)
        if building is None:
            raise DomainValidationError(
                f"Будинку {issue.building_id} немає в довіднику адрес", code="building_unknown", fields={"building_id": "unknown"}
            )
        issue.street_id, issue.house, issue.district = building.street_id, building.house, building.district
    elif issue.street_id is not None:
        street = session.get(Street, issue.street_id)
        if street is None:
            raise DomainValidationError(
                f"Вулиці {issue.street_id} немає в довіднику адрес", code="street_unknown", fields={"street_id": "unknown"}
            )
        issue.district = street.district
        if issue.house:
            building = session.exec(select(Building).where(Building.street_id == street.id, col(Building.house).ilike(issue.house))).first()
            if building is not None:
                issue.building_id, issue.house, issue.district = building.id, building.house, building.district or street.district


def apply_fields(session: Session, appeal: Appeal, data: AppealFields) -> None:
    """Copy the set fields onto a draft; `issues` replaces its issue list."""
    values = data.model_dump(exclude_unset=True, include=set(AppealFields.model_fields) - {"issues"})
    if "citizen_id" in values and values["citizen_id"] is not None:
        citizen = session.get(Citizen, values["citizen_id"])
        if citizen is None:
            raise DomainValidationError(
                f"Громадянина {values['citizen_id']} немає в базі", code="citizen_unknown", fields={"citizen_id": "unknown"}
            )
        values.setdefault("applicant_name", citizen.full_name)
        values.setdefault("applicant_address", citizen.address_text)
    for name, value in values.items():
        if value is not None or name in {"citizen_id", "reply_email", "contested_decision_date", "acquainted_date"}:
            setattr(appeal, name, value)
    if data.issues is not None:
        assert appeal.id is not None  # noqa: S101 - drafts are persisted
        for old in session.exec(select(Issue).where(Issue.appeal_id == appeal.id)).all():
            session.delete(old)
        session.flush()
        for seq, item in enumerate(data.issues, start=1):
            session.add(build_issue(session, item, appeal_id=appeal.id, seq=seq))


def find_by_idempotency_key(session: Session, key: str | None) -> Appeal | None:
    """The appeal an earlier request with this key created, if any."""
    return session.exec(select(Appeal).where(Appeal.idempotency_key == key)).first() if key else None


def create_appeal(session: Session, data: AppealCreate, *, actor: Actor, now: datetime) -> Appeal:
    """A new draft from the API (e-mail, web, personal reception, a call typed in by hand)."""
    caller = try_normalize_phone(data.caller)
    appeal = Appeal(
        channel=data.channel,
        caller=caller,
        received_at=data.received_at or now,
        source_ref=data.source_ref,
        idempotency_key=data.idempotency_key or None,  # "" is no key: the column is unique
        operator_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    if data.channel is not Channel.phone:
        appeal.form = {Channel.post: AppealForm.written, Channel.personal: AppealForm.oral}.get(data.channel, AppealForm.electronic)
        appeal.reply_channel = "email" if data.channel in {Channel.email, Channel.web, Channel.open311, Channel.petition} else "post"
    _prefill_applicant(session, appeal)
    session.add(appeal)
    session.flush()
    assert appeal.id is not None  # noqa: S101 - flushed
    apply_fields(session, appeal, data)
    record_status_change(
        session,
        entity="appeal",
        entity_id=appeal.id,
        appeal_id=appeal.id,
        action="open",
        from_status=None,
        to_status="draft",
        actor=actor,
        now=now,
    )
    record_audit(session, actor, "create", "appeal", appeal.id, now=now)
    session.flush()
    return appeal


def update_draft(session: Session, appeal_id: int, data: AppealFields, *, actor: Actor, now: datetime) -> Appeal:
    appeal = get_appeal(session, appeal_id)
    require_draft(appeal, "update")
    apply_fields(session, appeal, data)
    appeal.updated_at = now
    if appeal.operator_id is None and actor.user_id is not None:
        appeal.operator_id = actor.user_id
    session.add(appeal)
    record_audit(session, actor, "update", "appeal", appeal_id, now=now, detail={"fields": sorted(data.model_dump(exclude_unset=True))})
    session.commit()
    session.refresh(appeal)
    return appeal


def draft_issues(session: Session, appeal_id: int) -> list[Issue]:
    return list(session.exec(select(Issue).where(Issue.appeal_id == appeal_id).order_by(col(Issue.seq))).all())


def cancel_draft_issues(session: Session, appeal_id: int) -> None:
    for issue in draft_issues(session, appeal_id):
        if issue.status is IssueStatus.draft:
            issue.status = IssueStatus.cancelled
            session.add(issue)
