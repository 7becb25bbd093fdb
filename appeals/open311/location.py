"""Where an Open311 request is: a gazetteer building by id, the nearest building to a point, or a typed address."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from appeals.gazetteer import search_streets
from appeals.models import Building

NEAREST_METRES = 150.0
_EARTH_METRES = 6_371_000.0


@dataclass(frozen=True)
class Place:
    building_id: int | None
    address_text: str


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_METRES * math.asin(math.sqrt(a))


def nearest_building(session: Session, lat: float, lon: float, *, within: float = NEAREST_METRES) -> Building | None:
    """The gazetteer building closest to the point, if one is within `within` metres."""
    box = within / 111_000.0 * 2
    candidates = session.exec(
        select(Building).where(
            col(Building.lat).is_not(None),
            col(Building.lat).between(lat - box, lat + box),
            col(Building.lon).between(lon - box * 2, lon + box * 2),
        )
    ).all()
    ranked = sorted((distance_m(lat, lon, b.lat or 0.0, b.lon or 0.0), b.id or 0, b) for b in candidates)
    return ranked[0][2] if ranked and ranked[0][0] <= within else None


def match_address(session: Session, text: str) -> Building | None:
    """`вул. Київська, 12` → that building, when the street is unambiguous and the house is in the gazetteer."""
    street_part, _, rest = text.partition(",")
    house = re.match(r"\s*(?:буд\.?\s*)?([0-9]+[0-9А-ЯҐЄІЇа-яґєії/\-]*)", rest)
    hits = search_streets(session, street_part, limit=2)
    if not house or not hits or (len(hits) > 1 and hits[0].name.lower() == hits[1].name.lower()):
        return None
    return session.exec(select(Building).where(Building.street_id == hits[0].id, col(Building.house).ilike(house.group(1)))).first()


def resolve_place(session: Session, *, building_id: int | None, lat: float | None, lon: float | None, address: str) -> Place:
    """The building the request is about, or a free-text address an operator can refine."""
    if building_id is not None:
        return Place(building_id, "")
    if lat is not None and lon is not None:
        near = nearest_building(session, lat, lon)
        if near is not None:
            return Place(near.id, "")
        return Place(None, ", ".join(p for p in (address.strip(), f"{lat:.6f}, {lon:.6f}") if p))
    matched = match_address(session, address) if address.strip() else None
    return Place(matched.id, "") if matched is not None else Place(None, address.strip())
