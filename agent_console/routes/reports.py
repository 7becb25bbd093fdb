"""Staff reports: the catalogue, each report as JSON or an HTML fragment, CSV/XLSX export (audited), and the page shells."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from agent_console.reports_pages.export import XLSX_TYPE, to_csv, to_xlsx
from agent_console.reports_pages.render import render, report_fragment
from appeals.deadlines import KYIV
from appeals.errors import NotFoundError
from appeals.history import record_audit
from appeals.models import Channel
from appeals.reports.catalog import REPORTS, ReportOptions, build_report
from appeals.reports.labels import CHANNEL
from appeals.reports.model import Report
from appeals.reports.scope import ReportFilter

logger = logging.getLogger(__name__)
router = APIRouter(tags=["reports"])


class ReportInfo(BaseModel):
    key: str
    title: str
    summary: str
    uses_period: bool


def report_filter(
    now: NowDep,
    start: date | None = None,
    end: date | None = None,
    channel: Channel | None = None,
    category_id: int | None = None,
    executor_id: int | None = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    priority: bool | None = None,
) -> ReportFilter:
    """The filters from the query string; the period defaults to the current month up to today (Kyiv)."""
    today = now.astimezone(KYIV).date()
    start = start or (end or today).replace(day=1)
    end = end or max(start, today)
    return ReportFilter(
        start=start,
        end=end,
        channel=channel,
        category_id=category_id,
        executor_id=executor_id,
        district=district or None,
        priority=priority,
    )


FilterDep = Annotated[ReportFilter, Depends(report_filter)]


def _build(request: Request, key: str, session: SessionDep, flt: ReportFilter, now: datetime) -> Report:
    options = ReportOptions(service_level_seconds=request.app.state.service_level_seconds)
    return build_report(key, session, flt, now=now, options=options)


@router.get("/api/reports")
def catalogue() -> list[ReportInfo]:
    return [ReportInfo(key=s.key, title=s.title, summary=s.summary, uses_period=s.uses_period) for s in REPORTS.values()]


@router.get("/api/reports/{key}")
def report_json(key: str, request: Request, session: SessionDep, flt: FilterDep, now: NowDep) -> Response:
    """The report: definitions, tables (rows and a total), chart series."""
    return JSONResponse(jsonable_encoder(asdict(_build(request, key, session, flt, now))))


@router.get("/api/reports/{key}/html")
def report_html(key: str, request: Request, session: SessionDep, flt: FilterDep, now: NowDep) -> HTMLResponse:
    """The report body as HTML (definitions, SVG charts, tables) for the report page."""
    return HTMLResponse(report_fragment(_build(request, key, session, flt, now)))


def _export(
    request: Request, key: str, fmt: str, session: SessionDep, flt: ReportFilter, now: datetime, actor: ActorDep, table: str | None
) -> Response:
    report = _build(request, key, session, flt, now)
    if table and table not in {t.key for t in report.tables}:
        raise NotFoundError("report_table", table)
    body, media = (to_csv(report, table), "text/csv; charset=utf-8") if fmt == "csv" else (to_xlsx(report), XLSX_TYPE)
    record_audit(
        session,
        actor,
        "export",
        "report",
        key,
        now=now,
        detail={"format": fmt, "table": table, "start": flt.start.isoformat(), "end": flt.end.isoformat()},
    )
    session.commit()
    logger.info("report exported", extra={"event_data": {"report": key, "format": fmt, "user_id": actor.user_id}})
    name = f"{key}_{flt.start.isoformat()}_{flt.end.isoformat()}" + (f"_{table}" if table else "") + f".{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/reports/{key}/export.csv")
def export_csv(
    key: str, request: Request, session: SessionDep, flt: FilterDep, now: NowDep, actor: ActorDep, table: str | None = None
) -> Response:
    """One table as CSV (UTF-8 with BOM): the first unless `table` names another."""
    return _export(request, key, "csv", session, flt, now, actor, table)


@router.get("/api/reports/{key}/export.xlsx")
def export_xlsx(key: str, request: Request, session: SessionDep, flt: FilterDep, now: NowDep, actor: ActorDep) -> Response:
    """Every table as a sheet, plus a sheet with the definitions."""
    return _export(request, key, "xlsx", session, flt, now, actor, None)


def _page(key: str | None, now: datetime) -> HTMLResponse:
    spec = REPORTS.get(key) if key else None
    if key and spec is None:
        raise NotFoundError("report", key)
    today = now.astimezone(KYIV).date()
    html = render(
        "report_page.html",
        spec=spec,
        reports=list(REPORTS.values()),
        channels=list(CHANNEL.items()),
        start=today.replace(day=1).isoformat(),
        end=today.isoformat(),
    )
    return HTMLResponse(html)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(now: NowDep) -> HTMLResponse:
    """The reports page shell: it holds no data and signs the user in; the figures come from /api/reports."""
    return _page(None, now)


@router.get("/reports/{key}", response_class=HTMLResponse)
def report_page(key: str, now: NowDep) -> HTMLResponse:
    return _page(key, now)
