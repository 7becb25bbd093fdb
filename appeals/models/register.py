"""The register: appeals (the contact), their issues (питання), assignments, answers, numbering."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_dict, utcnow
from appeals.models.enums import (
    Admissibility,
    AppealForm,
    AppealKind,
    AppealStatus,
    AppealSubject,
    AssignmentState,
    Channel,
    IssueStatus,
    ReceiptSign,
)


class Appeal(SQLModel, table=True):
    """One contact (call, e-mail, web form) with its legal classification; holds one or more issues."""

    __table_args__ = (
        Index("ix_appeal_caller_created", "caller", "created_at"),
        Index("ix_appeal_citizen_created", "citizen_id", "created_at"),
        Index("ix_appeal_status_created", "status", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=32, unique=True)
    status: AppealStatus = enum_field(AppealStatus.draft)
    channel: Channel = enum_field(Channel.phone)
    kind: AppealKind = enum_field(AppealKind.application)
    form: AppealForm = enum_field(AppealForm.oral)
    subject: AppealSubject = enum_field(AppealSubject.individual)
    receipt_sign: ReceiptSign = enum_field(ReceiptSign.primary)
    admissibility: Admissibility = enum_field(Admissibility.pending)
    not_considered_reason: str | None = Field(default=None, max_length=32)
    is_repeated: bool = False
    previous_appeal_id: int | None = Field(default=None, foreign_key="appeal.id")
    caller: str | None = Field(default=None, max_length=20)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id")
    applicant_name: str = Field(default="", max_length=300)
    applicant_address: str = Field(default="", max_length=400)
    reply_channel: str = Field(default="phone", max_length=16)
    reply_email: str | None = Field(default=None, max_length=254)
    summary: str = Field(default="", sa_type=Text)
    is_priority: bool = False
    requires_first_head: bool = False
    missed: bool = False
    signed: bool = False
    source_ref: str | None = Field(default=None, max_length=300, index=True)
    idempotency_key: str | None = Field(default=None, max_length=120, unique=True)
    discard_reason: str | None = Field(default=None, max_length=32)
    discard_note: str = Field(default="", max_length=500)
    consultation_category_id: int | None = Field(default=None, foreign_key="category.id")
    consultation_note: str = Field(default="", max_length=1000)
    contested_decision_date: date | None = None
    acquainted_date: date | None = None
    deadline_restored: bool = False
    operator_id: int | None = Field(default=None, foreign_key="app_user.id")
    received_at: datetime = Field(default_factory=utcnow)
    registered_at: datetime | None = None
    closed_at: datetime | None = None
    return_due_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Issue(SQLModel, table=True):
    """One question of an appeal: category, address, executor, its own lifecycle and deadlines."""

    __table_args__ = (
        UniqueConstraint("appeal_id", "seq"),
        Index("ix_issue_status_due", "status", "due_at"),
        Index("ix_issue_executor_status", "executor_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    seq: int = 1
    category_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    street_id: int | None = Field(default=None, foreign_key="street.id")
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    house: str | None = Field(default=None, max_length=20)
    flat: str | None = Field(default=None, max_length=20)
    address_text: str = Field(default="", max_length=400)
    district: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", sa_type=Text)
    executor_id: int | None = Field(default=None, foreign_key="executor.id")
    executor_override: bool = False
    status: IssueStatus = enum_field(IssueStatus.draft)
    registered_at: datetime | None = None
    due_at: datetime | None = None
    sla_due_at: datetime | None = None
    attention_at: datetime | None = None
    extended_due_at: datetime | None = None
    extension_reason: str | None = Field(default=None, max_length=500)
    extension_approved_by: int | None = Field(default=None, foreign_key="app_user.id")
    forward_to: str | None = Field(default=None, max_length=300)
    forward_due_at: datetime | None = None
    postponed_until: date | None = None
    rework_count: int = 0
    reopen_count: int = 0
    verification_attempts: int = 0
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    resolution_text: str = Field(default="", sa_type=Text)
    closed_at: datetime | None = None
    overdue_notified: bool = False
    attention_notified: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """A hand-off of an issue to one executor (доручення); rework returns to the same one."""

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    executor_id: int = Field(foreign_key="executor.id", index=True)
    state: AssignmentState = enum_field(AssignmentState.new)
    is_override: bool = False
    assigned_by: int | None = Field(default=None, foreign_key="app_user.id")
    assigned_at: datetime
    accepted_at: datetime | None = None
    reported_at: datetime | None = None
    result: str | None = Field(default=None, max_length=32)
    result_text: str = Field(default="", sa_type=Text)
    closed_at: datetime | None = None


class Answer(SQLModel, table=True):
    """An official answer to the applicant (art. 15/19), or an interim notice (extension, forwarding)."""

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    issue_id: int | None = Field(default=None, foreign_key="issue.id")
    text: str = Field(sa_type=Text)
    channel: str = Field(default="phone", max_length=16)
    interim: bool = False
    signed_by: int | None = Field(default=None, foreign_key="app_user.id")
    sent_at: datetime = Field(default_factory=utcnow)


class StatusChange(SQLModel, table=True):
    """The history: every state change of an appeal, issue or callback task, with actor, reason and time."""

    __tablename__ = "status_change"
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16)
    entity_id: int = Field(index=True)
    appeal_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    reason: str = Field(default="", max_length=1000)
    detail: dict[str, object] = json_dict()
    at: datetime


class AuditEvent(SQLModel, table=True):
    """Append-only audit: state changes and every read of personal data (recordings, transcripts, citizens)."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: str = Field(default="", max_length=64)
    pii: bool = False
    ip: str | None = Field(default=None, max_length=64)
    detail: dict[str, object] = json_dict()


class RegistrationCounter(SQLModel, table=True):
    """The last registration number issued per prefix and year (incremented atomically)."""

    __tablename__ = "registration_counter"
    prefix: str = Field(primary_key=True, max_length=16)
    year: int = Field(primary_key=True)
    value: int = 0


class OutboxMessage(SQLModel, table=True):
    """A notification or job written in the same transaction as the change; drained to Redis afterwards."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="event", max_length=16)
    topic: str = Field(max_length=64)
    payload: dict[str, object] = json_dict()
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
