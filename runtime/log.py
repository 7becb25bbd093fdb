"""Structured JSON logging: one configure call per process, contextvars injected into every record."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
call_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("call_id", default=None)
appeal_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("appeal_id", default=None)
agent_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("agent_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)

_CONTEXT: dict[str, contextvars.ContextVar[Any]] = {
    "request_id": request_id,
    "call_id": call_id,
    "appeal_id": appeal_id,
    "agent_id": agent_id,
    "job_id": job_id,
}


def fields(**values: Any) -> dict[str, Any]:
    """Structured fields for a log call: `logger.info("x", extra=fields(appeal_id=1))`."""
    return {"event_data": values}


def mask_phone(number: str | None) -> str:
    """A phone number safe for logs: only the last 4 digits survive."""
    if not number:
        return "-"
    digits = [c for c in number if c.isdigit()]
    return "***" + "".join(digits[-4:])


class ContextFilter(logging.Filter):
    """Copies the set context variables onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT.items():
            value = var.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context and event_data."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        data = getattr(record, "event_data", None)
        if isinstance(data, dict):
            out.update({k: v for k, v in data.items() if k not in out})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Route all logging to stdout as JSON lines. Call once, from a process entrypoint."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
