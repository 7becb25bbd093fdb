"""`WS /ws/console?token=`: a snapshot for the signed-in user, then the hub's deltas; close codes 4401/4403/4408."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect

from agent_console.hub import Client, ConsoleHub
from agent_console.hub_data import console_user
from agent_console.hub_state import CONSOLE_ROLES

logger = logging.getLogger(__name__)

BAD_TOKEN = 4401
BAD_ROLE = 4403
TOO_SLOW = 4408
UNAVAILABLE = 1013


async def _receive(websocket: WebSocket, hub: ConsoleHub, client: Client) -> None:
    """The client's half: `{"type": "resync"}` asks for a fresh snapshot; anything else is ignored."""
    while True:
        text = await websocket.receive_text()
        with contextlib.suppress(json.JSONDecodeError, AttributeError):
            if json.loads(text).get("type") == "resync":
                client.held = []
                client.release(await hub.snapshot(client, resync=True))


async def console_socket(websocket: WebSocket) -> None:
    state = websocket.app.state
    user = await console_user(state.engine, state.secret_key, websocket.query_params.get("token", ""))
    await websocket.accept()
    hub: ConsoleHub | None = getattr(state, "hub", None)
    if user is None:
        await websocket.close(BAD_TOKEN, "invalid, expired or revoked token; sign in again")
        return
    if user.role not in CONSOLE_ROLES:
        await websocket.close(BAD_ROLE, f"role {user.role.value} has no live console")
        return
    if hub is None:
        await websocket.close(UNAVAILABLE, "live updates need Redis, which this API does not have")
        return
    client = hub.register(user)
    logger.info("console connected", extra={"event_data": {"user_id": user.id, "resume": bool(websocket.query_params.get("last_id"))}})
    try:
        client.release(await hub.snapshot(client, resync=bool(websocket.query_params.get("last_id"))))
        tasks = [
            asyncio.create_task(hub.send_forever(client, websocket.send_text)),
            asyncio.create_task(_receive(websocket, hub, client)),
            asyncio.create_task(client.dropped.wait()),
        ]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in (*done, *pending):
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError, OSError):
                await task
    finally:
        hub.unregister(client)
    if client.dropped.is_set():
        logger.warning("slow console dropped", extra={"event_data": {"user_id": user.id}})
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1):
                await websocket.close(TOO_SLOW, "too slow: reconnect and resync")
    logger.info("console disconnected", extra={"event_data": {"user_id": user.id}})
