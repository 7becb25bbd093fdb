"""Commands to the PBX: written to `cc:commands` for the listener, their results read back from `cc:events`.

An entry has the stream fields of runtime/streams.py (`type` = the command kind, `v`, `at`, `data` = the Command
JSON). Every command carries `expires_at`: a listener that comes back after an outage skips it instead of ringing a
citizen minutes late. The API also keeps `cc:command:<id>` for an hour (who sent what), so a page can ask for the
result of its own command when its WebSocket missed it.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

import redis
from fastapi import HTTPException

from appeals.events import Command
from runtime.streams import COMMANDS, EVENTS, decode_entry, publish

logger = logging.getLogger(__name__)

COMMAND_TTL = timedelta(seconds=30)
"""A command not acted on within this time is stale: the listener skips it (`command.result` outcome `expired`)."""
RECORD_TTL_SECONDS = 3600
RESULT_SCAN = 2000
"""How many of the newest `cc:events` entries a result lookup reads."""

CommandKind = Literal["originate", "queue_pause", "queue_unpause", "queue_login", "queue_logout", "spy"]


def new_command_id() -> str:
    """Also the Originate's pre-assigned ChannelId (UUID-ish, as Asterisk accepts)."""
    return str(uuid.uuid4())


def _record_key(command_id: str) -> str:
    return f"cc:command:{command_id}"


def send_command(client: redis.Redis | None, kind: CommandKind, *, now: datetime, **fields: Any) -> Command:
    """Validate and append one command; raises a 503 HTTP error when Redis is down or not configured."""
    command = Command(command_id=new_command_id(), kind=kind, expires_at=now + COMMAND_TTL, **fields)
    if client is None:
        raise HTTPException(status_code=503, detail={"code": "redis_unavailable", "message": "Redis is not configured for this API"})
    data = command.model_dump(mode="json")
    try:
        publish(client, kind, data, at=now, stream=COMMANDS)
        client.set(_record_key(command.command_id), json.dumps({**data, "sent_at": now.isoformat()}), ex=RECORD_TTL_SECONDS)
    except redis.RedisError as exc:
        raise HTTPException(
            status_code=503, detail={"code": "redis_unavailable", "message": f"The command was not sent: Redis is unavailable ({exc})"}
        ) from exc
    logger.info("command sent", extra={"event_data": {"command_id": command.command_id, "kind": kind, "user_id": command.user_id}})
    return command


def sent_command(client: redis.Redis, command_id: str) -> dict[str, Any] | None:
    raw = client.get(_record_key(command_id))
    if not raw:
        return None
    value = json.loads(str(raw))
    return value if isinstance(value, dict) else None


def command_result(client: redis.Redis, command_id: str) -> dict[str, Any] | None:
    """The `command.result` data for this command among the newest events, or None while none has arrived."""
    raw: Any = client.xrevrange(EVENTS, count=RESULT_SCAN)
    for _entry_id, fields in raw or []:
        type_, _v, _at, data = decode_entry({str(k): str(v) for k, v in fields.items()})
        if type_ == "command.result" and data.get("command_id") == command_id:
            return data
    return None
