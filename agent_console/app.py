"""The FastAPI application factory: resources in the lifespan, routers, error mapping, the outbox drainer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import redis
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from agent_console.deps import guard
from agent_console.errors import install_error_handlers
from agent_console.hub import ConsoleHub, HubConfig
from agent_console.hub_data import card_builder, worklist_reader
from agent_console.pages.render import STATIC
from agent_console.routes import (
    admin,
    appeals,
    auth,
    callback_desk,
    callbacks,
    citizens,
    console_ws,
    executor,
    health,
    incidents,
    issues,
    ivr,
    kb,
    operations,
    ops_pages,
    pages,
    petitions,
    photos,
    queue_desk,
    recordings,
    reference,
    transcripts,
    wallboard,
)
from agent_console.routes import metrics as metrics_routes
from agent_console.routes import open311 as open311_routes
from agent_console.routes import open311_keys as open311_keys_routes
from agent_console.routes import public as public_routes
from agent_console.routes import reports as reports_routes
from agent_console.state_recorder import record_agent_states
from runtime.redis import async_clone
from workers.outbox import drain_outbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppConfig:
    """Plain values the app needs; the entrypoint reads settings and builds this."""

    secret_key: str
    reg_prefix: str = "БР"
    token_ttl_minutes: int = 720
    outbox_interval_seconds: float = 0.2
    public_url: str = "http://127.0.0.1:8000"
    recordings_dir: Path = Path("var/recordings")
    raw_sample_rate: int = 8000
    open311_jurisdiction: str = ""
    service_level_seconds: int = 20
    media_link_ttl_seconds: int = 300
    photos_dir: Path = Path("var/photos")
    photo_max_bytes: int = 10 * 1024 * 1024
    hub: HubConfig = field(default_factory=HubConfig)


async def _drain_forever(app: FastAPI, interval: float) -> None:
    while True:
        client = app.state.redis
        if client is not None:
            try:
                await anyio.to_thread.run_sync(drain_outbox, app.state.engine, client)
            except Exception:
                logger.exception("outbox drain crashed")
        await asyncio.sleep(interval)


def _start_hub(app: FastAPI, config: HubConfig, engine: Engine, redis_client: redis.Redis | None) -> asyncio.Task[None] | None:
    """The console hub of this process (none without Redis: the socket then says live updates are unavailable)."""
    if redis_client is None:
        app.state.hub = None
        return None
    hub = ConsoleHub(async_clone(redis_client), cards=card_builder(engine), worklist=worklist_reader(engine), config=config)
    app.state.hub = hub
    return asyncio.create_task(hub.run())


async def _cancel_within(tasks: list[asyncio.Task[None]], seconds: float = 5.0) -> None:
    """Cancel background tasks and wait for them a bounded time: one stuck in a call that ignores cancellation must not
    keep the process (or a test's app) from shutting down."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, stuck = await asyncio.wait(tasks, timeout=seconds)
    for task in stuck:
        logger.warning("background task did not stop in time", extra={"event_data": {"task": task.get_name(), "seconds": seconds}})


async def _stop_hub(app: FastAPI, task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    await _cancel_within([task])
    await app.state.hub.redis.aclose()
    await app.state.hub.redis.connection_pool.disconnect()


def create_app(config: AppConfig, *, engine: Engine, redis_client: redis.Redis | None, drain_outbox_in_background: bool = True) -> FastAPI:
    """The console API over an existing engine and Redis client (the composition root owns both)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_drain_forever(app, config.outbox_interval_seconds)) if drain_outbox_in_background else None
        hub_task = _start_hub(app, config.hub, engine, redis_client)
        # the agent state log (pause and wrap-up time) runs with the other background work
        recorder = asyncio.create_task(record_agent_states(engine, redis_client)) if drain_outbox_in_background and redis_client else None
        try:
            yield
        finally:
            await _stop_hub(app, hub_task)
            await _cancel_within([t for t in (task, recorder) if t is not None])

    app = FastAPI(title="Контакт-центр міської ради — API", version="0.1.0", lifespan=lifespan, dependencies=[Depends(guard)])
    app.state.engine = engine
    app.state.redis = redis_client
    app.state.secret_key = config.secret_key
    app.state.reg_prefix = config.reg_prefix
    app.state.token_ttl_minutes = config.token_ttl_minutes
    app.state.public_url = config.public_url
    app.state.open311_jurisdiction = config.open311_jurisdiction
    app.state.service_level_seconds = config.service_level_seconds
    install_error_handlers(app)
    app.state.recordings_dir = config.recordings_dir
    app.state.raw_sample_rate = config.raw_sample_rate
    app.state.media_link_ttl_seconds = config.media_link_ttl_seconds
    app.state.photos_dir = config.photos_dir
    app.state.photo_max_bytes = config.photo_max_bytes
    for module in (
        health,
        auth,
        appeals,
        issues,
        citizens,
        reference,
        callbacks,
        executor,
        admin,
        incidents,
        petitions,
        ivr,
        operations,
        transcripts,
        recordings,
        photos,
    ):
        app.include_router(module.router)
    app.include_router(reports_routes.router)
    app.include_router(open311_routes.router)
    app.include_router(open311_keys_routes.router)
    app.include_router(public_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(wallboard.router)
    app.include_router(callback_desk.router)
    app.include_router(pages.router)
    app.include_router(queue_desk.router)
    app.include_router(kb.router)
    app.include_router(ops_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.router.add_websocket_route("/ws/console", console_ws.console_socket)
    return app
