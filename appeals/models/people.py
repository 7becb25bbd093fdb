"""People: staff users with roles, login throttling, citizens and their phone numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_list, utcnow
from appeals.models.enums import Role


class User(SQLModel, table=True):
    """A staff account. Operators carry their phone's AMI interface (`PJSIP/op101`); executors their organisation."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(default="", max_length=200)
    role: Role = enum_field(Role.operator)
    password_hash: str = Field(max_length=200)
    extension: str | None = Field(default=None, max_length=80, unique=True)
    executor_id: int | None = Field(default=None, foreign_key="executor.id")
    email: str | None = Field(default=None, max_length=254)
    is_active: bool = True
    tokens_valid_after: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """Failed-login counter per username and per client address (throttling)."""

    __tablename__ = "login_failure"
    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


class Citizen(SQLModel, table=True):
    """An applicant. Privileges (CMU 858 author categories) are special-category data."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(default="", max_length=300, index=True)
    email: str | None = Field(default=None, max_length=254)
    address_text: str = Field(default="", max_length=400)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    flat: str | None = Field(default=None, max_length=20)
    sex: str | None = Field(default=None, max_length=1)
    birth_year: int | None = None
    privileges: list[str] = json_list()
    is_priority: bool = False
    requires_first_head: bool = False
    note: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CitizenPhone(SQLModel, table=True):
    """One of a citizen's numbers, E.164 (or a short service number as dialled)."""

    __tablename__ = "citizen_phone"
    __table_args__ = (UniqueConstraint("citizen_id", "phone"),)
    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    phone: str = Field(max_length=20, index=True)
    label: str = Field(default="", max_length=40)
