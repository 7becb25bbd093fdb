"""An issue's life after registration: assignment, executor reports, verification, rework, escalation, extension."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from appeals.actors import SYSTEM, Actor
from appeals.callbacks import create_callback_task, record_attempt
from appeals.errors import DomainValidationError, ForbiddenError, InvalidTransitionError, NotFoundError
from appeals.issues import ActionInput, record_answer, transition_issue
from appeals.models import (
    Appeal,
    AppealForm,
    AppealStatus,
    Assignment,
    AssignmentState,
    CallbackKind,
    CallbackOutcome,
    CallbackStatus,
    Channel,
    IssueAction,
    IssueStatus,
    Role,
)
from tests.conftest import Clock
from tests.factories import executor, issues_of, make_registered

A = IssueAction
OPERATOR = Actor(None, Role.operator)
SUPERVISOR = Actor(None, Role.supervisor)
CALLBACK = Actor(None, Role.callback_agent)
HEAD = Actor(None, Role.head)


def _executor_actor(session: Session, code: str = "btve") -> Actor:
    return Actor(None, Role.executor, executor_id=executor(session, code).id)


def _to_verification(session: Session, issue_id: int, clock: Clock) -> None:
    transition_issue(session, issue_id, A.assign, actor=SYSTEM, now=clock.now)
    crew = _executor_actor(session)
    transition_issue(session, issue_id, A.accept, actor=crew, now=clock.advance(minutes=10))
    transition_issue(session, issue_id, A.report_done, actor=crew, now=clock.advance(hours=3), data=ActionInput(reason="замінено засувку"))
    transition_issue(session, issue_id, A.start_verification, actor=SYSTEM, now=clock.now)


def test_happy_path_closes_the_issue_and_the_appeal(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    _to_verification(session, issue.id or 0, clock)
    assignment = session.exec(select(Assignment).where(Assignment.issue_id == issue.id)).one()
    assert assignment.state is AssignmentState.reported
    assert assignment.accepted_at is not None
    task, created = create_callback_task(
        session,
        CallbackKind.verification,
        dedup_key=f"verify:{issue.id}:0",
        now=clock.now,
        phone=appeal.caller,
        issue_id=issue.id,
        appeal_id=appeal.id,
    )
    session.commit()
    assert created
    record_attempt(session, task.id or 0, CallbackOutcome.confirmed, actor=CALLBACK, now=clock.advance(hours=1), satisfaction=5)
    session.expire_all()
    [closed] = issues_of(session, appeal.id or 0)
    assert closed.status is IssueStatus.closed_confirmed
    assert closed.closed_at == clock.now
    refreshed = session.get(Appeal, appeal.id)
    assert refreshed is not None
    assert refreshed.status is AppealStatus.closed


def test_dispute_sends_it_back_to_the_same_executor_then_escalates(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    crew = _executor_actor(session)
    _to_verification(session, issue.id or 0, clock)
    for expected_count in (1, 2):
        reworked = transition_issue(
            session, issue.id or 0, A.dispute, actor=CALLBACK, now=clock.advance(hours=1), data=ActionInput(reason="досі холодно")
        )
        assert reworked.status is IssueStatus.rework
        assert reworked.rework_count == expected_count
        assert reworked.executor_id == crew.executor_id
        transition_issue(session, issue.id or 0, A.report_done, actor=crew, now=clock.advance(hours=2), data=ActionInput(reason="ще раз"))
        transition_issue(session, issue.id or 0, A.start_verification, actor=SYSTEM, now=clock.now)
    escalated = transition_issue(
        session, issue.id or 0, A.dispute, actor=CALLBACK, now=clock.advance(hours=1), data=ActionInput(reason="втретє")
    )
    assert escalated.status is IssueStatus.escalated  # never a silent close
    assert escalated.closed_at is None


def test_unanswered_verification_retries_then_closes_unverified(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    _to_verification(session, issue.id or 0, clock)
    task, _ = create_callback_task(
        session, CallbackKind.verification, dedup_key=f"verify:{issue.id}:0", now=clock.now, phone=appeal.caller, issue_id=issue.id
    )
    session.commit()
    first = record_attempt(session, task.id or 0, CallbackOutcome.no_answer, actor=CALLBACK, now=clock.advance(hours=1))
    assert first.status is CallbackStatus.pending
    assert first.next_attempt_at > clock.now
    record_attempt(session, task.id or 0, CallbackOutcome.busy, actor=CALLBACK, now=clock.advance(hours=4))
    last = record_attempt(session, task.id or 0, CallbackOutcome.no_answer, actor=CALLBACK, now=clock.advance(hours=20))
    assert last.status is CallbackStatus.done
    session.expire_all()
    [closed] = issues_of(session, appeal.id or 0)
    assert closed.status is IssueStatus.closed_unverified
    assert closed.verification_attempts == 3
    with pytest.raises(InvalidTransitionError):
        record_attempt(session, task.id or 0, CallbackOutcome.confirmed, actor=CALLBACK, now=clock.now)


def test_missed_call_task_cannot_take_verification_outcomes(session: Session, clock: Clock) -> None:
    task, _ = create_callback_task(
        session, CallbackKind.missed_call, dedup_key="missed:c1", now=clock.now, phone="+380501234567", call_id="c1"
    )
    session.commit()
    with pytest.raises(DomainValidationError) as info:
        record_attempt(session, task.id or 0, CallbackOutcome.confirmed, actor=CALLBACK, now=clock.now)
    assert info.value.code == "callback_outcome_invalid"
    again, created = create_callback_task(session, CallbackKind.missed_call, dedup_key="missed:c1", now=clock.now, phone="+380501234567")
    assert (again.id, created) == (task.id, False)


def test_only_a_head_extends_and_never_beyond_45_days(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    transition_issue(session, issue.id or 0, A.assign, actor=SYSTEM, now=clock.now)
    with pytest.raises(ForbiddenError):
        transition_issue(
            session,
            issue.id or 0,
            A.extend,
            actor=SUPERVISOR,
            now=clock.now,
            data=ActionInput(reason="потрібна закупівля", new_due=date(2026, 12, 20)),
        )
    with pytest.raises(DomainValidationError) as info:
        transition_issue(
            session, issue.id or 0, A.extend, actor=HEAD, now=clock.now, data=ActionInput(reason="закупівля", new_due=date(2027, 1, 30))
        )
    assert info.value.code == "extension_beyond_limit"
    extended = transition_issue(
        session, issue.id or 0, A.extend, actor=HEAD, now=clock.now, data=ActionInput(reason="закупівля", new_due=date(2027, 1, 4))
    )
    assert extended.status is IssueStatus.extended
    assert extended.extended_due_at is not None
    assert extended.extended_due_at.date() == date(2027, 1, 4)
    crew = _executor_actor(session)
    assert transition_issue(session, issue.id or 0, A.report_done, actor=crew, now=clock.now).status is IssueStatus.reported_done


def test_electronic_appeal_closes_only_after_an_answer(session: Session, clock: Clock) -> None:
    appeal = make_registered(
        session, OPERATOR, now=clock.now, channel=Channel.email, form=AppealForm.electronic, reply_email="p@example.org"
    )
    [issue] = issues_of(session, appeal.id or 0)
    _to_verification(session, issue.id or 0, clock)
    with pytest.raises(DomainValidationError) as info:
        transition_issue(session, issue.id or 0, A.confirm, actor=CALLBACK, now=clock.now)
    assert info.value.code == "answer_required"
    record_answer(session, appeal.id or 0, text="Роботи виконано", channel="email", actor=SUPERVISOR, now=clock.now)
    assert transition_issue(session, issue.id or 0, A.confirm, actor=CALLBACK, now=clock.now).status is IssueStatus.closed_confirmed


def test_first_head_appeal_must_be_answered_by_the_head(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    appeal.requires_first_head = True
    session.add(appeal)
    session.commit()
    with pytest.raises(ForbiddenError) as info:
        record_answer(session, appeal.id or 0, text="Відповідь", channel="post", actor=SUPERVISOR, now=clock.now)
    assert info.value.code == "first_head_signature_required"
    assert record_answer(session, appeal.id or 0, text="Відповідь", channel="post", actor=HEAD, now=clock.now).id


def test_executor_cannot_touch_another_organisations_issue(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    transition_issue(session, issue.id or 0, A.assign, actor=SYSTEM, now=clock.now)
    with pytest.raises(NotFoundError):
        transition_issue(session, issue.id or 0, A.accept, actor=_executor_actor(session, "lift"), now=clock.now)


def test_not_in_competence_returns_to_dispatch_and_reassignment_moves_it(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    transition_issue(session, issue.id or 0, A.assign, actor=SYSTEM, now=clock.now)
    back = transition_issue(
        session, issue.id or 0, A.return_to_dispatch, actor=_executor_actor(session), now=clock.now, data=ActionInput(reason="це ОСББ")
    )
    assert back.status is IssueStatus.returned_to_dispatch
    moved = transition_issue(
        session, issue.id or 0, A.assign, actor=SUPERVISOR, now=clock.now, data=ActionInput(executor_id=executor(session, "zhek1").id)
    )
    assert moved.executor_id == executor(session, "zhek1").id
    assert moved.executor_override
    states = session.exec(select(Assignment.state).where(Assignment.issue_id == issue.id).order_by(col(Assignment.id))).all()
    assert states == [AssignmentState.returned, AssignmentState.new]


def test_forwarding_out_needs_the_body_and_sets_the_five_day_term(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    with pytest.raises(DomainValidationError):
        transition_issue(
            session, issue.id or 0, A.forward_out, actor=SUPERVISOR, now=clock.now, data=ActionInput(reason="не наша компетенція")
        )
    out = transition_issue(
        session,
        issue.id or 0,
        A.forward_out,
        actor=SUPERVISOR,
        now=clock.now,
        data=ActionInput(reason="не наша", forward_to="Броварська РДА"),
    )
    assert out.status is IssueStatus.forwarded_out
    assert out.forward_due_at is not None
    assert out.forward_due_at.date() == date(2026, 11, 30)  # 24 Nov + 5 = Sunday 29 → Monday


def test_reopen_within_the_window_only(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    _to_verification(session, issue.id or 0, clock)
    transition_issue(session, issue.id or 0, A.confirm, actor=CALLBACK, now=clock.now)
    reopened = transition_issue(
        session, issue.id or 0, A.reopen, actor=SUPERVISOR, now=clock.advance(days=3), data=ActionInput(reason="знову тече")
    )
    assert reopened.status is IssueStatus.reopened
    refreshed = session.get(Appeal, appeal.id)
    assert refreshed is not None
    assert refreshed.status is AppealStatus.registered
    crew = _executor_actor(session)
    transition_issue(session, issue.id or 0, A.report_done, actor=crew, now=clock.now)
    transition_issue(session, issue.id or 0, A.start_verification, actor=SYSTEM, now=clock.now)
    transition_issue(session, issue.id or 0, A.confirm, actor=CALLBACK, now=clock.now)
    with pytest.raises(DomainValidationError) as info:
        transition_issue(session, issue.id or 0, A.reopen, actor=SUPERVISOR, now=clock.advance(days=31), data=ActionInput(reason="пізно"))
    assert info.value.code == "reopen_window_passed"


def test_overdue_search_finds_open_issues_past_due(session: Session, clock: Clock) -> None:
    from appeals.search import AppealFilter, search_appeals

    appeal = make_registered(session, OPERATOR, now=clock.now)
    assert search_appeals(session, AppealFilter(overdue=True), now=clock.now)[1] == 0
    rows, total = search_appeals(session, AppealFilter(overdue=True), now=clock.now + timedelta(days=30))
    assert total == 1
    assert rows[0].id == appeal.id
