"""The shared page skeleton in a real browser: sign-in redirects by role, nav by role, wrong role refused, sign-out."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from appeals.models import Role, User
from tests.browser.conftest import Live, sign_in


def test_an_operator_lands_on_the_operator_page_with_their_nav(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("op_nav", Role.operator, extension="PJSIP/op151")
    sign_in(page, live, "op_nav")
    expect(page).to_have_url(f"{live}/operator")
    expect(page.locator("#nav a:visible")).to_have_text(["Оператор"])
    expect(page.locator("#who")).to_contain_text("оператор")
    assert page.evaluate("sessionStorage.getItem('cc_token')")


def test_the_login_page_returns_to_next_and_refuses_a_bad_password(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("exec_nav", Role.executor)
    page.goto(f"{live}/")
    page.fill("input[name=username]", "exec_nav")
    page.fill("input[name=password]", "wrong")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).not_to_be_empty()
    sign_in(page, live, "exec_nav", next_path="/executor/assignments/5")
    expect(page).to_have_url(f"{live}/executor/assignments/5")


def test_a_page_for_another_role_says_so_and_sign_out_forgets_the_token(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("exec_other", Role.executor)
    sign_in(page, live, "exec_other")
    page.goto(f"{live}/operator")
    expect(page.locator("main [role=alert]")).to_contain_text("недоступна для вашої ролі")
    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('cc_token')") is None


def test_without_a_token_a_page_sends_to_the_login_with_next(page: Page, live: Live) -> None:
    page.goto(f"{live}/admin/kb")
    expect(page).to_have_url(f"{live}/?next=%2Fadmin%2Fkb")


def test_phone_and_kyiv_date_formatting(page: Page, live: Live) -> None:
    page.goto(f"{live}/")
    assert page.evaluate("CC.fmt.phone('+380441234567')") == "+380 44 123 4567"
    assert page.evaluate("CC.fmt.phone(null)") == "номер приховано"
    assert page.evaluate("CC.fmt.datetime('2026-11-28T22:30:00Z')") == "29.11.2026 00:30"


def test_an_admin_writes_an_article_and_an_operator_finds_it(page: Page, live: Live, staff: Callable[..., User]) -> None:
    staff("kb_writer", Role.admin)
    sign_in(page, live, "kb_writer")
    expect(page).to_have_url(f"{live}/admin/kb")
    page.fill("#kb-form [name=title]", "Відключення гарячої води влітку")
    page.fill("#kb-form [name=body]", "Планові ремонти тепломереж тривають до 14 днів; графік на сайті міськради.")
    page.click("#kb-form button[type=submit]")
    expect(page.locator("#kb-rows")).to_contain_text("Відключення гарячої води влітку")
    page.click("#logout")
    staff("kb_reader", Role.operator, extension="PJSIP/op171")
    sign_in(page, live, "kb_reader")
    page.fill("#kb-q", "гарячою водою")
    expect(page.locator("#kb-results")).to_contain_text("Відключення гарячої води влітку")
