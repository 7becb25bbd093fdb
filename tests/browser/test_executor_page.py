"""The executor's page in a real browser: the assignment from the notification link, accept, report done with a comment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlmodel import Session

from appeals.actors import SYSTEM
from appeals.issues import transition_issue
from appeals.models import IssueAction, Role, User
from tests.browser.conftest import Live, sign_in
from tests.factories import actor_of, issues_of, make_registered


def test_an_executor_accepts_and_reports_done_from_the_emailed_link(page: Page, live: Live, staff: Callable[..., User]) -> None:
    operator = staff("op_for_exec", Role.operator, extension="PJSIP/op181")
    staff("heat_exec", Role.executor, org="btve")
    with Session(live.engine) as session:
        appeal = make_registered(session, actor_of(operator), now=datetime.now(UTC))
        issue = issues_of(session, appeal.id or 0)[0]
        number, issue_id = appeal.number or "", issue.id or 0
        transition_issue(session, issue_id, IssueAction.assign, actor=SYSTEM, now=datetime.now(UTC))  # what the routing job does
    sign_in(page, live, "heat_exec", next_path=f"/executor/assignments/{issue_id}")
    expect(page.locator("#as-rows")).to_contain_text(number)
    expect(page.locator("#one-description")).to_contain_text("Холодні батареї")
    page.click("#one-actions [data-action=accept]")
    expect(page.locator("#one-status")).to_have_text("В роботі")
    page.click("#one-actions [data-action=report_done]")
    expect(page.locator("#one-error")).to_contain_text("Додайте коментар")
    page.fill("#one-form [name=reason]", "Замінено засувку, тепло подано")
    page.click("#one-actions [data-action=report_done]")
    expect(page.locator("#one-status")).not_to_have_text("В роботі")
