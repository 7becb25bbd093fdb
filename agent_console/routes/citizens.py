"""Citizens and the caller-card lookup by phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.card import CallerCard, lookup_caller
from appeals.citizens import create_citizen, phones_of, search_citizens, update_citizen
from appeals.errors import NotFoundError
from appeals.history import record_audit
from appeals.models import Citizen
from appeals.phones import display_phone, normalize_phone
from appeals.schemas import CitizenIn, CitizenPublic, CitizenUpdate

router = APIRouter(tags=["citizens"])


def _public(session: SessionDep, citizen: Citizen) -> CitizenPublic:
    phones = phones_of(session, citizen.id or 0)
    return CitizenPublic(
        id=citizen.id or 0,
        full_name=citizen.full_name,
        phones=phones,
        phones_display=[display_phone(p) for p in phones],
        email=citizen.email,
        address_text=citizen.address_text,
        building_id=citizen.building_id,
        flat=citizen.flat,
        privileges=citizen.privileges,
        is_priority=citizen.is_priority,
        requires_first_head=citizen.requires_first_head,
    )


@router.get("/api/citizens/lookup")
def lookup(
    phone: Annotated[str, Query(min_length=1, max_length=40)], session: SessionDep, actor: ActorDep, now: NowDep, call_id: str | None = None
) -> CallerCard:
    """The caller card for a number (any common format); a withheld number gives an empty card."""
    number = normalize_phone(phone)
    card = lookup_caller(session, number, now=now, exclude_call_id=call_id)
    record_audit(session, actor, "lookup", "citizen", now=now, pii=True, detail={"citizens": [c.id for c in card.citizens]})
    session.commit()
    return card


@router.get("/api/citizens")
def search(
    q: Annotated[str, Query(min_length=2, max_length=200)], session: SessionDep, actor: ActorDep, now: NowDep
) -> list[CitizenPublic]:
    rows = search_citizens(session, q)
    record_audit(session, actor, "search", "citizen", now=now, pii=True, detail={"count": len(rows)})
    session.commit()
    return [_public(session, c) for c in rows]


@router.post("/api/citizens", status_code=201)
def create(body: CitizenIn, session: SessionDep, actor: ActorDep, now: NowDep) -> CitizenPublic:
    citizen = create_citizen(
        session,
        full_name=body.full_name,
        phones=body.phones,
        email=body.email,
        address_text=body.address_text,
        building_id=body.building_id,
        flat=body.flat,
        privileges=[p.value for p in body.privileges],
        now=now,
    )
    record_audit(session, actor, "create", "citizen", citizen.id, now=now, pii=True)
    session.commit()
    session.refresh(citizen)
    return _public(session, citizen)


@router.get("/api/citizens/{citizen_id}")
def read(citizen_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> CitizenPublic:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError("citizen", citizen_id)
    record_audit(session, actor, "read", "citizen", citizen_id, now=now, pii=True)
    session.commit()
    return _public(session, citizen)


@router.patch("/api/citizens/{citizen_id}")
def update(citizen_id: int, body: CitizenUpdate, session: SessionDep, actor: ActorDep, now: NowDep) -> CitizenPublic:
    changes = body.model_dump(exclude_unset=True)
    if "privileges" in changes and changes["privileges"] is not None:
        changes["privileges"] = [str(p) for p in changes["privileges"]]
    return _public(session, update_citizen(session, citizen_id, changes, actor=actor, now=now))
