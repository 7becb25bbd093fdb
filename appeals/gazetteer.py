"""The gazetteer: street autocomplete (current and former names) and a street's buildings."""

from __future__ import annotations

import re

from pydantic import BaseModel
from sqlmodel import Session, col, select

from appeals.models import Building, Street

_PREFIX = re.compile(
    r"^(вул\.?|вулиця|просп\.?|проспект|бульв?\.?|бульвар|пров\.?|провулок|пл\.?|площа|майдан|ул\.?|улица)\s+", re.IGNORECASE
)


class StreetHit(BaseModel):
    id: int
    kind: str
    name: str
    label: str
    district: str | None
    matched_alias: str | None


def _label(street: Street) -> str:
    return f"{street.kind} {street.name}"


def _score(query: str, name: str) -> int:
    low = name.lower()
    if low == query:
        return 0
    if low.startswith(query):
        return 1
    if any(word.startswith(query) for word in re.split(r"[\s\-']+", low)):
        return 2
    return 3 if query in low else 99


def search_streets(session: Session, q: str, *, limit: int = 10) -> list[StreetHit]:
    """Streets whose name or former name matches `q` (a prefix of any word ranks first); "вул." etc. are ignored."""
    query = _PREFIX.sub("", q.strip().lower()).strip()
    if not query:
        return []
    ranked: list[tuple[int, str, StreetHit]] = []
    for street in session.exec(select(Street)).all():
        score, alias = _score(query, street.name), None
        for old in street.aliases:
            alias_score = _score(query, old) + 1
            if alias_score < score:
                score, alias = alias_score, old
        if score < 99:
            hit = StreetHit(
                id=street.id or 0, kind=street.kind, name=street.name, label=_label(street), district=street.district, matched_alias=alias
            )
            ranked.append((score, street.name, hit))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [hit for _, _, hit in ranked[:limit]]


def street_buildings(session: Session, street_id: int) -> list[Building]:
    rows = session.exec(select(Building).where(Building.street_id == street_id)).all()
    return sorted(rows, key=lambda b: (int(m.group()) if (m := re.match(r"\d+", b.house)) else 10**6, b.house))


def all_streets(session: Session) -> list[Street]:
    return list(session.exec(select(Street).order_by(col(Street.name))).all())
