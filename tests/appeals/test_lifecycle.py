"""The issue state machine: the transition table, role guards, reasons, and random walks over it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appeals.errors import DomainValidationError, ForbiddenError, InvalidTransitionError
from appeals.lifecycle import TRANSITIONS, allowed_actions, plan_transition
from appeals.models import CLOSED_ISSUE_STATUSES, TERMINAL_ISSUE_STATUSES, IssueAction, IssueStatus, Role
from appeals.wording import status_name

S, A = IssueStatus, IssueAction


def _row(action: IssueAction):
    return next(t for t in TRANSITIONS if t.action is action)


def _who(action: IssueAction) -> Role | None:
    row = _row(action)
    return sorted(row.roles)[0] if row.roles else None


def test_every_domain_state_is_reachable_from_draft() -> None:
    reached, frontier = {S.draft}, [S.draft]
    while frontier:
        status = frontier.pop()
        for t in TRANSITIONS:
            if status in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(S)


def test_terminal_states_lead_nowhere_except_reopening_a_closed_issue() -> None:
    for status in TERMINAL_ISSUE_STATUSES:
        outgoing = {t.action for t in TRANSITIONS if status in t.sources}
        assert outgoing == ({A.reopen} if status in CLOSED_ISSUE_STATUSES else set()), status


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_each_status_and_action_pair_follows_the_table(status: IssueStatus, action: IssueAction) -> None:
    row = _row(action)
    role = _who(action)
    if status in row.sources:
        assert plan_transition(1, status, action, role, reason="причина").target is row.target
    else:
        with pytest.raises(InvalidTransitionError) as info:
            plan_transition(1, status, action, role, reason="причина")
        assert info.value.code == "issue_invalid_transition"
        assert info.value.status == status.value
        assert status_name("issue", status.value) in str(info.value)


def test_wrong_role_is_forbidden_with_the_allowed_roles_named() -> None:
    with pytest.raises(ForbiddenError, match="можуть: керівник"):
        plan_transition(7, S.in_work, A.extend, Role.supervisor, reason="потрібен час")
    with pytest.raises(ForbiddenError):
        plan_transition(7, S.assigned, A.accept, Role.operator)


def test_the_system_may_not_take_a_persons_action() -> None:
    with pytest.raises(ForbiddenError, match="виконує людина"):
        plan_transition(7, S.assigned, A.accept, None)
    assert plan_transition(7, S.registered, A.assign, None).target is S.assigned


def test_actions_that_need_a_reason_refuse_a_blank_one() -> None:
    with pytest.raises(DomainValidationError) as info:
        plan_transition(7, S.in_work, A.return_to_dispatch, Role.executor, reason="   ")
    assert info.value.code == "reason_required"


def test_executor_sees_only_its_own_actions() -> None:
    assert set(allowed_actions(S.assigned, Role.executor)) == {A.accept, A.return_to_dispatch, A.report_done, A.report_explained}
    assert allowed_actions(S.closed_confirmed, Role.executor) == []


@given(st.lists(st.sampled_from(list(A)), max_size=40))
def test_random_walks_only_ever_visit_states_of_the_table(actions: list[IssueAction]) -> None:
    status = S.draft
    for action in actions:
        try:
            status = plan_transition(1, status, action, None, reason="r").target
        except (InvalidTransitionError, ForbiddenError):
            continue
        assert status in set(S)
        if status in TERMINAL_ISSUE_STATUSES and status not in CLOSED_ISSUE_STATUSES:
            assert allowed_actions(status, None) == []
