"""Fixtures: a started simulator (fast clock) and a logged-in raw client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from telephony.sim.server import SimConfig, Simulator
from tests.telephony.sim.client import RawAmi


@pytest.fixture
async def sim(tmp_path) -> AsyncIterator[Simulator]:
    simulator = Simulator(SimConfig(speed=200, auth_fail_delay=0.05, recordings_dir=tmp_path / "rec"))
    await simulator.start()
    yield simulator
    await simulator.close()


@pytest.fixture
async def ami(sim: Simulator) -> AsyncIterator[RawAmi]:
    client = await RawAmi.connect(sim.port)
    response = await client.login()
    assert ("Message", "Authentication accepted") in response
    yield client
    client.close()
