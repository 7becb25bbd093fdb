"""The Jinja2 environment of the console pages (autoescaped; templates live next to this module)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

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


def render_page(template: str, *, page: str, roles: tuple[str, ...] = (), **context: Any) -> str:
    """A page extending base.html; `page` names it for console.js, `roles` may open it (empty: anyone signed in)."""
    return environment().get_template(template).render(page=page, page_roles=list(roles), nav=NAV, **context)
