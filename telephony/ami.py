"""The AMI client: panoramisk 1.4's protocol and actions, with its known bugs neutralised.

- bytes are buffered and only whole frames decoded (telephony.frames), so split UTF-8 survives;
- an exception in our event handler is logged and the link stays up (panoramisk drops it);
- wrong credentials raise AmiAuthError and set the `auth_failed` state (panoramisk loops silently);
- reconnect with exponential backoff and ±20 % jitter, capped (panoramisk retries every 2 s forever);
- every action is bounded by a timeout and forgotten when it expires (panoramisk leaks it);
- a Ping watchdog closes a half-open link (panoramisk never checks the Pong);
- Originate is always `Async: true` with a pre-assigned ChannelId and sent with `as_list=False`, so the
  OriginateResponse reaches our handler instead of hanging inside the action (panoramisk #88).
Only this module imports panoramisk.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from panoramisk import actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from telephony.errors import AmiActionError, AmiAuthError, AmiNotConnectedError, AmiTimeoutError, TelephonyError
from telephony.frames import Frame, FrameParser

logger = logging.getLogger(__name__)
FrameHandler = Callable[[Frame], None]
StateHandler = Callable[[str, str], None]


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff 1, 2, 4 … × base, capped, with ±20 % jitter."""
    delay = min(cap, base * (2 ** min(attempt, 30)))
    return float(delay * (rng or random).uniform(0.8, 1.2))


class _Protocol(AMIProtocol):  # type: ignore[misc]
    """panoramisk's protocol with our framing: whole frames, handler errors contained."""

    def __init__(self, client: AmiClient) -> None:
        super().__init__()
        self.client = client
        self.parser = FrameParser()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.encoding = "utf-8"
        self.log = logger

    def data_received(self, data: bytes) -> None:
        for frame in self.parser.feed(data):
            try:
                self._route(frame)
            except Exception:
                logger.exception("ami frame handler failed", extra={"event_data": {"event": frame.get("Event", "")}})

    def _route(self, frame: Frame) -> None:
        action_id = frame.get("ActionID") or frame.get("CommandID")
        if action_id and action_id in self.responses:
            headers: dict[str, Any] = dict(frame)
            for key, values in (frame.repeated or {}).items():
                headers[key] = values
            self.handle_message(Message(headers))
            return
        if "Event" in frame:
            if frame["Event"] == "Shutdown":
                logger.warning("asterisk is shutting down; reconnecting when it is back")
                self.transport.close()
            self.client.on_frame(frame)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for action in list(self.responses.values()):
            if not action.future.done():
                action.future.set_exception(AmiNotConnectedError(str(action.get("Action", "?"))))
        self.responses.clear()
        self.client.connection_lost(self, exc)


def _check_value(key: str, value: object) -> str:
    text = str(value)
    if "\r" in text or "\n" in text:
        msg = f"AMI header {key} contains a line break; refusing to send it"
        raise TelephonyError(msg)
    return text


class AmiClient:
    """One AMI session at a time; `run()` keeps it up until `stop()`.

    `on_frame` gets every event frame (sync; it must only queue work). `on_connected` runs after each login
    (the resync); `on_state` is told `up`, `down` or `auth_failed` with a reason.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        on_frame: FrameHandler,
        on_state: StateHandler | None = None,
        on_connected: Callable[[], Awaitable[None]] | None = None,
        action_timeout: float = 5.0,
        reconnect_base: float = 1.0,
        reconnect_max: float = 30.0,
        ping_interval: float = 10.0,
    ) -> None:
        self.host, self.port, self.username, self._secret = host, port, username, secret
        self.on_frame = on_frame
        self._on_state = on_state
        self._on_connected = on_connected
        self.action_timeout, self.reconnect_base, self.reconnect_max = action_timeout, reconnect_base, reconnect_max
        self.ping_interval = ping_interval
        self.state = "down"
        self.version: str | None = None
        self.connections = 0
        self._protocol: _Protocol | None = None
        self._lost: asyncio.Event | None = None
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------------------------
    def _set_state(self, state: str, reason: str = "") -> None:
        if state != self.state:
            self.state = state
            if self._on_state is not None:
                self._on_state(state, reason)

    async def run(self) -> None:
        attempt = 0
        while not self._stopping:
            try:
                await self._session()
                attempt = 0
            except AmiAuthError as exc:
                logger.error("ami login refused", extra={"event_data": {"error": str(exc)}})
                self._set_state("auth_failed", str(exc))
            except (OSError, TelephonyError, TimeoutError) as exc:
                logger.warning("ami link down", extra={"event_data": {"error": str(exc) or type(exc).__name__, "attempt": attempt}})
                if self.state != "auth_failed" or not isinstance(exc, OSError):
                    self._set_state("down", str(exc) or type(exc).__name__)
            await asyncio.sleep(backoff_delay(attempt, base=self.reconnect_base, cap=self.reconnect_max))
            attempt += 1
        self._set_state("down", "stopped")

    async def _session(self) -> None:
        loop = asyncio.get_running_loop()
        lost = self._lost = asyncio.Event()
        async with asyncio.timeout(self.action_timeout):
            _, protocol = await loop.create_connection(lambda: _Protocol(self), self.host, self.port)
        self._protocol = protocol
        try:
            reply = await self.action({"Action": "Login", "Username": self.username, "Secret": self._secret, "Events": "on"})
        except AmiActionError as exc:
            raise AmiAuthError(self.username, self.host, self.port, exc.message) from exc
        except AmiNotConnectedError as exc:
            raise AmiAuthError(self.username, self.host, self.port, "connection closed during login") from exc
        self.version = protocol.parser.version
        self.connections += 1
        logger.info("ami connected", extra={"event_data": {"version": self.version, "message": reply.get("Message", "")}})
        self._set_state("up")
        async with asyncio.TaskGroup() as group:
            pinger = group.create_task(self._watchdog(protocol))
            if self._on_connected is not None:
                await self._on_connected()
            await lost.wait()
            pinger.cancel()

    async def _watchdog(self, protocol: _Protocol) -> None:
        """Ping every interval; no Pong within the action timeout closes the link (a half-open socket)."""
        while not protocol.closed:
            await asyncio.sleep(self.ping_interval)
            try:
                await self.action({"Action": "Ping"}, limit=max(self.action_timeout, self.ping_interval))
            except AmiTimeoutError:
                logger.warning("ami ping unanswered; dropping the link")
                protocol.transport.close()
                return
            except AmiNotConnectedError:
                return

    def connection_lost(self, protocol: _Protocol, exc: Exception | None) -> None:
        if protocol is self._protocol:
            self._protocol = None
            if self.state == "up":
                self._set_state("down", str(exc) if exc else "connection closed")
        if self._lost is not None:
            self._lost.set()

    def stop(self) -> None:
        self._stopping = True
        if self._protocol is not None:
            self._protocol.transport.close()
        if self._lost is not None:
            self._lost.set()

    def drop(self) -> None:
        """Close the current link (tests, and the watchdog): `run()` reconnects."""
        if self._protocol is not None:
            self._protocol.transport.close()

    # -- actions --------------------------------------------------------------------------------------
    async def action(self, fields: Mapping[str, object], *, as_list: bool | None = None, limit: float | None = None) -> Any:
        """Send one action and wait for its reply (a Message, or a list for EventList actions).

        Raises:
            AmiNotConnectedError: the link is down. AmiTimeoutError: no reply in time. AmiActionError: `Response: Error`.
        """
        name = str(fields.get("Action", "?"))
        protocol = self._protocol
        if protocol is None or protocol.closed:
            raise AmiNotConnectedError(name)
        clean: dict[str, Any] = {}
        for key, value in fields.items():
            clean[key] = [_check_value(key, v) for v in value] if isinstance(value, list | tuple) else _check_value(key, value)
        act = actions.Action(clean, as_list=as_list)
        future = protocol.send(act, as_list=as_list)
        limit = limit or self.action_timeout
        try:
            async with asyncio.timeout(limit):
                reply = await future
        except TimeoutError as exc:
            protocol.responses.pop(act.id, None)
            raise AmiTimeoutError(name, limit) from exc
        first = reply[0] if isinstance(reply, list) and reply else reply
        if isinstance(first, Mapping) and first.get("Response") == "Error":
            raise AmiActionError(name, str(first.get("Message", "")))
        return reply

    async def list_action(self, fields: Mapping[str, object], *, limit: float | None = None) -> list[Mapping[str, str]]:
        """An EventList action (CoreShowChannels, QueueStatus): its item events, without the ack and the *Complete."""
        reply = await self.action(fields, as_list=True, limit=limit)
        items = reply if isinstance(reply, list) else [reply]
        return [m for m in items[1:] if not str(m.get("Event", "")).endswith("Complete")]

    async def originate(
        self,
        *,
        channel: str,
        channel_id: str,
        action_id: str,
        context: str | None = None,
        exten: str | None = None,
        application: str | None = None,
        data: str | None = None,
        variables: Mapping[str, object] | None = None,
        caller_id: str | None = None,
        timeout_ms: int = 30_000,
    ) -> Any:
        """Originate, always `Async: true` with the ChannelId given (the Uniqueid/Linkedid of the new call)."""
        fields: dict[str, object] = {"Action": "Originate", "ActionID": action_id, "Channel": channel, "Async": "true"}
        fields.update(ChannelId=channel_id, Timeout=str(timeout_ms))
        if application:
            fields.update(Application=application, Data=data or "")
        else:
            fields.update(Context=context or "", Exten=exten or "", Priority="1")
        if caller_id:
            fields["CallerID"] = caller_id
        if variables:
            fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        return await self.action(fields, as_list=False)
