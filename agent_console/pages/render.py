"""The Jinja2 environment of the console pages (autoescaped; templates live next to this module)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from appeals.pauses import PAUSE_REASONS
from appeals.reports import labels

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class NavItem:
    """One link of the top navigation, shown to the listed roles only (console.js hides the rest)."""

    href: str
    label: str
    roles: tuple[str, ...]


NAV: tuple[NavItem, ...] = (
    NavItem("/operator", "Оператор", ("operator", "supervisor")),
    NavItem("/supervisor", "Моніторинг черг", ("supervisor",)),
    NavItem("/callbacks", "Зворотні дзвінки", ("callback_agent", "supervisor")),
    NavItem("/executor", "Доручення", ("executor",)),
    NavItem("/admin/kb", "База знань", ("admin", "supervisor")),
    NavItem("/reports", "Звіти", ("supervisor", "head", "admin")),
)


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


OUTCOMES = {
    "confirmed": "підтвердив виконання",
    "disputed": "заперечив виконання",
    "no_answer": "не відповів",
    "busy": "зайнято",
    "refused": "відмовився від розмови",
    "self_resolved": "вирішилося само",
    "reached": "додзвонилися",
    "wrong_number": "хибний номер",
}
DISCARD = {
    "silence": "Тиша в лінії",
    "wrong_number": "Помилковий номер",
    "hoax": "Хуліганський дзвінок",
    "test_call": "Тестовий дзвінок",
    "duplicate_call": "Повторний дзвінок (вже зареєстровано)",
    "dropped": "Обірвався",
    "other": "Інше",
}


@functools.lru_cache(maxsize=1)
def label_sets() -> dict[str, dict[str, str]]:
    """Ukrainian labels for codes the pages show (statuses, kinds, privileges, outcomes, pause and discard reasons)."""
    return {
        "appeal_status": dict(labels.APPEAL_STATUS),
        "issue_status": dict(labels.ISSUE_STATUS),
        "kind": dict(labels.KIND),
        "privilege": dict(labels.PRIVILEGE),
        "callback_kind": dict(labels.CALLBACK_KIND),
        "outcome": OUTCOMES,
        "discard": DISCARD,
        "pause": dict(PAUSE_REASONS),
    }


def render_page(template: str, *, page: str, roles: tuple[str, ...] = (), **context: Any) -> str:
    """A page extending base.html; `page` names it for console.js, `roles` may open it (empty: anyone signed in)."""
    return environment().get_template(template).render(page=page, page_roles=list(roles), nav=NAV, labels=label_sets(), **context)
