"""Routing rules: category × building/district → executor, with role bindings as the fallback."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from appeals.models import Category, Executor, RoleBinding, RoutingRule


def _specificity(building_id: int | None, district: str | None) -> int:
    return 2 if building_id is not None else 1 if district is not None else 0


def resolve_executor(session: Session, category_id: int, *, building_id: int | None, district: str | None) -> Executor | None:
    """The executor for a category at an address: the most specific explicit rule, else the category's role binding.

    Specificity: building beats district beats city-wide. Inactive executors are skipped.
    """
    rules = session.exec(
        select(RoutingRule, Executor)
        .join(Executor, col(Executor.id) == RoutingRule.executor_id)
        .where(RoutingRule.category_id == category_id, col(Executor.is_active).is_(True))
        .where(or_(col(RoutingRule.building_id).is_(None), col(RoutingRule.building_id) == building_id))
        .where(or_(col(RoutingRule.district).is_(None), col(RoutingRule.district) == district))
    ).all()
    if rules:
        return max(rules, key=lambda pair: _specificity(pair[0].building_id, pair[0].district))[1]
    category = session.get(Category, category_id)
    if category is None or category.default_role_id is None:
        return None
    bindings = session.exec(
        select(RoleBinding, Executor)
        .join(Executor, col(Executor.id) == RoleBinding.executor_id)
        .where(RoleBinding.role_id == category.default_role_id, col(Executor.is_active).is_(True))
        .where(or_(col(RoleBinding.building_id).is_(None), col(RoleBinding.building_id) == building_id))
        .where(or_(col(RoleBinding.district).is_(None), col(RoleBinding.district) == district))
    ).all()
    if not bindings:
        return None
    return max(bindings, key=lambda pair: _specificity(pair[0].building_id, pair[0].district))[1]
