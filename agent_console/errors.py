"""One mapping from errors to HTTP: domain errors by kind, validation, HTTP errors, and a generic 500.

Body: `{"error": {"code", "message", "fields"?, "field_messages"?}}` — `code` and `fields` (field → problem code) are for
programs; `message` and `field_messages` (field → sentence) are Ukrainian, for the operator's screen.
"""

from __future__ import annotations

import http
import logging
import uuid
from typing import Any

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
        extra["field_messages"] = exc.field_messages
    if isinstance(exc, LoginThrottledError):
        headers["Retry-After"] = "300"
    if exc.kind == "unauthorized":
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error_body(exc.code, exc.message, **extra), status_code=_STATUS.get(exc.kind, 422), headers=headers or None)


_PYDANTIC_UK = {
    "missing": "Обов'язкове поле",
    "string_too_short": "Щонайменше {min_length} символів",
    "string_too_long": "Не більше {max_length} символів",
    "too_short": "Щонайменше {min_length} елементів",
    "too_long": "Не більше {max_length} елементів",
    "int_parsing": "Потрібне ціле число",
    "int_type": "Потрібне ціле число",
    "int_from_float": "Потрібне ціле число",
    "float_parsing": "Потрібне число",
    "float_type": "Потрібне число",
    "bool_parsing": "Потрібно «так» або «ні»",
    "string_type": "Потрібен текст",
    "enum": "Допустимі значення: {expected}",
    "literal_error": "Допустимі значення: {expected}",
    "greater_than_equal": "Не менше {ge}",
    "greater_than": "Більше за {gt}",
    "less_than_equal": "Не більше {le}",
    "less_than": "Менше за {lt}",
    "date_parsing": "Неправильна дата",
    "date_from_datetime_parsing": "Неправильна дата",
    "datetime_parsing": "Неправильні дата й час",
    "datetime_from_date_parsing": "Неправильні дата й час",
    "string_pattern_mismatch": "Неправильний формат",
    "json_invalid": "Тіло запиту — некоректний JSON",
    "model_attributes_type": "Потрібен об'єкт JSON",
    "dict_type": "Потрібен об'єкт JSON",
    "list_type": "Потрібен список",
    "extra_forbidden": "Невідоме поле",
    "value_error": "Неприпустиме значення",
}


def pydantic_message(err: Any) -> str:
    """A request validation error in Ukrainian (pydantic's own texts are English)."""
    template = _PYDANTIC_UK.get(str(err.get("type")), "Неприпустиме значення")
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    fields: dict[str, str] = {}
    messages: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"][1:]) or str(err["loc"][0])
        fields.setdefault(name, str(err["type"]))
        messages.setdefault(name, pydantic_message(err))
    first = next(iter(messages.items()), ("request", "Неприпустиме значення"))
    return JSONResponse(
        error_body("validation_failed", f"Некоректний запит: {first[0]} — {first[1]}", fields=fields, field_messages=messages),
        status_code=422,
    )


_HTTP_UK = {
    401: "Увійдіть у систему",
    403: "Недостатньо прав",
    404: "Не знайдено",
    405: "Цей метод тут не підтримується",
    413: "Запит завеликий",
    415: "Непідтримуваний тип даних",
}


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    detail: object = exc.detail
    if isinstance(detail, dict) and "code" in detail:
        body = error_body(str(detail["code"]), str(detail.get("message", "")))
    else:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        standard = detail == http.HTTPStatus(exc.status_code).phrase if 100 <= exc.status_code < 600 else False
        body = error_body(code, _HTTP_UK.get(exc.status_code, str(detail)) if standard else str(detail))
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable", extra={"event_data": {"path": request.url.path, "error": type(exc).__name__}})
    return JSONResponse(
        error_body("database_unavailable", "База даних зараз недоступна; повторіть за мить"),
        status_code=503,
        headers={"Retry-After": "2"},
    )


async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """A number beyond the database's integer range (SQLite: OverflowError at bind; PostgreSQL: DataError)."""
    if isinstance(exc, DataError) and getattr(exc.orig, "sqlstate", None) != "22003":
        return await _unexpected(request, exc)
    return JSONResponse(error_body("value_out_of_range", "Число в запиті поза допустимими межами"), status_code=422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:12]
    logger.error("unhandled error", exc_info=exc, extra={"event_data": {"request_id": request_id, "path": request.url.path}})
    return JSONResponse(error_body("internal_error", f"Збій на нашому боці (запит {request_id}); його записано в журнал"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppealsError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(Exception, _unexpected)
