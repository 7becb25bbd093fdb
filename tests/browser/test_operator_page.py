"""The operator page in a real browser over the live app and Redis: the listener's events are published into cc:events
(the seam); the card pops up while the phone rings, the operator fills the form and registers the appeal."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlmodel import Session

from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Role, User
from runtime.streams import COMMANDS, publish, read_range
from tests.browser.conftest import Live, sign_in
from tests.factories import make_citizen

PHONE = "+380442001122"


def _incoming(live: Live, call_id: str, phone: str | None) -> int:
    """What the listener does on first sight of a call: the call row and its draft appeal, then call.offered."""
    with Session(live.engine) as session:
        _call, appeal, _ = open_call_draft(
            session, IncomingCall(call_id=call_id, caller=phone, started_at=datetime.now(UTC), queue="hotline"), now=datetime.now(UTC)
        )
        session.commit()
        appeal_id = appeal.id or 0
    publish(live.redis, "call.offered", {"call_id": call_id, "appeal_id": appeal_id, "caller": phone, "did": "1551", "queue": "hotline"})
    return appeal_id


def test_the_card_pops_up_while_ringing_and_the_operator_registers_the_appeal(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_page", Role.operator, extension="PJSIP/op161")
    with Session(live.engine) as session:
        make_citizen(
            session,
            "Мельник Ганна Петрівна",
            [PHONE],
            now=datetime.now(UTC),
            privileges=["large_family"],
            address="вул. Симона Петлюри, 1, кв. 7",
        )
    sign_in(page, live, "op_page")
    expect(page.locator("#ws-status")).to_have_attribute("data-state", "open")

    appeal_id = _incoming(live, "sim-op-1", PHONE)
    publish(live.redis, "call.agent_ringing", {"call_id": "sim-op-1", "appeal_id": appeal_id, "interface": "PJSIP/op161"})
    expect(page.locator("#call-banner")).to_contain_text("Вхідний дзвінок")
    expect(page.locator("#call-banner .number")).to_have_text("+380 44 200 1122")
    expect(page.locator("#card-citizens")).to_contain_text("Мельник Ганна Петрівна")
    expect(page.locator("#card-flags")).to_contain_text("Пільговик")
    expect(page.locator("input[name=applicant_name]")).to_have_value("Мельник Ганна Петрівна")
    publish(live.redis, "call.answered", {"call_id": "sim-op-1", "interface": "PJSIP/op161"})
    expect(page.locator("#call-banner")).to_contain_text("Розмова")

    page.click("#register")  # no category yet: the law's validation message, nothing registered
    expect(page.locator("#form-error")).not_to_be_empty()

    page.fill("#issues [name=category]", "опалення кварт")
    page.locator("#issues .suggest li", has_text="Відсутність опалення").first.click()
    page.fill("#issues [name=street]", "Петлюри")
    page.locator("#issues .suggest li", has_text="Симона Петлюри").first.click()
    page.fill("#issues [name=house]", "1")
    page.fill("#issues [name=description]", "Холодні батареї третій день")
    page.keyboard.press("Alt+KeyR")
    expect(page.locator("#registered-number")).to_have_text(re.compile(r"^БР-\d{4}-\d{6}$"))
    expect(page.locator("#form-result")).to_contain_text("Строк розгляду до")


def test_the_card_is_withdrawn_when_another_operator_answers(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_page2", Role.operator, extension="PJSIP/op162")
    sign_in(page, live, "op_page2")
    expect(page.locator("#ws-status")).to_have_attribute("data-state", "open")
    appeal_id = _incoming(live, "sim-op-2", None)
    publish(live.redis, "call.agent_ringing", {"call_id": "sim-op-2", "appeal_id": appeal_id, "interface": "PJSIP/op162"})
    expect(page.locator("#call-banner .number")).to_have_text("номер приховано")
    publish(live.redis, "call.agent_released", {"call_id": "sim-op-2", "interface": "PJSIP/op162"})
    expect(page.locator("#call-banner")).to_be_hidden()
    expect(page.locator("#card")).to_contain_text("Очікування дзвінка")


def test_pause_with_a_reason_sends_a_queue_command(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_pause", Role.operator, extension="PJSIP/op163")
    sign_in(page, live, "op_pause")
    expect(page.locator("#ws-status")).to_have_attribute("data-state", "open")
    page.select_option("#q-reason", "lunch")
    page.click("#q-pause")
    expect(page.locator("#q-status")).to_have_text("Команду надіслано…")
    entries = [e for e in read_range(live.redis, COMMANDS) if '"PJSIP/op163"' in e[1]["data"]]
    assert entries[-1][1]["type"] == "queue_pause"
    assert '"reason": "lunch"' in entries[-1][1]["data"]


def test_the_appeal_page_shows_the_registered_appeal_and_its_timeline(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_view", Role.operator, extension="PJSIP/op164")
    appeal_id = _incoming(live, "sim-view-1", PHONE)
    sign_in(page, live, "op_view", next_path=f"/appeals/{appeal_id}")
    expect(page.locator("#appeal-title")).to_have_text(f"Чернетка #{appeal_id}")
    expect(page.locator("#ap-summary")).to_contain_text("+380 44 200 1122")
    expect(page.locator("#ap-history li").first).to_be_visible()


def test_an_incomplete_appeal_shows_ukrainian_messages_by_the_fields(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_incomplete", Role.operator, extension="PJSIP/op165")
    sign_in(page, live, "op_incomplete")
    page.fill("#issues [name=description]", "Не працює ліфт")
    page.click("#register")
    expect(page.locator("#form-error")).to_contain_text("Звернення не можна зареєструвати")
    name = page.locator("input[name=applicant_name]")
    name_error = page.locator("label:has(input[name=applicant_name]) .field-error")
    expect(name_error).to_have_text("Вкажіть ПІБ заявника (ст. 5) або позначте звернення анонімним")
    expect(name).to_have_attribute("aria-invalid", "true")
    assert name_error.get_attribute("id") in (name.get_attribute("aria-describedby") or "").split()
    expect(page.locator("label:has(input[name=applicant_address]) .field-error")).to_contain_text("місце проживання")
    expect(page.locator("#issues fieldset.issue label:has(input[name=category]) .field-error")).to_have_text("Оберіть категорію питання")
    expect(page.locator("#issues fieldset.issue label:has(textarea[name=description]) .field-error")).to_have_count(0)
    expect(page.locator("#appeal-form")).not_to_contain_text("required")
    name.fill("Коваль Олег")  # editing the field clears its message
    expect(name_error).to_have_count(0)
    expect(name).not_to_have_attribute("aria-invalid", "true")
