"""The caller card (one SQL statement) and call drafts opened by the PBX."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event
from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.callbacks import create_callback_task, record_attempt
from appeals.card import lookup_caller
from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Appeal, AppealStatus, Call, CallbackKind, CallbackOutcome, OutboxMessage, Role
from tests.conftest import Clock
from tests.factories import make_citizen, make_registered

OPERATOR = Actor(None, Role.operator)


@contextmanager
def count_statements(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def _count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def test_card_lists_all_citizens_open_and_recent_appeals_in_one_query(session: Session, clock: Clock) -> None:
    phone = "+380441234567"
    make_citizen(session, "Шевчук Анна", [phone], now=clock.now, privileges=["large_family"], address="вул. Київська, 10")
    make_citizen(session, "Шевчук Олег", [phone, "+380671234567"], now=clock.now, address="вул. Київська, 10")
    appeals = [make_registered(session, OPERATOR, now=clock.advance(minutes=5), caller=phone, name="Шевчук Анна") for _ in range(6)]
    task, _ = create_callback_task(session, CallbackKind.missed_call, dedup_key="missed:x", now=clock.now, phone=phone)
    session.commit()
    record_attempt(session, task.id or 0, CallbackOutcome.reached, actor=Actor(None, Role.callback_agent), now=clock.now)
    open_call_draft(session, IncomingCall(call_id="1700000000.1", caller=phone, started_at=clock.now), now=clock.now)
    with count_statements(session) as statements:
        card = lookup_caller(session, phone, now=clock.now + timedelta(minutes=1), exclude_call_id="1700000000.1")
    assert len(statements) == 1
    assert card.phone_display == "+380 44 123 4567"
    assert {c.full_name for c in card.citizens} == {"Шевчук Анна", "Шевчук Олег"}
    assert card.flags["privileged"]
    assert [a.id for a in card.recent_appeals] == [a.id for a in reversed(appeals)][:5]
    assert len(card.open_appeals) == 6  # every open one, not only the last five
    assert card.open_appeals[0].issues[0].category == "Відсутність опалення в квартирі"
    assert card.last_callback is not None
    assert card.last_callback.outcome == "reached"
    assert card.calls_today == 0  # the ringing call itself is excluded
    assert not card.flags["called_today"]


def test_unknown_and_withheld_numbers_get_an_empty_card(session: Session, clock: Clock) -> None:
    unknown = lookup_caller(session, "+380991112233", now=clock.now)
    assert (unknown.phone_display, unknown.citizens, unknown.open_appeals, unknown.flags["known"]) == ("+380 99 111 2233", [], [], False)
    withheld = lookup_caller(session, None, now=clock.now)
    assert withheld.phone is None
    assert withheld.phone_display == ""


def test_a_second_call_today_is_flagged(session: Session, clock: Clock) -> None:
    phone = "+380501112233"
    open_call_draft(session, IncomingCall(call_id="a.1", caller=phone, started_at=clock.now), now=clock.now)
    open_call_draft(session, IncomingCall(call_id="a.2", caller=phone, started_at=clock.advance(minutes=30)), now=clock.now)
    card = lookup_caller(session, phone, now=clock.now, exclude_call_id="a.2")
    assert card.calls_today == 1
    assert card.flags["called_today"]


def test_one_call_one_draft_whatever_the_retries(session: Session, clock: Clock) -> None:
    call = IncomingCall(
        call_id="1711111111.42", caller="0501234567", started_at=clock.now, caller_name="Іваненко", did="0459461111", queue="citizens"
    )
    record, appeal, created = open_call_draft(session, call, now=clock.now)
    again, same, created_again = open_call_draft(session, call, now=clock.now)
    assert (created, created_again) == (True, False)
    assert (again.id, same.id) == (record.id, appeal.id)
    assert appeal.caller == "+380501234567"
    assert appeal.status is AppealStatus.draft
    assert session.exec(select(Call)).all() == [record]
    events = session.exec(select(OutboxMessage).where(OutboxMessage.topic == "call.offered")).all()
    assert len(events) == 1
    assert events[0].payload["data"] == {
        "call_id": "1711111111.42",
        "appeal_id": appeal.id,
        "caller": "+380501234567",
        "did": "0459461111",
        "queue": "citizens",
    }


def test_withheld_caller_gives_a_null_number_and_a_known_caller_a_prefilled_draft(session: Session, clock: Clock) -> None:
    _, anonymous, _ = open_call_draft(session, IncomingCall(call_id="w.1", caller="anonymous", started_at=clock.now), now=clock.now)
    assert anonymous.caller is None
    citizen = make_citizen(session, "Мельник Ігор", ["+380631234567"], now=clock.now, address="бульв. Незалежності, 4")
    _, known, _ = open_call_draft(session, IncomingCall(call_id="k.1", caller="380631234567", started_at=clock.now), now=clock.now)
    assert known.citizen_id == citizen.id
    assert (known.applicant_name, known.applicant_address) == ("Мельник Ігор", "бульв. Незалежності, 4")
    assert session.exec(select(Appeal).where(Appeal.source_ref == "k.1")).one().id == known.id
