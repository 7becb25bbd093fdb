"""The simulator's control interface: a small HTTP/JSON server for tests, drills and the demo (docs/pbx-sim.md).

Calls are placed *through the simulator* (so the listener sees real AMI), never by injecting events.
Errors answer `{"error": {"code", "message"}}` with status 400/404.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telephony.sim.faults import Faults, FaultSpecError
from telephony.sim.scenario import burst
from telephony.sim.spec import CallSpec, CallSpecError

if TYPE_CHECKING:
    from telephony.sim.server import Simulator

logger = logging.getLogger(__name__)
Route = Callable[["Simulator", dict[str, Any]], Awaitable[Any]]
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def _status(sim: Simulator, _body: dict[str, Any]) -> Any:
    return {
        "sessions": sum(1 for s in sim.sessions if s.user is not None),
        "connections": len(sim.sessions),
        "channels": len(sim.pbx.channels),
        "active_calls": len(sim.engine.active),
        "completed_calls": sim.engine.completed,
        "events_sent": sim.pbx.events_sent,
        "stats": dict(sim.stats),
    }


async def _channels(sim: Simulator, _body: dict[str, Any]) -> Any:
    return [
        {
            "channel": c.name,
            "uniqueid": c.uniqueid,
            "linkedid": c.linkedid,
            "state": c.state,
            "context": c.context,
            "exten": c.exten,
            "caller": c.caller_num,
        }
        for c in sim.pbx.channels.values()
    ]


async def _calls(sim: Simulator, _body: dict[str, Any]) -> Any:
    return [{"linkedid": p.linkedid, "uniqueid": p.uniqueid, "channel": p.channel} for p in sim.engine.active.values()]


async def _place(sim: Simulator, body: dict[str, Any]) -> Any:
    try:
        spec = CallSpec.from_dict(body)
    except CallSpecError as exc:
        raise ControlError(400, "invalid_call", str(exc)) from exc
    placed = sim.engine.place(spec)
    return {"linkedid": placed.linkedid, "uniqueid": placed.uniqueid, "channel": placed.channel}


async def _burst(sim: Simulator, body: dict[str, Any]) -> Any:
    count = body.get("count", 20)
    if not isinstance(count, int) or not 1 <= count <= 1000:
        raise ControlError(400, "invalid_burst", f"count must be an integer 1..1000, got {count!r}")
    rng = random.Random(body.get("seed"))  # noqa: S311 - traffic simulation
    linkedids = await burst(sim, count, rng=rng, did=str(body.get("did", "1551")), seconds=float(body.get("seconds", 0)))
    return {"linkedids": linkedids}


async def _originates(sim: Simulator, _body: dict[str, Any]) -> Any:
    return {"count": sim.stats["originates"], "items": list(sim.originates)}


async def _originate_script(sim: Simulator, body: dict[str, Any]) -> Any:
    key = body.get("interface") or body.get("number")
    if not key:
        raise ControlError(400, "invalid_script", "give `interface` (operator leg) or `number` (citizen leg) and `outcome`")
    try:
        sim.originate_script.push(str(key), str(body.get("outcome", "")), citizen="number" in body)
    except ValueError as exc:
        raise ControlError(400, "invalid_script", str(exc)) from exc
    return {"ok": True}


async def _drop(sim: Simulator, _body: dict[str, Any]) -> Any:
    return {"dropped": sim.drop_connections()}


async def _faults(sim: Simulator, body: dict[str, Any]) -> Any:
    """`{"faults": ["split", "slow-read=200"], "reset": false}`: validated on a copy, then applied."""
    specs = body.get("faults", [])
    if not isinstance(specs, list):
        raise ControlError(400, "invalid_fault", 'faults must be a list of specs such as ["split", "slow-read=200"]')
    candidate = Faults() if body.get("reset") else dataclasses.replace(sim.faults)
    try:
        for spec in specs:
            candidate.apply(str(spec))
    except FaultSpecError as exc:
        raise ControlError(400, "invalid_fault", str(exc)) from exc
    for field in dataclasses.fields(candidate):
        setattr(sim.faults, field.name, getattr(candidate, field.name))
    return {"faults": dataclasses.asdict(sim.faults)}


async def _device(sim: Simulator, body: dict[str, Any]) -> Any:
    interface = str(body.get("interface", ""))
    if not interface.startswith("PJSIP/"):
        raise ControlError(400, "invalid_interface", f"interface must look like PJSIP/op101, got {interface!r}")
    sim.set_device(interface, available=bool(body.get("available", True)))
    return {"interface": interface, "available": interface not in sim.unavailable}


async def _replay(sim: Simulator, body: dict[str, Any]) -> Any:
    path = Path(str(body.get("path", "")))
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise ControlError(400, "invalid_replay", f"cannot read capture file {path}: {exc.strerror}") from exc
    return {"sent_to": sim.replay(data)}


async def _hangup(sim: Simulator, body: dict[str, Any]) -> Any:
    target = str(body.get("channel") or body.get("linkedid") or "")
    chans = [c for c in sim.pbx.channels.values() if target in (c.name, c.linkedid)]
    if not chans:
        raise ControlError(404, "no_such_channel", f"no live channel or call {target!r}")
    for ch in chans:
        sim.hangup_requested(ch, 16)
    return {"hung_up": [c.name for c in chans]}


async def _restart(sim: Simulator, body: dict[str, Any]) -> Any:
    seconds = body.get("down_seconds", 5)
    if not isinstance(seconds, int | float) or not 0 <= seconds <= 600:
        raise ControlError(400, "invalid_restart", f"down_seconds must be a number 0..600, got {seconds!r}")
    sim.spawn(sim.restart(float(seconds)))
    return {"restarting": True, "down_seconds": seconds}


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/status"): _status,
    ("GET", "/channels"): _channels,
    ("GET", "/calls"): _calls,
    ("POST", "/calls"): _place,
    ("POST", "/burst"): _burst,
    ("GET", "/originates"): _originates,
    ("POST", "/originate-outcomes"): _originate_script,
    ("POST", "/drop"): _drop,
    ("POST", "/restart"): _restart,
    ("POST", "/faults"): _faults,
    ("POST", "/devices"): _device,
    ("POST", "/replay"): _replay,
    ("POST", "/hangup"): _hangup,
}


async def handle(sim: Simulator, method: str, path: str, raw: bytes) -> tuple[int, Any]:
    route = ROUTES.get((method, path.split("?", 1)[0]))
    if route is None:
        known = any(p == path for _, p in ROUTES)
        return (405 if known else 404), {"error": {"code": "not_found", "message": f"no route {method} {path}; see docs/pbx-sim.md"}}
    try:
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ControlError(400, "invalid_json", "the body must be a JSON object")
        return 200, await route(sim, body)
    except json.JSONDecodeError as exc:
        return 400, {"error": {"code": "invalid_json", "message": f"body is not JSON: {exc.msg}"}}
    except ControlError as exc:
        return exc.status, {"error": {"code": exc.code, "message": exc.message}}


async def serve_control(sim: Simulator, host: str, port: int) -> asyncio.Server:
    """Start the HTTP/1.1 control server (one request per connection); returns the asyncio server."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
            length = int(headers.get("content-length", "0") or 0)
            raw = await asyncio.wait_for(reader.readexactly(length), 10) if length else b""
            status, payload = await handle(sim, method.upper(), path, raw)
        except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, payload = 400, {"error": {"code": "bad_request", "message": "malformed HTTP request"}}
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        writer.write(
            f"HTTP/1.1 {status} {REASONS.get(status, '')}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    return await asyncio.start_server(client, host, port)
