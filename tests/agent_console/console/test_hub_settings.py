"""The CALLCENTER_HUB_* settings reach the live hub through the composition root: a small CALLCENTER_HUB_QUEUE_SIZE
drops a console on a burst the default bound would carry; out-of-range values are refused by name."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed

from agent_console.hub import HubConfig
from agent_console.settings import ApiSettings
from appeals.models import Role, User
from callcenter.wiring import app_config
from runtime.settings import RuntimeSettings
from runtime.streams import EVENTS, EVENTS_MAXLEN, event_fields
from tests.agent_console.console.wsclient import Console, token, wait_until
from tests.browser.conftest import Live
from tests.conftest import SECRET

QUEUE_SIZE = 8
BURST = 40
"""Over CALLCENTER_HUB_QUEUE_SIZE, far under the default bound of 256."""


@pytest.fixture(scope="module")
def hub_config() -> HubConfig:
    """The hub exactly as `callcenter api` builds it from the environment."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CALLCENTER_SECRET_KEY", SECRET)
        env.setenv("CALLCENTER_HUB_QUEUE_SIZE", str(QUEUE_SIZE))
        env.setenv("CALLCENTER_HUB_HEARTBEAT_SECONDS", "45")
        return app_config(RuntimeSettings(), ApiSettings()).hub


def _burst(live: Live, count: int) -> None:
    pipe = live.redis.pipeline(transaction=False)
    for n in range(count):  # one XREAD batch: dispatched without yielding to the sender
        pipe.xadd(
            EVENTS, event_fields("queue.state", {"queue": "hotline", "waiting": n, "members": [], "counters": {}}), maxlen=EVENTS_MAXLEN
        )
    pipe.execute()


async def test_the_environment_sizes_the_live_hub(live: Live, staff: Callable[..., User]) -> None:
    staff("sup_env", Role.supervisor)
    console = await Console.open(live, token(live, "sup_env"))
    snapshot = await console.next()
    assert snapshot["heartbeat"] == 45
    hub = live.app.state.hub
    assert hub.config.queue_size == QUEUE_SIZE

    await asyncio.to_thread(_burst, live, QUEUE_SIZE - 2)
    for _ in range(QUEUE_SIZE - 2):  # within the bound: every frame arrives
        assert (await console.next())["type"] == "queue.state"

    await asyncio.to_thread(_burst, live, BURST)
    with pytest.raises(ConnectionClosed) as closed:
        await console.drain()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408
    await wait_until(lambda: not hub.clients)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CALLCENTER_HUB_QUEUE_SIZE", "0", "greater than or equal to 1"),
        ("CALLCENTER_HUB_SEND_TIMEOUT_SECONDS", "-1", "greater than 0"),
        ("CALLCENTER_HUB_HEARTBEAT_SECONDS", "soon", "valid number"),
        ("CALLCENTER_HUB_BOOTSTRAP_ENTRIES", "1000000", "less than or equal to 100000"),
        ("CALLCENTER_HUB_BLOCK_MS", "0", "greater than or equal to 10"),
        ("CALLCENTER_HUB_MAX_CALLS", "-5", "greater than or equal to 1"),
    ],
)
def test_a_bad_hub_setting_is_refused(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        ApiSettings()
    (error,) = refused.value.errors()
    assert error["loc"] == (variable.removeprefix("CALLCENTER_").lower(),)
    assert message in error["msg"]


def test_a_hub_config_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValueError, match=r"HubConfig.queue_size must be positive, got 0"):
        HubConfig(queue_size=0)
