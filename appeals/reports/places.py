"""Addresses of issues for reports: the building (street and house, never the flat), or the free text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session, col, select

from appeals.models import Building, Street
from appeals.views import format_address


class Located(Protocol):
    @property
    def building_id(self) -> int | None: ...
    @property
    def address_text(self) -> str: ...


@dataclass(frozen=True)
class Spot:
    """A place without an issue behind it (a hot-spot building)."""

    building_id: int | None
    address_text: str


def place_key(issue: Located) -> tuple[str, int | str]:
    """Issues at one building share a key; without a building, the normalised free text does."""
    if issue.building_id is not None:
        return ("building", issue.building_id)
    return ("text", " ".join(issue.address_text.lower().split()))


def place_names(session: Session, issues: Iterable[Located]) -> dict[tuple[str, int | str], str]:
    """A display address for each place key (no flat numbers: reports may leave the office)."""
    issues = list(issues)
    building_ids = {i.building_id for i in issues if i.building_id is not None}
    query = select(Building, Street).join(Street, col(Street.id) == Building.street_id)
    if len(building_ids) <= 1000:  # a large report reads the whole gazetteer rather than a huge IN list
        query = query.where(col(Building.id).in_(building_ids))
    rows = session.exec(query).all() if building_ids else []
    names: dict[tuple[str, int | str], str] = {("building", b.id or 0): format_address(s, b.house, None, "") for b, s in rows}
    for issue in issues:
        key = place_key(issue)
        names.setdefault(key, issue.address_text.strip() or "адресу не вказано")
    return names
