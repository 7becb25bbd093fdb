"""The operator page end to end: `callcenter pbx-sim`, `callcenter listener` and `callcenter api` as subprocesses
(the stack fixture of test_ops_telephony); the call is placed through the simulator's control interface."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from appeals.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_ops_telephony import Stack, stack

__all__ = ["stack"]


def test_the_card_appears_on_the_operator_page_while_the_simulated_call_rings(page: Page, stack: Stack) -> None:
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
    # registering from this stack is covered with seam events in test_operator_page; here it did not complete yet
