"""Open311 GeoReport v2 at /open311/v2 (JSON and XML): services, service definitions, requests; filing needs an api_key."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from agent_console.deps import NowDep, SessionDep
from agent_console.open311_format import errors, render
from appeals.errors import AppealsError, DomainValidationError, NotFoundError
from appeals.open311.intake import file_request
from appeals.open311.requests import find_requests, get_request, parse_request_query
from appeals.open311.services import list_services, service_definition

logger = logging.getLogger(__name__)
router = APIRouter(tags=["open311"])
_STATUS = {"not_found": 404, "forbidden": 403, "unauthorized": 403}


def _error(fmt: str, exc: AppealsError) -> Response:
    status = _STATUS.get(exc.kind, 400)
    if isinstance(exc, DomainValidationError) and exc.fields:
        return errors(fmt, status, [(status, f"{field}: {text}") for field, text in exc.fields.items()])
    if isinstance(exc, NotFoundError):
        return errors(fmt, status, [(status, f"{exc.entity} '{exc.key}' was not found")])
    return errors(fmt, status, [(status, exc.message)])


def _guarded(request: Request, fmt: str, produce: Callable[[], Response]) -> Response:
    """Check the jurisdiction, then answer; domain errors become GeoReport errors in the same format."""
    try:
        wanted = request.app.state.open311_jurisdiction
        given = request.query_params.get("jurisdiction_id")
        if wanted and given and given.strip() != wanted:
            raise NotFoundError("jurisdiction", given)
        return produce()
    except AppealsError as exc:
        return _error(fmt, exc)


def _discovery(request: Request, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    body = {
        "changeset": "2026-11-28T00:00:00+02:00",
        "contact": "Контактний центр міської ради",
        "key_service": "Ключ для подання звернень видає адміністратор контакт-центру",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-28T00:00:00+02:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, "discovery", body)


def _services(request: Request, session: Session, fmt: str) -> Response:
    return _guarded(request, fmt, lambda: render(fmt, "services", list_services(session)))


def _definition(request: Request, session: Session, service_code: str, fmt: str) -> Response:
    return _guarded(request, fmt, lambda: render(fmt, "service_definition", service_definition(session, service_code)))


def _requests(request: Request, session: Session, now: datetime, fmt: str) -> Response:
    def produce() -> Response:
        query = parse_request_query(dict(request.query_params), now=now)
        return render(fmt, "service_requests", find_requests(session, query))

    return _guarded(request, fmt, produce)


def _request(request: Request, session: Session, service_request_id: str, fmt: str) -> Response:
    return _guarded(request, fmt, lambda: render(fmt, "service_requests", [get_request(session, service_request_id)]))


def _file_in_thread(request: Request, form: Mapping[str, str], now: datetime) -> dict[str, Any]:
    with Session(request.app.state.engine) as session:
        filed = file_request(
            session, form, now=now, reg_prefix=request.app.state.reg_prefix, jurisdiction_id=request.app.state.open311_jurisdiction
        )
    return {"service_request_id": filed.service_request_id, "service_notice": filed.service_notice, "account_id": filed.account_id}


async def _post(request: Request, now: datetime, fmt: str) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    try:
        body = await anyio.to_thread.run_sync(functools.partial(_file_in_thread, request, form, now))
    except AppealsError as exc:
        logger.info("open311 request refused", extra={"event_data": {"code": exc.code, "service_code": form.get("service_code", "")[:64]}})
        return _error(fmt, exc)
    logger.info(
        "open311 request filed", extra={"event_data": {"issue_id": body["service_request_id"], "service_code": form.get("service_code")}}
    )
    return render(fmt, "service_requests", [body], status_code=201)


def _add_routes(fmt: str) -> None:
    """The six GeoReport methods (and discovery) for one format; each handler fixes `fmt` by closure."""

    def discovery(request: Request) -> Response:
        return _discovery(request, fmt)

    def services(request: Request, session: SessionDep) -> Response:
        return _services(request, session, fmt)

    def definition(request: Request, session: SessionDep, service_code: str) -> Response:
        return _definition(request, session, service_code, fmt)

    def requests(request: Request, session: SessionDep, now: NowDep) -> Response:
        return _requests(request, session, now, fmt)

    def one_request(request: Request, session: SessionDep, service_request_id: str) -> Response:
        return _request(request, session, service_request_id, fmt)

    async def file(request: Request, now: NowDep) -> Response:
        return await _post(request, now, fmt)

    base = "/open311/v2"
    router.add_api_route(f"/open311/discovery.{fmt}", discovery, methods=["GET"], summary=f"Open311 service discovery ({fmt})")
    router.add_api_route(f"{base}/services.{fmt}", services, methods=["GET"], summary=f"GeoReport v2: service list ({fmt})")
    router.add_api_route(
        f"{base}/services/{{service_code}}.{fmt}", definition, methods=["GET"], summary=f"GeoReport v2: service definition ({fmt})"
    )
    router.add_api_route(f"{base}/requests.{fmt}", requests, methods=["GET"], summary=f"GeoReport v2: requests ({fmt})")
    router.add_api_route(
        f"{base}/requests.{fmt}", file, methods=["POST"], status_code=201, summary=f"GeoReport v2: file a request with an api_key ({fmt})"
    )
    router.add_api_route(
        f"{base}/requests/{{service_request_id}}.{fmt}", one_request, methods=["GET"], summary=f"GeoReport v2: one request ({fmt})"
    )


for _fmt in ("json", "xml"):
    _add_routes(_fmt)
