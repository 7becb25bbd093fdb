"""Open311 services: every active leaf of the category tree, its group, keywords and the attributes intake asks for."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from appeals.errors import NotFoundError
from appeals.models import AppealKind, Category
from appeals.reports.labels import KIND

ATTRIBUTES: list[dict[str, Any]] = [
    {
        "variable": True,
        "code": "applicant_address",
        "datatype": "string",
        "required": True,
        "datatype_description": "Вулиця, будинок, квартира, населений пункт",
        "order": 1,
        "description": "Адреса проживання заявника (обов'язкова за ст. 5 Закону «Про звернення громадян»; не публікується)",
        "values": [],
    },
    {
        "variable": True,
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "Типово — заява",
        "order": 2,
        "description": "Вид звернення (ст. 3)",
        "values": [{"key": kind.value, "name": KIND[kind.value]} for kind in AppealKind],
    },
]


def _leaves(session: Session) -> tuple[list[Category], dict[int, Category]]:
    categories = list(session.exec(select(Category).where(col(Category.is_active).is_(True)).order_by(col(Category.sort_order))).all())
    by_id = {c.id or 0: c for c in categories}
    parents = {c.parent_id for c in categories if c.parent_id is not None}
    return [c for c in categories if c.id not in parents], by_id


def list_services(session: Session) -> list[dict[str, Any]]:
    """The GeoReport service list: `metadata` is true because every service asks for the applicant's address."""
    leaves, by_id = _leaves(session)
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.public_notice or c.name,
            "metadata": True,
            "type": "realtime",
            "keywords": ", ".join(c.keywords),
            "group": by_id[c.parent_id].name if c.parent_id in by_id else c.name,
        }
        for c in leaves
    ]


def find_service(session: Session, code: str) -> Category:
    """The active leaf category with this service code.

    Raises:
        NotFoundError: no such service (code `service_not_found`).
    """
    leaves, _ = _leaves(session)
    for category in leaves:
        if category.code == code:
            return category
    raise NotFoundError("service", code)


def service_definition(session: Session, code: str) -> dict[str, Any]:
    find_service(session, code)
    return {"service_code": code, "attributes": ATTRIBUTES}
