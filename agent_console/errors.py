"""One mapping from errors to HTTP: domain errors by kind, validation, HTTP errors, and a generic 500."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from appeals.errors import AppealsError, DomainValidationError, LoginThrottledError

logger = logging.getLogger(__name__)

_STATUS = {"not_found": 404, "conflict": 409, "invalid": 422, "forbidden": 403, "unauthorized": 401, "throttled": 429}


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppealsError)  # noqa: S101 - registered for AppealsError only
    extra: dict[str, object] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, DomainValidationError) and exc.fields:
        extra["fields"] = exc.fields
    if isinstance(exc, LoginThrottledError):
        headers["Retry-After"] = "300"
    if exc.kind == "unauthorized":
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error_body(exc.code, exc.message, **extra), status_code=_STATUS.get(exc.kind, 422), headers=headers or None)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    fields = {".".join(str(p) for p in err["loc"][1:]) or str(err["loc"][0]): err["msg"] for err in exc.errors()}
    first = next(iter(fields.items()), ("request", "invalid"))
    return JSONResponse(error_body("validation_failed", f"Invalid request: {first[0]} — {first[1]}", fields=fields), status_code=422)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    detail: object = exc.detail
    if isinstance(detail, dict) and "code" in detail:
        body = error_body(str(detail["code"]), str(detail.get("message", "")))
    else:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = error_body(code, str(detail))
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable", extra={"event_data": {"path": request.url.path, "error": type(exc).__name__}})
    return JSONResponse(
        error_body("database_unavailable", "The database is not reachable right now; retry in a moment"),
        status_code=503,
        headers={"Retry-After": "2"},
    )


async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """A number beyond the database's integer range (SQLite: OverflowError at bind; PostgreSQL: DataError)."""
    if isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != "22003":
        return await _unexpected(request, exc)
    return JSONResponse(error_body("value_out_of_range", "A number in the request is out of range"), status_code=422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:12]
    logger.error("unhandled error", exc_info=exc, extra={"event_data": {"request_id": request_id, "path": request.url.path}})
    return JSONResponse(
        error_body("internal_error", f"Something went wrong on our side (request {request_id}); it has been logged"), status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppealsError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(Exception, _unexpected)
