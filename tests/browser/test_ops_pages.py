"""The wallboard and the callback desk in a real browser over the live API (page logic; the telephony end-to-end
runs in test_ops_telephony.py): live queue state, today's figures, TV mode, roles; worklist, click-to-call, outcome."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from appeals.callback_tasks import create_callback_task
from appeals.models import Call, CallbackKind, CallbackTask, CallDirection, Role, User
from runtime.streams import COMMANDS, QUEUES_KEY, decode_entry, publish, read_range
from tests.browser.conftest import Live, sign_in


def _queue_state(live: Live, waiting: list[dict[str, object]]) -> None:
    now = datetime.now(UTC)
    members = [
        {
            "interface": "PJSIP/op161",
            "name": "op161",
            "status": 2,
            "paused": False,
            "paused_reason": "",
            "in_call": True,
            "since": (now - timedelta(seconds=70)).isoformat(),
        },
        {
            "interface": "PJSIP/op162",
            "name": "op162",
            "status": 1,
            "paused": True,
            "paused_reason": "обід",
            "in_call": False,
            "since": now.isoformat(),
        },
    ]
    state = {"queue": "hotline", "waiting": waiting, "members": members, "counters": {"offered": 1}}
    live.redis.hset(QUEUES_KEY, "hotline", json.dumps(state))
    live.redis.set("cc:listener", json.dumps({"state": "up", "since": now.isoformat(), "at": now.isoformat()}), ex=30)


def test_wallboard_shows_live_queue_and_today(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("sup_wb", Role.supervisor, extension="PJSIP/op190")
    staff("op_wb", Role.operator, extension="PJSIP/op161")
    now = datetime.now(UTC)
    with Session(live.engine) as session:
        session.add(
            Call(
                call_id="wb-missed-1",
                direction=CallDirection.inbound,
                queue="hotline",
                caller="+380441112233",
                started_at=now - timedelta(minutes=3),
                ended_at=now - timedelta(minutes=2),
                abandoned=True,
                wait_seconds=40,
            )
        )
        session.commit()
    entered = (now - timedelta(seconds=25)).isoformat()
    _queue_state(live, [{"call_id": "wb-wait-1", "caller_masked": "••• 4567", "position": 1, "wait_seconds": 25.0, "entered_at": entered}])
    sign_in(page, live, "sup_wb")
    expect(page).to_have_url(f"{live}/supervisor")
    expect(page.locator("#waiting tbody tr[data-call-id='wb-wait-1']")).to_contain_text("••• 4567")
    expect(page.locator(".tile[data-queue='hotline'] .waiting-count")).to_have_text("1")
    expect(page.locator(".tile[data-queue='hotline'] .abandoned")).not_to_have_text("0")
    expect(page.locator("#missed tbody tr[data-call-id='wb-missed-1']")).to_contain_text("+380 44 111 2233")
    expect(page.locator("#agents tr[data-interface='PJSIP/op161']")).to_contain_text("розмова")
    expect(page.locator("#agents tr[data-interface='PJSIP/op162']")).to_contain_text("пауза (обід)")
    expect(page.locator("#wb-listener")).to_have_text("АТС: на зв'язку")
    expect(page.locator("#load-chart svg rect").first).to_be_attached()
    # listen to the operator's call: the spy command goes to cc:commands
    page.click("#agents tr[data-interface='PJSIP/op161'] button[data-mode=listen]")
    expect(page.locator("#flash")).to_contain_text("телефон зараз задзвонить")
    [(_, fields)] = read_range(live.redis, COMMANDS)
    assert decode_entry(fields)[3]["number"] == "PJSIP/op161"
    live.redis.delete(COMMANDS)


def test_tv_mode_has_large_type_and_no_controls(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("sup_tv", Role.supervisor, extension="PJSIP/op191")
    _queue_state(live, [])
    sign_in(page, live, "sup_tv", next_path="/wallboard/tv")
    expect(page.locator(".wb.tv")).to_be_visible()
    expect(page.locator("#agents tr[data-interface='PJSIP/op161']")).to_be_visible()
    expect(page.locator("#agents button")).to_have_count(0)
    expect(page.locator("#wb-tv-link")).to_have_count(0)
    expect(page.locator("#nav")).to_be_hidden()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile .big strong')).fontSize)")
    assert size >= 48


def test_an_operator_cannot_open_the_wallboard(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_nowb", Role.operator, extension="PJSIP/op163")
    sign_in(page, live, "op_nowb")
    page.goto(f"{live}/supervisor")
    expect(page.locator("main [role=alert]")).to_contain_text("недоступна для вашої ролі")


def test_callback_desk_click_to_call_and_outcome(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("cb_desk", Role.callback_agent, extension="PJSIP/op170")
    now = datetime.now(UTC)
    with Session(live.engine) as session:
        task, _ = create_callback_task(session, CallbackKind.missed_call, dedup_key="desk:1", now=now, phone="+380671234567", priority=1)
        session.commit()
        task_id = task.id
    sign_in(page, live, "cb_desk")
    expect(page).to_have_url(f"{live}/callbacks")
    row = page.locator(f"#cb-list tr[data-task-id='{task_id}']")
    expect(row).to_contain_text("+380 67 123 4567")
    row.click()
    page.click("#cb-call")
    expect(page.locator("#cb-status")).to_contain_text("Дзвонить ваш телефон")
    [(_, fields)] = read_range(live.redis, COMMANDS)
    data = decode_entry(fields)[3]
    assert (data["kind"], data["interface"], data["number"], data["task_id"]) == ("originate", "PJSIP/op170", "+380671234567", task_id)
    publish(live.redis, "command.result", {"command_id": data["command_id"], "kind": "originate", "outcome": "ok", "reason": None})
    expect(page.locator("#cb-status")).to_contain_text("З'єднано")
    page.select_option("#cb-outcome select[name=satisfaction]", "4")
    page.fill("#cb-outcome textarea[name=note]", "Передзвонили, питання вирішено")
    page.click("#cb-buttons button[data-outcome=reached]")
    expect(page.locator("#flash")).to_contain_text("збережено")
    expect(row).to_have_count(0)
    with Session(live.engine) as session:
        done = session.exec(select(CallbackTask).where(CallbackTask.id == task_id)).one()
        assert (done.status.value, done.outcome, done.satisfaction) == ("done", "reached", 4)
    live.redis.delete(COMMANDS)
