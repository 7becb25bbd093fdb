"""Administering reference data: categories, executors and routing rules (with audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import ConflictError, DomainValidationError, NotFoundError
from appeals.history import record_audit
from appeals.models import Building, Category, EmergencyClass, Executor, ExecutorKind, ExecutorRole, RoutingRule, SlaUnit, StatutoryClass
from appeals.wording import entity_name


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=200)
    parent_id: int | None = None
    emergency_class: EmergencyClass = EmergencyClass.normal
    sla_value: int = Field(default=15, ge=1, le=24 * 45)
    sla_unit: SlaUnit = SlaUnit.calendar_days
    statutory_class: StatutoryClass = StatutoryClass.days_15
    attention_pct: int = Field(default=75, ge=1, le=100)
    requires_address: bool = True
    default_role_id: int | None = None
    topic_group: str = Field(default="other", max_length=64)
    keywords: list[str] = Field(default_factory=list)
    public_notice: str = Field(default="", max_length=500)
    is_active: bool = True


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: int | None = None
    emergency_class: EmergencyClass | None = None
    sla_value: int | None = Field(default=None, ge=1, le=24 * 45)
    sla_unit: SlaUnit | None = None
    statutory_class: StatutoryClass | None = None
    attention_pct: int | None = Field(default=None, ge=1, le=100)
    requires_address: bool | None = None
    default_role_id: int | None = None
    topic_group: str | None = None
    keywords: list[str] | None = None
    public_notice: str | None = None
    is_active: bool | None = None


class ExecutorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=300)
    short_name: str = Field(default="", max_length=120)
    kind: ExecutorKind = ExecutorKind.department
    parent_id: int | None = None
    email: str | None = None
    phone: str | None = None
    dispatch_phone: str | None = None
    dispatch_email: str | None = None
    head_email: str | None = None
    webhook_url: str | None = None
    is_active: bool = True


class ExecutorPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    short_name: str | None = None
    kind: ExecutorKind | None = None
    parent_id: int | None = None
    email: str | None = None
    phone: str | None = None
    dispatch_phone: str | None = None
    dispatch_email: str | None = None
    head_email: str | None = None
    webhook_url: str | None = None
    is_active: bool | None = None


class RoutingRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category_id: int
    executor_id: int
    district: str | None = None
    building_id: int | None = None


def _check_refs(session: Session, **refs: tuple[type[Any], int | None]) -> None:
    for name, (model, key) in refs.items():
        if key is not None and session.get(model, key) is None:
            raise DomainValidationError(f"{name} {key}: такого запису немає в довіднику", code=f"{name}_unknown", fields={name: "unknown"})


def _save(session: Session, row: Any, actor: Actor, action: str, entity: str, now: datetime) -> Any:
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(f"{entity_name(entity)} з таким самим кодом або сферою вже існує", code=f"{entity}_exists") from exc
    record_audit(session, actor, action, entity, row.id, now=now)
    session.commit()
    session.refresh(row)
    return row


def list_categories(session: Session, *, include_inactive: bool = False) -> list[Category]:
    query = select(Category).order_by(col(Category.sort_order), col(Category.id))
    if not include_inactive:
        query = query.where(col(Category.is_active).is_(True))
    return list(session.exec(query).all())


def create_category(session: Session, data: CategoryIn, *, actor: Actor, now: datetime) -> Category:
    _check_refs(session, parent_id=(Category, data.parent_id), default_role_id=(ExecutorRole, data.default_role_id))
    return _save(session, Category(**data.model_dump()), actor, "create", "category", now)  # type: ignore[no-any-return]


def update_category(session: Session, category_id: int, data: CategoryPatch, *, actor: Actor, now: datetime) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFoundError("category", category_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("parent_id") == category_id:
        raise DomainValidationError(
            "Категорія не може бути батьківською сама для себе", code="category_cycle", fields={"parent_id": "cycle"}
        )
    _check_refs(session, parent_id=(Category, changes.get("parent_id")), default_role_id=(ExecutorRole, changes.get("default_role_id")))
    for name, value in changes.items():
        setattr(category, name, value)
    return _save(session, category, actor, "update", "category", now)  # type: ignore[no-any-return]


def list_executors(session: Session) -> list[Executor]:
    return list(session.exec(select(Executor).order_by(col(Executor.name))).all())


def create_executor(session: Session, data: ExecutorIn, *, actor: Actor, now: datetime) -> Executor:
    _check_refs(session, parent_id=(Executor, data.parent_id))
    return _save(session, Executor(**data.model_dump()), actor, "create", "executor", now)  # type: ignore[no-any-return]


def update_executor(session: Session, executor_id: int, data: ExecutorPatch, *, actor: Actor, now: datetime) -> Executor:
    executor = session.get(Executor, executor_id)
    if executor is None:
        raise NotFoundError("executor", executor_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(executor, name, value)
    return _save(session, executor, actor, "update", "executor", now)  # type: ignore[no-any-return]


def list_rules(session: Session, category_id: int | None = None) -> list[RoutingRule]:
    query = select(RoutingRule).order_by(col(RoutingRule.category_id), col(RoutingRule.id))
    if category_id is not None:
        query = query.where(RoutingRule.category_id == category_id)
    return list(session.exec(query).all())


def create_rule(session: Session, data: RoutingRuleIn, *, actor: Actor, now: datetime) -> RoutingRule:
    _check_refs(
        session,
        category_id=(Category, data.category_id),
        executor_id=(Executor, data.executor_id),
        building_id=(Building, data.building_id),
    )
    return _save(session, RoutingRule(**data.model_dump()), actor, "create", "routing_rule", now)  # type: ignore[no-any-return]


def delete_rule(session: Session, rule_id: int, *, actor: Actor, now: datetime) -> None:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFoundError("routing_rule", rule_id)
    session.delete(rule)
    record_audit(session, actor, "delete", "routing_rule", rule_id, now=now)
    session.commit()
