"""What the IVR plays before the queue: whether the center is open (work calendar and hours), and the notice of
a mass incident at the caller's address (or one announced to every caller)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from pydantic import BaseModel
from sqlmodel import Session, col, select

from appeals.deadlines import KYIV
from appeals.incidents import incidents_at_buildings
from appeals.models import Citizen, CitizenPhone, Incident, IncidentStatus
from appeals.phones import try_normalize_phone
from appeals.workcalendar import load_calendar


@dataclass(frozen=True)
class CenterHours:
    opens: time
    closes: time
    open_days_off: bool = False

    @classmethod
    def parse(cls, text: str, *, open_days_off: bool = False) -> CenterHours:
        """`08:00-20:00` (24:00 means midnight)."""
        start, end = text.split("-")
        closes = time.max if end == "24:00" else time.fromisoformat(end)
        return cls(time.fromisoformat(start), closes, open_days_off)


class IvrNotice(BaseModel):
    open: bool
    incident_id: int | None = None
    notice: str = ""
    prompt: str | None = None
    eta: datetime | None = None


def center_open(session: Session, now: datetime, hours: CenterHours) -> bool:
    local = now.astimezone(KYIV)
    working = hours.open_days_off or load_calendar(session).is_working(local.date())
    return working and hours.opens <= local.time() < hours.closes


def _incident_for(session: Session, caller: str | None) -> Incident | None:
    phone = try_normalize_phone(caller) if caller else None
    if phone:
        buildings = session.exec(
            select(Citizen.building_id)
            .join(CitizenPhone, col(CitizenPhone.citizen_id) == Citizen.id)
            .where(CitizenPhone.phone == phone, col(Citizen.building_id).is_not(None))
        ).all()
        found = incidents_at_buildings(session, [b for b in buildings if b is not None])
        if found:
            return found[0]
    return session.exec(
        select(Incident)
        .where(Incident.status == IncidentStatus.active, col(Incident.announce_all).is_(True))
        .order_by(col(Incident.started_at).desc())
    ).first()


def ivr_notice(session: Session, *, caller: str | None, now: datetime, hours: CenterHours) -> IvrNotice:
    """The answer for the dialplan (the caller's number is used only to find their address)."""
    incident = _incident_for(session, caller)
    if incident is None:
        return IvrNotice(open=center_open(session, now, hours))
    return IvrNotice(
        open=center_open(session, now, hours),
        incident_id=incident.id,
        notice=incident.public_notice or incident.title,
        prompt=incident.ivr_prompt,
        eta=incident.eta_at,
    )
