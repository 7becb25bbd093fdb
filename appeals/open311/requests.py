"""Public service requests: issues of registered appeals with public fields only (never names, phones, flats or free text)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from appeals.deadlines import KYIV
from appeals.errors import DomainValidationError, NotFoundError
from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, AppealStatus, Building, Category, Executor, Issue, Street
from appeals.reports.labels import ISSUE_STATUS
from appeals.views import format_address

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
_PUBLIC_APPEALS = (AppealStatus.registered.value, AppealStatus.closed.value)


@dataclass(frozen=True)
class RequestQuery:
    """GET requests filters (GeoReport v2): ids override everything else."""

    ids: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the Kyiv offset, as the spec's w3 note requires (timezone always present)."""
    return None if moment is None else moment.astimezone(KYIV).isoformat(timespec="seconds")


def _parse_time(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise DomainValidationError(
            f"{name} must be a w3 datetime such as 2026-11-01T00:00:00Z", code="bad_date", fields={name: "not a w3 datetime"}
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=KYIV)


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def parse_request_query(params: Mapping[str, str], *, now: datetime) -> RequestQuery:
    """The filters of GET requests; a missing range is the last 90 days, a longer one is refused.

    Raises:
        DomainValidationError: a malformed id, date or status, or a range over 90 days (every problem named in `fields`).
    """
    problems: dict[str, str] = {}
    ids: list[int] = []
    for part in _split(params.get("service_request_id")):
        if part.isdigit():
            ids.append(int(part))
        else:
            problems["service_request_id"] = f"'{part}' is not a service request id"
    if len(ids) > MAX_RESULTS:
        problems["service_request_id"] = f"at most {MAX_RESULTS} ids at once"
    statuses = set(_split(params.get("status")))
    if statuses - {"open", "closed"}:
        problems["status"] = "status is open or closed"
    start = end = None
    try:
        start = _parse_time("start_date", params["start_date"]) if params.get("start_date") else None
        end = _parse_time("end_date", params["end_date"]) if params.get("end_date") else None
    except DomainValidationError as exc:
        problems.update(exc.fields)
    if not problems and not ids:
        end = end or (start + MAX_SPAN if start else now)
        start = start or end - MAX_SPAN
        if end < start:
            problems["end_date"] = "end_date is before start_date"
        elif end - start > MAX_SPAN:
            problems["start_date"] = "the range may not span more than 90 days"
    if problems:
        first = next(iter(problems.items()))
        raise DomainValidationError(f"{first[0]}: {first[1]}", code="bad_request", fields=problems)
    return RequestQuery(tuple(ids), tuple(_split(params.get("service_code"))), start, end, frozenset(statuses))


def _base() -> Any:
    return (
        select(Issue, Appeal, Category, Executor, Building, Street)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .join(Category, col(Category.id) == Issue.category_id)
        .join(Executor, col(Executor.id) == Issue.executor_id, isouter=True)
        .join(Building, col(Building.id) == Issue.building_id, isouter=True)
        .join(Street, col(Street.id) == Issue.street_id, isouter=True)
        .where(col(Appeal.status).in_(_PUBLIC_APPEALS), col(Issue.registered_at).is_not(None))
    )


def find_requests(session: Session, query: RequestQuery) -> list[dict[str, Any]]:
    """Matching requests, newest first, at most 1000."""
    stmt = _base()
    if query.ids:
        stmt = stmt.where(col(Issue.id).in_(query.ids))
    else:
        if query.codes:
            stmt = stmt.where(col(Category.code).in_(query.codes))
        if query.start is not None and query.end is not None:
            stmt = stmt.where(col(Appeal.received_at) >= query.start, col(Appeal.received_at) <= query.end)
        terminal = [s.value for s in TERMINAL_ISSUE_STATUSES]
        if query.statuses == {"open"}:
            stmt = stmt.where(col(Issue.status).not_in(terminal))
        elif query.statuses == {"closed"}:
            stmt = stmt.where(col(Issue.status).in_(terminal))
    rows = session.execute(stmt.order_by(col(Appeal.received_at).desc(), col(Issue.id).desc()).limit(MAX_RESULTS)).all()
    return [public_request(*row) for row in rows]


def get_request(session: Session, request_id: str) -> dict[str, Any]:
    """One public request.

    Raises:
        NotFoundError: no such request, or not public (a draft, a consultation).
    """
    if not (request_id.isascii() and request_id.isdigit() and len(request_id) <= 18):  # '²'.isdigit() is True; ids fit 64 bits
        raise NotFoundError("service_request", request_id)
    row = session.execute(_base().where(Issue.id == int(request_id))).first()
    if row is None:
        raise NotFoundError("service_request", request_id)
    return public_request(*row)


def public_request(
    issue: Issue, appeal: Appeal, category: Category, executor: Executor | None, building: Building | None, street: Street | None
) -> dict[str, Any]:
    """The GeoReport fields of an issue. Where a category is about a person (no public place), no location is given."""
    closed = issue.status in TERMINAL_ISSUE_STATUSES
    notes = ISSUE_STATUS.get(issue.status.value, issue.status.value)
    if issue.forward_to and issue.status.value == "forwarded_out":
        notes = f"{notes}: {issue.forward_to}"
    place = category.requires_address
    address = format_address(street, building.house if building else None, None, "") if place and street else None
    return {
        "service_request_id": str(issue.id),
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": category.name,
        "service_code": category.code,
        "description": None,
        "agency_responsible": (executor.short_name or executor.name) if executor else None,
        "service_notice": category.public_notice or None,
        "requested_datetime": w3c(appeal.received_at),
        "updated_datetime": w3c(issue.closed_at if closed and issue.closed_at else issue.updated_at),
        "expected_datetime": w3c(issue.extended_due_at or issue.due_at),
        "address": address or (issue.district if place else None),
        "address_id": str(building.id) if place and building else None,
        "zipcode": None,
        "lat": building.lat if place and building else None,
        "long": building.lon if place and building else None,
        "media_url": None,
    }
