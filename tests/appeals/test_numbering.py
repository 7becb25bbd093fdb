"""Registration numbers are unique per year even when operators register at the same moment."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlmodel import Session

from appeals.actors import Actor
from appeals.models import Role
from appeals.numbering import next_registration_number
from appeals.registration import register_appeal
from tests.conftest import Clock
from tests.factories import make_draft


def test_numbers_restart_each_year_and_per_prefix(session: Session) -> None:
    assert next_registration_number(session, "БР", 2026) == "БР-2026-000001"
    assert next_registration_number(session, "БР", 2026) == "БР-2026-000002"
    assert next_registration_number(session, "БР", 2027) == "БР-2027-000001"
    assert next_registration_number(session, "КЦ", 2026) == "КЦ-2026-000001"


def test_parallel_registrations_never_share_a_number(engine: Engine, clock: Clock) -> None:
    actor = Actor(None, Role.operator)
    with Session(engine) as session:
        drafts = [make_draft(session, actor, now=clock.now).id or 0 for _ in range(24)]
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(ids: list[int]) -> None:
        barrier.wait()
        for appeal_id in ids:
            try:
                with Session(engine) as session:
                    numbers.append(register_appeal(session, appeal_id, actor=actor, now=clock.now, reg_prefix="БР").number or "")
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(drafts[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"БР-2026-{n:06d}" for n in range(1, 25)]
