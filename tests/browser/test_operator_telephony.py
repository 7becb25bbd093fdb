"""The operator page end to end: `callcenter pbx-sim`, `callcenter listener` and `callcenter api` as subprocesses
(the stack fixture of test_ops_telephony); the call is placed through the simulator's control interface."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from appeals.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_ops_telephony import Stack, stack

__all__ = ["stack"]


def test_the_card_appears_while_the_simulated_call_rings_and_the_operator_registers_the_appeal(page: Page, stack: Stack) -> None:
    stack.user("op_e2e", Role.operator, extension="PJSIP/op102")
    stack.sim("POST", "/devices", {"interface": "PJSIP/op101", "available": False})
    sign_in(page, stack.url, "op_e2e")
    expect(page).to_have_url(f"{stack}/operator")
    expect(page.locator("#ws-status")).to_have_attribute("data-state", "open")
    stack.sim(
        "POST",
        "/calls",
        {
            "caller": "+380442345999",
            "outcome": "answered",
            "operator": "PJSIP/op102",
            "ring_seconds": 6,
            "talk_seconds": 30,
            "queue": "hotline",
        },
    )
    expect(page.locator("#call-banner")).to_contain_text("Вхідний дзвінок", timeout=15_000)
    expect(page.locator("#call-banner .number")).to_have_text("+380 44 234 5999")
    page.screenshot(path="tests/artifacts/operator_e2e_ringing.png", full_page=True)
    expect(page.locator("#card")).to_contain_text("Громадянина з цим номером немає в базі")
    expect(page.locator("#call-banner")).to_contain_text("Розмова", timeout=15_000)
    # the caller is unknown: the law (art. 5) wants the applicant's name and address before registration
    page.fill("input[name=applicant_name]", "Бондар Ірина Олексіївна")
    page.fill("input[name=applicant_address]", "вул. Симона Петлюри, 1, кв. 12")
    page.fill("#issues [name=category]", "опалення кварт")
    page.locator("#issues .suggest li", has_text="Відсутність опалення").first.click()
    page.fill("#issues [name=street]", "Петлюри")
    page.locator("#issues .suggest li", has_text="Симона Петлюри").first.click()
    page.fill("#issues [name=house]", "1")
    page.fill("#issues [name=description]", "Холодні батареї третій день")
    page.click("#register")
    expect(page.locator("#registered-number")).to_have_text(re.compile(r"^БР-\d{4}-\d{6}$"), timeout=15_000)
    page.screenshot(path="tests/artifacts/operator_e2e_registered.png", full_page=True)
