"""Citizens and their numbers: find by phone, create, update, match an applicant at registration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import DomainValidationError, NotFoundError
from appeals.history import record_audit
from appeals.models import FIRST_HEAD_PRIVILEGES, Building, Citizen, CitizenPhone, Privilege
from appeals.phones import normalize_phone


def privilege_flags(privileges: Iterable[str]) -> tuple[bool, bool]:
    """(is_priority, requires_first_head) for a set of privilege codes (art. 20; arts. 14–15)."""
    values = set(privileges)
    unknown = values - {p.value for p in Privilege}
    if unknown:
        raise DomainValidationError(
            f"Невідомі пільгові категорії: {', '.join(sorted(unknown))}", code="privilege_unknown", fields={"privileges": "unknown"}
        )
    return bool(values), bool(values & {p.value for p in FIRST_HEAD_PRIVILEGES})


def citizens_by_phone(session: Session, phone: str) -> list[Citizen]:
    """Every citizen who has this E.164 number (a shared landline may have several)."""
    return list(
        session.exec(
            select(Citizen)
            .join(CitizenPhone, col(CitizenPhone.citizen_id) == Citizen.id)
            .where(CitizenPhone.phone == phone)
            .order_by(col(Citizen.id))
        ).all()
    )


def phones_of(session: Session, citizen_id: int) -> list[str]:
    return list(session.exec(select(CitizenPhone.phone).where(CitizenPhone.citizen_id == citizen_id).order_by(col(CitizenPhone.id))).all())


def add_phone(session: Session, citizen_id: int, phone: str, label: str = "") -> None:
    """Attach a number to a citizen unless it is already there."""
    exists = session.exec(select(CitizenPhone.id).where(CitizenPhone.citizen_id == citizen_id, CitizenPhone.phone == phone)).first()
    if exists is None:
        session.add(CitizenPhone(citizen_id=citizen_id, phone=phone, label=label))


def _check_building(session: Session, building_id: object) -> None:
    if building_id is not None and (not isinstance(building_id, int) or session.get(Building, building_id) is None):
        raise DomainValidationError(
            f"Будинку {building_id} немає в довіднику адрес", code="building_unknown", fields={"building_id": "unknown"}
        )


def create_citizen(
    session: Session,
    *,
    full_name: str,
    phones: Iterable[str] = (),
    email: str | None = None,
    address_text: str = "",
    building_id: int | None = None,
    flat: str | None = None,
    privileges: Iterable[str] = (),
    now: datetime,
) -> Citizen:
    """A new citizen with normalized numbers (flushed, not committed: the caller's transaction decides)."""
    privilege_list = sorted(set(privileges))
    is_priority, first_head = privilege_flags(privilege_list)
    citizen = Citizen(
        full_name=full_name.strip(),
        email=email,
        address_text=address_text.strip(),
        building_id=building_id,
        flat=flat,
        privileges=privilege_list,
        is_priority=is_priority,
        requires_first_head=first_head,
        created_at=now,
        updated_at=now,
    )
    _check_building(session, building_id)
    session.add(citizen)
    session.flush()
    assert citizen.id is not None  # noqa: S101 - flushed rows have ids
    for raw in phones:
        number = normalize_phone(raw)
        if number:
            add_phone(session, citizen.id, number)
    return citizen


def update_citizen(session: Session, citizen_id: int, changes: dict[str, object], *, actor: Actor, now: datetime) -> Citizen:
    """Apply field changes (phones replace the list); privileges recompute the priority flags."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError("citizen", citizen_id)
    phones = changes.pop("phones", None)
    if "full_name" in changes and not changes["full_name"]:
        raise DomainValidationError("Вкажіть ПІБ громадянина", code="name_required", fields={"full_name": "required"})
    for name, empty in (("address_text", ""), ("privileges", [])):  # an explicit null clears these (the columns are NOT NULL)
        if name in changes and changes[name] is None:
            changes[name] = empty
    if "building_id" in changes:
        _check_building(session, changes["building_id"])
    for name, value in changes.items():
        setattr(citizen, name, value)
    if "privileges" in changes:
        citizen.privileges = sorted(set(citizen.privileges))
        citizen.is_priority, citizen.requires_first_head = privilege_flags(citizen.privileges)
    if isinstance(phones, list):
        wanted = [n for n in (normalize_phone(str(p)) for p in phones) if n]
        for row in session.exec(select(CitizenPhone).where(CitizenPhone.citizen_id == citizen_id)).all():
            if row.phone not in wanted:
                session.delete(row)
        session.flush()
        for number in wanted:
            add_phone(session, citizen_id, number)
    citizen.updated_at = now
    session.add(citizen)
    record_audit(
        session,
        actor,
        "update",
        "citizen",
        citizen_id,
        now=now,
        pii=True,
        detail={"fields": sorted(changes) + (["phones"] if phones is not None else [])},
    )
    session.commit()
    session.refresh(citizen)
    return citizen


def match_applicant(session: Session, *, phone: str | None, full_name: str) -> Citizen | None:
    """The citizen on this number with the same name (case-insensitive), if any."""
    if not phone or not full_name.strip():
        return None
    wanted = " ".join(full_name.split()).lower()
    for citizen in citizens_by_phone(session, phone):
        if " ".join(citizen.full_name.split()).lower() == wanted:
            return citizen
    return None


def search_citizens(session: Session, q: str, *, limit: int = 20) -> list[Citizen]:
    """Citizens whose name contains `q`, or who have the number `q`."""
    try:
        number = normalize_phone(q)
    except DomainValidationError:
        number = None
    if number:
        return citizens_by_phone(session, number)[:limit]
    pattern = f"%{q.strip().lower()}%"
    return list(
        session.exec(select(Citizen).where(func.lower(Citizen.full_name).like(pattern)).order_by(col(Citizen.full_name)).limit(limit)).all()
    )
