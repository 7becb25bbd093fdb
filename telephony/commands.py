"""Commands from the console (`cc:commands`, consumer group `listener`): originate, queue pause/login, spy.

Entries have the stream fields of runtime/streams.py (`type`, `v`, `at`, `data`); `data` is an appeals.events.Command.
Expired commands are skipped; every command is acknowledged and answered with `command.result`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis
from pydantic import ValidationError

from appeals.events import Command, CommandResult
from runtime import streams
from runtime.log import fields
from telephony.errors import TelephonyError

if TYPE_CHECKING:
    from telephony.listener import Listener

logger = logging.getLogger(__name__)
GROUP = "listener"
DEFAULT_QUEUE = "hotline"
CALLBACK_CONTEXT = "callcenter-callback"
SPY_OPTIONS = {"listen": "qE", "whisper": "qw", "barge": "qB"}
ORIGINATE_WAIT = 45.0
_INTERFACE = re.compile(r"^[A-Za-z0-9]+/[A-Za-z0-9_.@\-]+$")
_REASONS = {0: "не вдалося викликати телефон", 1: "відхилено", 3: "немає відповіді", 5: "зайнято", 8: "перевантаження мережі"}


class CommandRejectedError(TelephonyError):
    code = "command_rejected"


def _interface(value: str | None, what: str) -> str:
    if not value or not _INTERFACE.match(value):
        msg = f"{what} {value!r} is not an AMI interface like PJSIP/op101"
        raise CommandRejectedError(msg)
    return value


class CommandConsumer:
    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.client = listener.aclient
        self.consumer = f"{socket.gethostname()}-{os.getpid()}"

    async def ensure_group(self) -> None:
        try:
            await self.client.xgroup_create(streams.COMMANDS, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self) -> None:
        while True:
            try:
                await self.ensure_group()
                await self._loop()
            except redis.RedisError as exc:
                logger.warning("command stream unavailable", extra=fields(error=str(exc)))
                await asyncio.sleep(1.0)

    async def _loop(self) -> None:
        pending = "0"
        while True:
            reply: Any = await self.client.xreadgroup(GROUP, self.consumer, {streams.COMMANDS: pending}, count=20, block=1000)
            entries = reply[0][1] if reply else []
            if pending == "0" and not entries:
                pending = ">"
                continue
            for entry_id, raw in entries:
                await self.handle(str(entry_id), {str(k): str(v) for k, v in raw.items()})

    async def handle(self, entry_id: str, raw: dict[str, str]) -> None:
        _, _, _, data = streams.decode_entry(raw)
        try:
            command = Command.model_validate(data)
        except ValidationError as exc:
            logger.warning("malformed command dropped", extra=fields(entry=entry_id, error=str(exc).splitlines()[0]))
            await self.client.xack(streams.COMMANDS, GROUP, entry_id)
            return
        outcome, reason = await self.execute(command)
        await self.listener.publish(CommandResult(command_id=command.command_id, kind=command.kind, outcome=outcome, reason=reason))
        await self.client.xack(streams.COMMANDS, GROUP, entry_id)
        logger.info("command done", extra=fields(command_id=command.command_id, kind=command.kind, outcome=outcome))

    async def execute(self, command: Command) -> tuple[str, str | None]:
        if command.expires_at.astimezone(UTC) <= datetime.now(UTC):
            return "expired", "команда прострочена"
        try:
            if command.kind == "originate":
                return await self._originate(command)
            if command.kind == "spy":
                return await self._spy(command)
            await self._queue_action(command)
        except CommandRejectedError as exc:
            return "rejected", str(exc)
        except TelephonyError as exc:
            return "failed", str(exc)
        return "ok", None

    async def _queue_action(self, command: Command) -> None:
        interface = _interface(command.interface, "interface")
        queue = command.queue or DEFAULT_QUEUE
        ami = self.listener.ami
        if command.kind in ("queue_pause", "queue_unpause"):
            fields_: dict[str, object] = {
                "Action": "QueuePause",
                "Interface": interface,
                "Paused": str(command.kind == "queue_pause").lower(),
            }
            if command.queue:
                fields_["Queue"] = command.queue
            if command.reason and command.kind == "queue_pause":
                fields_["Reason"] = command.reason
            await ami.action(fields_, as_list=False)
        elif command.kind == "queue_login":
            await ami.action({"Action": "QueueAdd", "Queue": queue, "Interface": interface, "Paused": "false"}, as_list=False)
        elif command.kind == "queue_logout":
            await ami.action({"Action": "QueueRemove", "Queue": queue, "Interface": interface}, as_list=False)

    async def _originate(self, command: Command) -> tuple[str, str | None]:
        interface = _interface(command.interface, "interface")
        digits = (command.number or "").lstrip("+")
        if not digits.isdigit():
            raise CommandRejectedError(f"number {command.number!r} is not an E.164 number")
        variables = {"CC_APPEAL_ID": command.appeal_id or "", "CC_TASK_ID": command.task_id or "", "CC_COMMAND_ID": command.command_id}
        return await self._run_originate(command, channel=interface, context=CALLBACK_CONTEXT, exten=digits, variables=variables)

    async def _spy(self, command: Command) -> tuple[str, str | None]:
        supervisor = _interface(command.interface, "supervisor interface")
        target = _interface(command.number, "spied interface")
        mode = (command.reason or "listen").lower()
        if mode not in SPY_OPTIONS:
            raise CommandRejectedError(f"spy mode {mode!r} is not one of {', '.join(SPY_OPTIONS)}")
        return await self._run_originate(command, channel=supervisor, application="ChanSpy", data=f"{target},{SPY_OPTIONS[mode]}")

    async def _run_originate(self, command: Command, *, channel: str, **kwargs: object) -> tuple[str, str | None]:
        channel_id = str(uuid.uuid4())
        action_id = f"cc-{command.command_id}"
        self.listener.tracker.originated.add(channel_id)
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.listener.originates[action_id] = future  # type: ignore[assignment]
        try:
            await self.listener.ami.originate(channel=channel, channel_id=channel_id, action_id=action_id, **kwargs)  # type: ignore[arg-type]
            async with asyncio.timeout(ORIGINATE_WAIT):
                result = await future
        except TimeoutError:
            return "failed", "немає відповіді від АТС"
        finally:
            self.listener.originates.pop(action_id, None)
        ok = bool(getattr(result, "ok", False))
        code = getattr(result, "reason", None)
        return ("ok", None) if ok else ("failed", _REASONS.get(code if isinstance(code, int) else -1, f"причина {code}"))
