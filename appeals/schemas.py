"""Input and output shapes of the register (XCreate / XUpdate / XPublic), shared by the API and adapters."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from appeals.models import (
    AppealForm,
    AppealKind,
    AppealStatus,
    AppealSubject,
    Channel,
    DiscardReason,
    IssueStatus,
    Privilege,
)


class IssueIn(BaseModel):
    """One issue as the operator enters it; the address is a gazetteer building or free text."""

    model_config = ConfigDict(extra="forbid")
    category_id: int | None = None
    street_id: int | None = None
    building_id: int | None = None
    house: str | None = Field(default=None, max_length=20)
    flat: str | None = Field(default=None, max_length=20)
    address_text: str = Field(default="", max_length=400)
    description: str = Field(default="", max_length=20_000)
    executor_id: int | None = None


class AppealFields(BaseModel):
    """Fields an operator may set on a draft."""

    model_config = ConfigDict(extra="forbid")
    kind: AppealKind | None = None
    form: AppealForm | None = None
    subject: AppealSubject | None = None
    citizen_id: int | None = None
    applicant_name: str | None = Field(default=None, max_length=300)
    applicant_address: str | None = Field(default=None, max_length=400)
    reply_channel: str | None = Field(default=None, pattern="^(phone|email|post|in_person)$")
    reply_email: str | None = Field(default=None, max_length=254)
    summary: str | None = Field(default=None, max_length=20_000)
    signed: bool | None = None
    contested_decision_date: date | None = None
    acquainted_date: date | None = None
    deadline_restored: bool | None = None
    issues: list[IssueIn] | None = None


class AppealCreate(AppealFields):
    """A new appeal from the API: a draft, or registered at once with `register`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    channel: Channel = Channel.phone
    caller: str | None = Field(default=None, max_length=40)
    received_at: datetime | None = None
    source_ref: str | None = Field(default=None, max_length=300)
    idempotency_key: str | None = Field(
        default=None, max_length=120, description="a client retry with the same key returns the first result"
    )
    register_now: bool = Field(default=False, alias="register", description="register at once instead of keeping a draft")


class AppealUpdate(AppealFields):
    """A change to a draft (every field optional; `issues` replaces the list)."""


class DiscardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: DiscardReason
    note: str = Field(default="", max_length=500)


class ConsultationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category_id: int | None = None
    note: str = Field(default="", max_length=1000)


class TransitionIn(BaseModel):
    """An action on an issue; some actions need more fields (executor, new due, forward target)."""

    model_config = ConfigDict(extra="forbid")
    action: str
    reason: str = Field(default="", max_length=1000)
    executor_id: int | None = None
    new_due: date | None = None
    forward_to: str | None = Field(default=None, max_length=300)
    postponed_until: date | None = None
    not_considered_reason: str | None = None
    satisfaction: int | None = Field(default=None, ge=1, le=5)


class CitizenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=300)
    phones: list[str] = Field(default_factory=list, max_length=10)
    email: str | None = Field(default=None, max_length=254)
    address_text: str = Field(default="", max_length=400)
    building_id: int | None = None
    flat: str | None = Field(default=None, max_length=20)
    privileges: list[Privilege] = Field(default_factory=list)


class CitizenUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, min_length=1, max_length=300)
    phones: list[str] | None = Field(default=None, max_length=10)
    email: str | None = Field(default=None, max_length=254)
    address_text: str | None = Field(default=None, max_length=400)
    building_id: int | None = None
    flat: str | None = Field(default=None, max_length=20)
    privileges: list[Privilege] | None = None


class CitizenPublic(BaseModel):
    id: int
    full_name: str
    phones: list[str]
    phones_display: list[str]
    email: str | None
    address_text: str
    building_id: int | None
    flat: str | None
    privileges: list[str]
    is_priority: bool
    requires_first_head: bool


class IssuePublic(BaseModel):
    id: int
    seq: int
    number: str | None
    category_id: int | None
    category_name: str | None
    emergency_class: str | None
    street_id: int | None
    building_id: int | None
    house: str | None
    flat: str | None
    address_text: str
    address: str
    district: str | None
    description: str
    executor_id: int | None
    executor_name: str | None
    status: IssueStatus
    registered_at: datetime | None
    due_at: datetime | None
    sla_due_at: datetime | None
    attention_at: datetime | None
    extended_due_at: datetime | None
    current_due_at: datetime | None
    overdue: bool
    rework_count: int
    forward_to: str | None
    resolution_text: str
    closed_at: datetime | None

    @field_validator("address", mode="before")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class HistoryEntry(BaseModel):
    entity: str
    entity_id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_name: str | None
    reason: str
    at: datetime


class AppealPublic(BaseModel):
    """The appeal in JSON (ARCHITECTURE.md public contract), with its issues and call ids."""

    id: int
    number: str | None
    status: AppealStatus
    channel: Channel
    kind: AppealKind
    form: AppealForm
    subject: AppealSubject
    receipt_sign: str
    admissibility: str
    not_considered_reason: str | None
    is_repeated: bool
    previous_appeal_id: int | None
    caller: str | None
    caller_display: str
    citizen_id: int | None
    applicant_name: str
    applicant_address: str
    reply_channel: str
    reply_email: str | None
    summary: str
    is_priority: bool
    requires_first_head: bool
    missed: bool
    discard_reason: str | None
    discard_note: str
    consultation_category_id: int | None
    consultation_note: str
    operator_id: int | None
    received_at: datetime
    registered_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    issues: list[IssuePublic]
    call_ids: list[str]
    history: list[HistoryEntry] | None = None


class AppealsPublic(BaseModel):
    items: list[AppealPublic]
    total: int
