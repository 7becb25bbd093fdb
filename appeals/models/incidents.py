"""Mass incidents (аварії, planned works) with their affected addresses, and e-petitions (art. 23-1)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_dict, utcnow


class IncidentStatus(StrEnum):
    """proposed (by the system) → active (declared by a supervisor) → closed; a proposal may be dismissed."""

    proposed = "proposed"
    active = "active"
    closed = "closed"
    dismissed = "dismissed"


class PetitionStatus(StrEnum):
    """submitted → collecting (published) → consideration → answered; or rejected at the format check;
    or failed (too few signatures) → converted into an ordinary collective appeal."""

    submitted = "submitted"
    rejected = "rejected"
    collecting = "collecting"
    consideration = "consideration"
    answered = "answered"
    failed = "failed"
    converted = "converted"


class Incident(SQLModel, table=True):
    """A mass incident: one category (and its related ones) at a list of buildings or whole streets, with an ETA."""

    __table_args__ = (Index("ix_incident_status_category", "status", "category_id"),)
    id: int | None = Field(default=None, primary_key=True)
    status: IncidentStatus = enum_field(IncidentStatus.active)
    category_id: int = Field(foreign_key="category.id")
    executor_id: int | None = Field(default=None, foreign_key="executor.id")
    title: str = Field(max_length=200)
    public_notice: str = Field(default="", max_length=1000)
    ivr_prompt: str | None = Field(default=None, max_length=120)
    announce_all: bool = False
    eta_at: datetime | None = None
    started_at: datetime = Field(default_factory=utcnow)
    declared_by: int | None = Field(default=None, foreign_key="app_user.id")
    declared_at: datetime | None = None
    proposal_reason: str = Field(default="", max_length=500)
    closed_by: int | None = Field(default=None, foreign_key="app_user.id")
    closed_at: datetime | None = None
    resolution: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class IncidentAddress(SQLModel, table=True):
    """One affected building, or a whole street when `building_id` is empty."""

    __tablename__ = "incident_address"
    __table_args__ = (UniqueConstraint("incident_id", "street_id", "building_id"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)


class Petition(SQLModel, table=True):
    """An e-petition to the council: format check, signature collection, threshold, consideration in 10 working days."""

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=32, unique=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    status: PetitionStatus = enum_field(PetitionStatus.submitted, index=True)
    title: str = Field(max_length=300)
    text: str = Field(sa_type=Text)
    author_name: str = Field(default="", max_length=300)
    author_email: str = Field(default="", max_length=254)
    category_id: int | None = Field(default=None, foreign_key="category.id")
    submitted_at: datetime
    format_check: dict[str, object] = json_dict()
    format_check_due_at: datetime | None = None
    rejection_reason: str = Field(default="", max_length=1000)
    duplicate_of_id: int | None = Field(default=None, foreign_key="petition.id")
    published_at: datetime | None = None
    collection_ends_at: datetime | None = None
    signatures_required: int = 350
    signatures_count: int = 0
    consideration_started_at: datetime | None = None
    answer_due_at: datetime | None = None
    decision_text: str = Field(default="", sa_type=Text)
    decision_ref: str = Field(default="", max_length=200)
    answered_at: datetime | None = None
    converted_appeal_id: int | None = Field(default=None, foreign_key="appeal.id")
    reviewed_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
