"""Reference data: categories, executors and their roles, routing rules, gazetteer, work calendar."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from appeals.models.base import enum_field, json_list
from appeals.models.enums import EmergencyClass, ExecutorKind, SlaUnit, StatutoryClass


class ExecutorRole(SQLModel, table=True):
    """A role an organisation plays for a building or district (balance holder, water utility…)."""

    __tablename__ = "executor_role"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)


class Executor(SQLModel, table=True):
    """An organisation that acts on issues: department, communal enterprise, utility, housing manager."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=300)
    short_name: str = Field(default="", max_length=120)
    kind: ExecutorKind = enum_field(ExecutorKind.department)
    parent_id: int | None = Field(default=None, foreign_key="executor.id")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    dispatch_phone: str | None = Field(default=None, max_length=32)
    dispatch_email: str | None = Field(default=None, max_length=254)
    head_email: str | None = Field(default=None, max_length=254)
    webhook_url: str | None = Field(default=None, max_length=500)
    is_active: bool = True


class Category(SQLModel, table=True):
    """A node of the category tree with its emergency class, SLA and statutory class."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    name: str = Field(max_length=200)
    emergency_class: EmergencyClass = enum_field(EmergencyClass.normal)
    sla_value: int = 15
    sla_unit: SlaUnit = enum_field(SlaUnit.calendar_days)
    statutory_class: StatutoryClass = enum_field(StatutoryClass.days_15)
    attention_pct: int = 75
    requires_address: bool = True
    default_role_id: int | None = Field(default=None, foreign_key="executor_role.id")
    topic_group: str = Field(default="communal", max_length=64)
    keywords: list[str] = json_list()
    public_notice: str = Field(default="", max_length=500)
    is_active: bool = True
    sort_order: int = 0


class RoleBinding(SQLModel, table=True):
    """Which executor plays a role: city-wide, for a district, or for one building (most specific wins)."""

    __tablename__ = "role_binding"
    __table_args__ = (UniqueConstraint("role_id", "district", "building_id"),)
    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="executor_role.id", index=True)
    executor_id: int = Field(foreign_key="executor.id")
    district: str | None = Field(default=None, max_length=100)
    building_id: int | None = Field(default=None, foreign_key="building.id")


class RoutingRule(SQLModel, table=True):
    """An explicit route category × (building | district | anywhere) → executor; beats role routing."""

    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("category_id", "district", "building_id"),)
    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="category.id", index=True)
    executor_id: int = Field(foreign_key="executor.id")
    district: str | None = Field(default=None, max_length=100)
    building_id: int | None = Field(default=None, foreign_key="building.id")


class Street(SQLModel, table=True):
    """A gazetteer street: kind (вулиця, проспект…), current name and former names."""

    __table_args__ = (UniqueConstraint("kind", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="вулиця", max_length=40)
    name: str = Field(max_length=200, index=True)
    aliases: list[str] = json_list()
    district: str | None = Field(default=None, max_length=100)


class Building(SQLModel, table=True):
    """A house on a street, with its district (routing) and coordinates (Open311)."""

    __table_args__ = (UniqueConstraint("street_id", "house"),)
    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="street.id")
    house: str = Field(max_length=20)
    district: str | None = Field(default=None, max_length=100, index=True)
    lat: float | None = None
    lon: float | None = None


class WorkCalendarDay(SQLModel, table=True):
    """An override of the default Mon–Fri week: a holiday, a transferred working day, a martial-law note."""

    __tablename__ = "work_calendar_day"
    day: date = Field(primary_key=True)
    is_working: bool
    note: str = Field(default="", max_length=200)
