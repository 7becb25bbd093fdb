"""The caller card: who is calling, their open and recent appeals, last callback, flags — in one query."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy import CompoundSelect, Integer, String, and_, bindparam, cast, func, literal, null, or_, select, union_all
from sqlmodel import Session, col
from sqlmodel.sql.sqltypes import UTCDateTime

from appeals.deadlines import KYIV
from appeals.models import Appeal, Building, Call, CallbackTask, Category, Citizen, CitizenPhone, Incident, IncidentAddress, Issue
from appeals.models.enums import TERMINAL_ISSUE_STATUSES
from appeals.phones import display_phone

RECENT = 5
_CARD_STATUSES = ("registered", "closed", "consultation")


class CardCitizen(BaseModel):
    id: int
    full_name: str
    address_text: str
    is_priority: bool
    privileges: list[str]


class CardIssue(BaseModel):
    id: int
    category: str | None
    status: str
    address: str
    due_at: datetime | None
    overdue: bool


class CardAppeal(BaseModel):
    id: int
    number: str | None
    status: str
    created_at: datetime
    issues: list[CardIssue]


class CardCallback(BaseModel):
    task_id: int
    kind: str
    outcome: str | None
    at: datetime


class CardIncident(BaseModel):
    """An active mass incident at the caller's address."""

    id: int
    title: str
    notice: str
    eta_at: datetime | None


class CallerCard(BaseModel):
    """What the operator sees while the phone rings; an unknown or withheld number gives an empty card."""

    phone: str | None
    phone_display: str
    citizens: list[CardCitizen]
    open_appeals: list[CardAppeal]
    recent_appeals: list[CardAppeal]
    last_callback: CardCallback | None
    calls_today: int
    flags: dict[str, bool]
    incidents: list[CardIncident] = []


def _cols(kind: str, **given: Any) -> list[Any]:
    spec: dict[str, Any] = {
        "id": Integer(),
        "appeal_id": Integer(),
        "number": String(),
        "status": String(),
        "t1": String(),
        "t2": String(),
        "t3": String(),
        "at1": UTCDateTime(),
        "at2": UTCDateTime(),
        "n1": Integer(),
    }
    out: list[Any] = [literal(kind, String()).label("kind")]
    for name, type_ in spec.items():
        value = given.get(name)
        out.append((value if value is not None else null().cast(type_)).label(name))
    return out


def _card_query() -> CompoundSelect[Any]:
    """The card statement, built once: parameters `phone`, `day_start` and `exclude_call_id` ('' for none).

    One statement with the same text every time lets PostgreSQL reuse its plan (psycopg prepares it).
    """
    phone = bindparam("phone", type_=String())
    day_start = bindparam("day_start", type_=UTCDateTime())
    citizen_ids = select(col(CitizenPhone.citizen_id)).where(col(CitizenPhone.phone) == phone)
    candidates = union_all(
        select(col(Appeal.id).label("aid")).where(col(Appeal.caller) == phone, col(Appeal.status).in_(_CARD_STATUSES)),
        select(col(Appeal.id).label("aid")).where(col(Appeal.citizen_id).in_(citizen_ids), col(Appeal.status).in_(_CARD_STATUSES)),
    ).subquery()
    ranked = (
        select(
            col(Appeal.id).label("aid"),
            col(Appeal.number),
            col(Appeal.status),
            col(Appeal.created_at),
            func.row_number().over(order_by=col(Appeal.created_at).desc()).label("rn"),
        )
        .where(col(Appeal.id).in_(select(candidates.c.aid)))
        .subquery()
    )
    wanted = select(ranked).where(or_(ranked.c.rn <= RECENT, ranked.c.status == "registered")).subquery()
    appeals = (
        select(
            *_cols(
                "issue",
                id=col(Issue.id),
                appeal_id=wanted.c.aid,
                number=wanted.c.number,
                status=wanted.c.status,
                t1=col(Category.name),
                t2=col(Issue.status),
                t3=col(Issue.address_text),
                at1=wanted.c.created_at,
                at2=func.coalesce(col(Issue.extended_due_at), col(Issue.due_at)),
                n1=wanted.c.rn,
            )
        )
        .select_from(wanted)
        .join(Issue, col(Issue.appeal_id) == wanted.c.aid, isouter=True)
        .join(Category, col(Category.id) == Issue.category_id, isouter=True)
    )
    citizens = select(
        *_cols(
            "citizen",
            id=col(Citizen.id),
            t1=col(Citizen.full_name),
            t2=col(Citizen.address_text),
            t3=cast(col(Citizen.privileges), String()),
            n1=cast(col(Citizen.is_priority), Integer()),
        )
    ).where(col(Citizen.id).in_(citizen_ids))
    last_cb = (
        select(col(CallbackTask.id), col(CallbackTask.kind), col(CallbackTask.outcome), col(CallbackTask.updated_at))
        .where(or_(col(CallbackTask.phone) == phone, col(CallbackTask.citizen_id).in_(citizen_ids)), col(CallbackTask.attempts) > 0)
        .order_by(col(CallbackTask.updated_at).desc())
        .limit(1)
        .subquery()
    )
    callback = select(*_cols("callback", id=last_cb.c.id, t1=last_cb.c.kind, t2=last_cb.c.outcome, at1=last_cb.c.updated_at))
    today = and_(
        col(Call.caller) == phone, col(Call.started_at) >= day_start, col(Call.call_id) != bindparam("exclude_call_id", type_=String())
    )
    calls = select(*_cols("calls", n1=func.count())).select_from(Call).where(today)
    at_home = and_(
        col(Building.id).in_(select(col(Citizen.building_id)).where(col(Citizen.id).in_(citizen_ids))),
        or_(
            col(IncidentAddress.building_id) == Building.id,
            and_(col(IncidentAddress.building_id).is_(None), col(IncidentAddress.street_id) == Building.street_id),
        ),
    )
    incidents = (
        select(*_cols("incident", id=col(Incident.id), t1=col(Incident.title), t2=col(Incident.public_notice), at1=col(Incident.eta_at)))
        .select_from(Incident)
        .join(IncidentAddress, col(IncidentAddress.incident_id) == Incident.id)
        .join(Building, at_home)
        .where(col(Incident.status) == "active")
    )
    return union_all(citizens, appeals, callback, calls, incidents)


_CARD = _card_query()


def lookup_caller(session: Session, phone: str | None, *, now: datetime, exclude_call_id: str | None = None) -> CallerCard:
    """The card for an E.164 number (None → empty card), built from a single SQL statement."""
    empty = CallerCard(
        phone=phone,
        phone_display=display_phone(phone),
        citizens=[],
        open_appeals=[],
        recent_appeals=[],
        last_callback=None,
        calls_today=0,
        flags={"privileged": False, "called_today": False, "known": False},
    )
    if not phone:
        return empty
    day_start = datetime.combine(now.astimezone(KYIV).date(), time.min, tzinfo=KYIV)
    rows = session.execute(_CARD, {"phone": phone, "day_start": day_start, "exclude_call_id": exclude_call_id or ""}).all()
    appeals: dict[int, tuple[int, CardAppeal]] = {}
    for row in rows:
        if row.kind == "citizen":
            empty.citizens.append(
                CardCitizen(
                    id=row.id,
                    full_name=row.t1 or "",
                    address_text=row.t2 or "",
                    is_priority=bool(row.n1),
                    privileges=json.loads(row.t3 or "[]"),
                )
            )
        elif row.kind == "callback" and row.id is not None:
            empty.last_callback = CardCallback(task_id=row.id, kind=row.t1, outcome=row.t2, at=row.at1)
        elif row.kind == "calls":
            empty.calls_today = int(row.n1 or 0)
        elif row.kind == "incident" and all(i.id != row.id for i in empty.incidents):
            empty.incidents.append(CardIncident(id=row.id, title=row.t1 or "", notice=row.t2 or "", eta_at=row.at1))
        elif row.kind == "issue":
            _, appeal = appeals.setdefault(
                row.appeal_id, (row.n1, CardAppeal(id=row.appeal_id, number=row.number, status=row.status, created_at=row.at1, issues=[]))
            )
            if row.id is not None:
                overdue = row.at2 is not None and row.t2 not in TERMINAL_ISSUE_STATUSES and now > row.at2
                appeal.issues.append(
                    CardIssue(id=row.id, category=row.t1, status=row.t2, address=row.t3 or "", due_at=row.at2, overdue=overdue)
                )
    ordered = sorted(appeals.values(), key=lambda pair: pair[0])
    empty.open_appeals = [a for _, a in ordered if a.status == "registered"]
    empty.recent_appeals = [a for rank, a in ordered if rank <= RECENT]
    empty.flags = {
        "known": bool(empty.citizens or appeals),
        "privileged": any(c.is_priority for c in empty.citizens),
        "called_today": empty.calls_today > 0,
        "has_overdue": any(i.overdue for a in empty.open_appeals for i in a.issues),
        "incident": bool(empty.incidents),
    }
    return empty
