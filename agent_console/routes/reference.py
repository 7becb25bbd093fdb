"""Reference data: categories, executors, routing rules, streets and buildings, the work calendar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals import catalog
from appeals.deadlines import KYIV
from appeals.gazetteer import StreetHit, search_streets, street_buildings
from appeals.models import Building, Category, Executor, RoutingRule, WorkCalendarDay
from appeals.routing import resolve_executor
from appeals.workcalendar import clear_day, list_overrides, load_calendar, set_day

router = APIRouter(tags=["reference"])


class DayOut(BaseModel):
    day: date
    is_working: bool
    note: str
    override: bool


class DayIn(BaseModel):
    is_working: bool
    note: str = Field(default="", max_length=200)


class ResolveOut(BaseModel):
    executor: Executor | None


@router.get("/api/categories")
def categories(session: SessionDep, include_inactive: bool = False) -> list[Category]:
    """The category tree as a flat list (parent_id links), in display order."""
    return catalog.list_categories(session, include_inactive=include_inactive)


@router.post("/api/categories", status_code=201)
def create_category(body: catalog.CategoryIn, session: SessionDep, actor: ActorDep, now: NowDep) -> Category:
    return catalog.create_category(session, body, actor=actor, now=now)


@router.patch("/api/categories/{category_id}")
def update_category(category_id: int, body: catalog.CategoryPatch, session: SessionDep, actor: ActorDep, now: NowDep) -> Category:
    return catalog.update_category(session, category_id, body, actor=actor, now=now)


@router.get("/api/executors")
def executors(session: SessionDep) -> list[Executor]:
    return catalog.list_executors(session)


@router.post("/api/executors", status_code=201)
def create_executor(body: catalog.ExecutorIn, session: SessionDep, actor: ActorDep, now: NowDep) -> Executor:
    return catalog.create_executor(session, body, actor=actor, now=now)


@router.patch("/api/executors/{executor_id}")
def update_executor(executor_id: int, body: catalog.ExecutorPatch, session: SessionDep, actor: ActorDep, now: NowDep) -> Executor:
    return catalog.update_executor(session, executor_id, body, actor=actor, now=now)


@router.get("/api/routing-rules")
def routing_rules(session: SessionDep, category_id: int | None = None) -> list[RoutingRule]:
    return catalog.list_rules(session, category_id)


@router.post("/api/routing-rules", status_code=201)
def create_rule(body: catalog.RoutingRuleIn, session: SessionDep, actor: ActorDep, now: NowDep) -> RoutingRule:
    return catalog.create_rule(session, body, actor=actor, now=now)


@router.delete("/api/routing-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    catalog.delete_rule(session, rule_id, actor=actor, now=now)
    return Response(status_code=204)


@router.get("/api/routing/resolve")
def resolve(category_id: int, session: SessionDep, building_id: int | None = None, district: str | None = None) -> ResolveOut:
    """Which executor the rules pick for a category at an address (what registration will propose)."""
    if building_id is not None and district is None:
        building = session.get(Building, building_id)
        district = building.district if building else None
    return ResolveOut(executor=resolve_executor(session, category_id, building_id=building_id, district=district))


@router.get("/api/streets")
def streets(
    q: Annotated[str, Query(min_length=1, max_length=100)], session: SessionDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[StreetHit]:
    """Street autocomplete over current and former names (`вул.`, `просп.` prefixes ignored)."""
    return search_streets(session, q, limit=limit)


@router.get("/api/streets/{street_id}/buildings")
def buildings(street_id: int, session: SessionDep) -> list[Building]:
    return street_buildings(session, street_id)


@router.get("/api/calendar")
def calendar(session: SessionDep, now: NowDep, start: date | None = None, end: date | None = None) -> list[DayOut]:
    """Every day of the range (default: this month and the next two) with whether it is a working day."""
    start = start or now.astimezone(KYIV).date().replace(day=1)
    end = end or start + timedelta(days=90)
    if end < start or (end - start).days > 400:
        from appeals.errors import DomainValidationError

        raise DomainValidationError("The range must be forward and at most 400 days", code="range_invalid", fields={"end": "invalid"})
    cal = load_calendar(session)
    notes = {row.day: row for row in list_overrides(session, start, end)}
    return [
        DayOut(day=d, is_working=cal.is_working(d), note=notes[d].note if d in notes else "", override=d in notes)
        for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
    ]


@router.put("/api/calendar/{day}")
def put_day(day: date, body: DayIn, session: SessionDep, actor: ActorDep, now: NowDep) -> WorkCalendarDay:
    return set_day(session, day, is_working=body.is_working, note=body.note, actor=actor, now=now)


@router.delete("/api/calendar/{day}", status_code=204)
def delete_day(day: date, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    clear_day(session, day, actor=actor, now=now)
    return Response(status_code=204)
