"""Public pages without sign-in: the statistics page (aggregates only) and the status lookup (number + phone ending)."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from agent_console.deps import NowDep, SessionDep
from agent_console.reports_pages.render import render
from appeals.deadlines import KYIV
from appeals.errors import AppealsError, DomainValidationError
from appeals.reports.model import Report
from appeals.reports.public import public_statistics
from appeals.reports.scope import month_filter
from appeals.status_lookup import AppealStatusView, lookup_status

logger = logging.getLogger(__name__)
router = APIRouter(tags=["public"])
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StatusQuery(BaseModel):
    number: str = Field(min_length=3, max_length=40)
    phone_last4: str = Field(min_length=4, max_length=4)


def _statistics(request: Request, session: Session, month: str | None, now: datetime) -> tuple[Report, str]:
    today = now.astimezone(KYIV).date()
    match = _MONTH.match(month or "")
    year, number = (int(match.group(1)), int(match.group(2))) if match else (today.year, today.month)
    if not 1 <= number <= 12 or not 2000 <= year <= today.year + 1:
        raise DomainValidationError("month is YYYY-MM, e.g. 2026-11", code="month_invalid", fields={"month": "YYYY-MM"})
    flt = month_filter(year, number)
    report = public_statistics(session, flt, now=now, service_level_seconds=request.app.state.service_level_seconds)
    return report, f"{year:04d}-{number:02d}"


@router.get("/stats", response_class=HTMLResponse)
def statistics_page(request: Request, session: SessionDep, now: NowDep, month: str | None = None) -> HTMLResponse:
    """The month's figures for citizens and journalists (`?month=2026-11`; the current month by default)."""
    report, shown = _statistics(request, session, month, now)
    return HTMLResponse(render("public_stats.html", report=report, month=shown, generated=now))


@router.get("/api/public/stats")
def statistics_json(request: Request, session: SessionDep, now: NowDep, month: str | None = None) -> JSONResponse:
    report, _ = _statistics(request, session, month, now)
    return JSONResponse(jsonable_encoder(asdict(report)))


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _lookup(session: Session, number: str, last4: str, client: str | None, now: datetime) -> AppealStatusView:
    try:
        return lookup_status(session, number, last4, client=client, now=now)
    except AppealsError as exc:
        if exc.kind == "throttled":
            logger.warning("status lookup throttled", extra={"event_data": {"client": client}})
        raise


@router.post("/api/public/status")
def status_json(body: StatusQuery, request: Request, session: SessionDep, now: NowDep) -> AppealStatusView:
    """The public status of an appeal; failures are throttled per address and per number (429 when locked)."""
    return _lookup(session, body.number, body.phone_last4, _client(request), now)


@router.get("/status", response_class=HTMLResponse)
def status_page() -> HTMLResponse:
    return HTMLResponse(render("status.html", number="", result=None, error=None))


@router.post("/status", response_class=HTMLResponse)
def status_form(
    request: Request,
    session: SessionDep,
    now: NowDep,
    number: Annotated[str, Form(max_length=40)] = "",
    phone_last4: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """The form post: the same lookup, answered as a page (the digits never appear in a URL)."""
    try:
        result = _lookup(session, number, phone_last4, _client(request), now)
    except AppealsError as exc:
        status = 429 if exc.kind == "throttled" else 404 if exc.kind == "not_found" else 422
        return HTMLResponse(render("status.html", number=number, result=None, error=exc.message), status_code=status)
    return HTMLResponse(render("status.html", number=result.number, result=result, error=None))
