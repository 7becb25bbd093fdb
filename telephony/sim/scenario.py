"""Scenario mode: realistic generated traffic at `rate` calls per (simulated) minute, and the mass-outage burst.

`mixed` is a working day: most calls answered through the queue, some abandoned, some asking to be called back,
transfers, withheld numbers, Local channels, operators' outbound and internal calls. `burst` is a mass-outage
morning: a wave of calls about one burst pipe to the same DID, most of them waiting, many giving up.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from telephony.sim.spec import CallSpec

if TYPE_CHECKING:
    from telephony.sim.server import Simulator

logger = logging.getLogger(__name__)
SCENARIOS = ("mixed", "answered", "abandoned", "burst", "none")
MIX: tuple[tuple[str, str, int], ...] = (
    ("inbound", "answered", 40),
    ("inbound", "agent_hangup", 5),
    ("inbound", "no_answer_then_answered", 8),
    ("inbound", "abandoned", 12),
    ("inbound", "callback_request", 6),
    ("inbound", "timeout", 2),
    ("inbound", "blind_transfer", 5),
    ("inbound", "attended_transfer", 4),
    ("local", "answered", 3),
    ("outbound", "answered", 5),
    ("internal", "answered", 3),
)
NAMES = ("Петренко Олена", "Коваль Андрій", "Шевчук Марія", 'ТОВ "Київ-Сервіс"', "")
DIDS = ("1551", "+380442001551")


def random_caller(rng: random.Random) -> tuple[str, str]:
    """A Ukrainian caller: fixed-line or mobile, sometimes national format, sometimes withheld."""
    roll = rng.random()
    if roll < 0.05:
        return "anonymous", ""
    if roll < 0.08:
        return "", ""
    prefix = rng.choice(("44", "50", "67", "63", "93", "97"))
    digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
    number = f"+380{prefix}{digits}" if rng.random() < 0.7 else f"0{prefix}{digits}"
    return number, rng.choice(NAMES)


def random_spec(rng: random.Random, operators: list[str], *, kind_outcome: tuple[str, str] | None = None) -> CallSpec:
    kind, outcome = kind_outcome or _pick_mix(rng)
    caller, name = random_caller(rng)
    spec = CallSpec(kind=kind, outcome=outcome, caller=caller, caller_name=name, did=rng.choice(DIDS))
    spec.ring_seconds = rng.uniform(2, 8)
    spec.wait_seconds = rng.uniform(5, 60)
    spec.talk_seconds = rng.uniform(30, 240)
    if kind in ("outbound", "internal"):
        spec.operator = rng.choice(operators)
        others = [op for op in operators if op != spec.operator] or operators
        spec.target = caller.lstrip("+") if kind == "outbound" and caller not in ("", "anonymous") else "0501234567"
        if kind == "internal":
            spec.target = rng.choice(others)
    if outcome.endswith("transfer"):
        spec.transfer_to = rng.choice(operators[1:] or operators)
    return spec


def _pick_mix(rng: random.Random) -> tuple[str, str]:
    total = sum(weight for _, _, weight in MIX)
    roll = rng.uniform(0, total)
    for kind, outcome, weight in MIX:
        roll -= weight
        if roll <= 0:
            return kind, outcome
    return "inbound", "answered"


async def run_scenario(sim: Simulator, name: str, rate: float, *, seed: int | None = None) -> None:
    """Place calls forever (until cancelled); `rate` is calls per simulated minute (0 = none)."""
    if name not in SCENARIOS:
        msg = f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}"
        raise ValueError(msg)
    rng = random.Random(seed)  # noqa: S311 - traffic simulation, not security
    operators = sim.operator_interfaces()
    if name == "mixed":
        sim.spawn(operator_activity(sim, random.Random(rng.random())))  # noqa: S311 - traffic simulation
    if name == "burst":
        await burst(sim, 60, rng=rng)
    if name == "none" or rate <= 0:
        return
    while True:
        await sim.clock.sleep(rng.expovariate(rate / 60.0))
        fixed = {"answered": ("inbound", "answered"), "abandoned": ("inbound", "abandoned")}.get(name)
        sim.engine.place(random_spec(rng, operators, kind_outcome=fixed))


async def burst(sim: Simulator, count: int, *, rng: random.Random, did: str = "1551", seconds: float = 30.0) -> list[str]:
    """A mass-outage wave: `count` calls to one DID within `seconds`; most wait long, many abandon or ask for a callback."""
    linkedids = []
    for _ in range(count):
        caller, name = random_caller(rng)
        outcome = rng.choices(("answered", "abandoned", "callback_request", "timeout"), weights=(35, 40, 20, 5))[0]
        spec = CallSpec(
            outcome=outcome, caller=caller, caller_name=name, did=did, wait_seconds=rng.uniform(20, 240), talk_seconds=rng.uniform(20, 90)
        )
        linkedids.append(sim.engine.place(spec).linkedid)
        await sim.clock.sleep(rng.uniform(0, 2 * seconds / max(1, count)))
    sim.stats["bursts"] += 1
    logger.info("mass outage burst placed", extra={"event_data": {"calls": count, "did": did}})
    return linkedids


PAUSE_REASONS = ("перерва", "обід", "навчання", "документи")


async def operator_activity(sim: Simulator, rng: random.Random, *, spare: int = 2) -> None:
    """Phones of operators without a console user (all but the first `spare`) pause, unpause, drop off and come back."""
    phones = sim.operator_interfaces()[spare:] or sim.operator_interfaces()
    while True:
        await sim.clock.sleep(rng.expovariate(1 / 120))
        interface = rng.choice(phones)
        if rng.random() < 0.7:
            sim.set_paused(interface, paused=True, reason=rng.choice(PAUSE_REASONS))
            await sim.clock.sleep(rng.uniform(60, 300))
            sim.set_paused(interface, paused=False)
        else:
            sim.set_device(interface, available=False)
            await sim.clock.sleep(rng.uniform(30, 120))
            sim.set_device(interface, available=True)
