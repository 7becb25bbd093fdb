"""How report cells look to people: Ukrainian number style, Kyiv time, yes/no flags."""

from __future__ import annotations

from datetime import datetime

from appeals.deadlines import KYIV
from appeals.reports.model import Cell


def number(value: float, digits: int = 1) -> str:
    """`1234.5` → `1 234,5` (a narrow no-break space groups thousands, a comma marks decimals)."""
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def kyiv(moment: datetime | None) -> str:
    return moment.astimezone(KYIV).strftime("%d.%m.%Y %H:%M") if moment else "—"


def cell(value: Cell, kind: str) -> str:
    """One cell as text for a page; None is a dash."""
    if value is None:
        return "—"
    if kind == "flag":
        return "так" if value else ""
    if isinstance(value, datetime):
        return kyiv(value)
    if isinstance(value, bool):
        return "так" if value else "ні"
    if isinstance(value, int):
        return number(value, 0)
    if isinstance(value, float):
        digits = 2 if kind == "float" and round(value, 1) != value else 1
        text = number(value, digits)
        return f"{text} %" if kind == "pct" else text
    return str(value)
