"""Registration: numbers, deadlines, routing, art. 5/8/17 admissibility, repeats, priority, consultation, discard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.draft_outcomes import discard_appeal, mark_consultation, restore_draft
from appeals.errors import DomainValidationError, InvalidTransitionError
from appeals.issues import ActionInput, transition_issue
from appeals.models import (
    Admissibility,
    Appeal,
    AppealForm,
    AppealKind,
    AppealStatus,
    AppealSubject,
    Channel,
    Citizen,
    CitizenPhone,
    DiscardReason,
    IssueAction,
    IssueStatus,
    ReceiptSign,
    Role,
    StatusChange,
)
from appeals.registration import attach_draft, register_appeal
from appeals.schemas import AppealUpdate
from tests.conftest import Clock
from tests.factories import category, executor, issue_in, issues_of, make_citizen, make_draft, make_registered

OPERATOR = Actor(user_id=None, role=Role.operator)
SUPERVISOR = Actor(user_id=None, role=Role.supervisor)


def test_registered_appeal_gets_number_deadlines_and_routed_executor(session: Session, clock: Clock) -> None:
    first = make_registered(session, OPERATOR, now=clock.now)
    second = make_registered(
        session, OPERATOR, now=clock.now, issues=[issue_in(session, "lift_trapped", street="Ярослава Мудрого", house="12")]
    )
    assert (first.number, second.number) == ("БР-2026-000001", "БР-2026-000002")
    [heat] = issues_of(session, first.id or 0)
    assert heat.executor_id == executor(session, "btve").id
    assert heat.due_at is not None
    assert heat.due_at.date().isoformat() == "2026-12-09"  # received Tue 24 Nov: +15 = Wed 9 Dec
    assert heat.sla_due_at == clock.now + timedelta(hours=24)  # urgent category, 24 h wall clock
    [lift] = issues_of(session, second.id or 0)
    assert lift.executor_id == executor(session, "lift").id
    assert lift.sla_due_at == clock.now + timedelta(hours=1)


def test_balance_holder_routing_follows_the_building_district(session: Session, clock: Clock) -> None:
    masyv = make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, "roof_leak", street="Симона Петлюри", house="3")])
    torgmash = make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, "roof_leak", street="Харківська", house="3")])
    assert issues_of(session, masyv.id or 0)[0].executor_id == executor(session, "zhek1").id
    assert issues_of(session, torgmash.id or 0)[0].executor_id == executor(session, "zhek3").id


def test_operator_override_of_the_executor_is_kept(session: Session, clock: Clock) -> None:
    chosen = issue_in(session, "roof_leak").model_copy(update={"executor_id": executor(session, "inspection").id})
    appeal = make_registered(session, OPERATOR, now=clock.now, issues=[chosen])
    [issue] = issues_of(session, appeal.id or 0)
    assert issue.executor_id == executor(session, "inspection").id
    assert issue.executor_override


def test_one_call_two_issues_each_with_its_own_deadline(session: Session, clock: Clock) -> None:
    appeal = make_registered(
        session, OPERATOR, now=clock.now, issues=[issue_in(session, "no_heating"), issue_in(session, "entrance_repair")]
    )
    heat, entrance = issues_of(session, appeal.id or 0)
    assert (heat.seq, entrance.seq) == (1, 2)
    assert heat.due_at is not None
    assert entrance.due_at is not None
    assert entrance.due_at > heat.due_at  # one month vs 15 days


def test_missing_name_and_address_on_a_call_is_refused_with_fields_and_the_draft_is_kept(session: Session, clock: Clock) -> None:
    draft = make_draft(session, OPERATOR, now=clock.now, name="", address="")
    with pytest.raises(DomainValidationError) as info:
        register_appeal(session, draft.id or 0, actor=OPERATOR, now=clock.now, reg_prefix="БР")
    assert info.value.code == "appeal_incomplete"
    assert set(info.value.fields) == {"applicant_name", "applicant_address"}
    session.rollback()
    kept = session.get(Appeal, draft.id)
    assert kept is not None
    assert kept.status is AppealStatus.draft
    assert kept.number is None


def test_issue_without_category_or_description_is_refused(session: Session, clock: Clock) -> None:
    draft = make_draft(
        session, OPERATOR, now=clock.now, issues=[issue_in(session).model_copy(update={"category_id": None, "description": ""})]
    )
    with pytest.raises(DomainValidationError) as info:
        register_appeal(session, draft.id or 0, actor=OPERATOR, now=clock.now, reg_prefix="БР")
    assert {"issues.0.category_id", "issues.0.description"} <= set(info.value.fields)


def test_anonymous_oral_appeal_is_registered_as_operational(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now, caller=None, name="", address="", subject=AppealSubject.anonymous)
    assert appeal.admissibility is Admissibility.accepted
    assert issues_of(session, appeal.id or 0)[0].status is IssueStatus.registered


def test_anonymous_written_appeal_is_not_considered(session: Session, clock: Clock) -> None:
    appeal = make_registered(
        session,
        OPERATOR,
        now=clock.now,
        caller=None,
        name="",
        address="",
        channel=Channel.email,
        form=AppealForm.electronic,
        reply_email="x@example.org",
    )
    assert appeal.admissibility is Admissibility.not_considered
    assert appeal.not_considered_reason == "anonymous"
    assert appeal.status is AppealStatus.closed
    assert issues_of(session, appeal.id or 0)[0].status is IssueStatus.not_considered


def test_email_without_address_is_returned_within_ten_days(session: Session, clock: Clock) -> None:
    appeal = make_registered(
        session, OPERATOR, now=clock.now, address="", channel=Channel.email, form=AppealForm.electronic, reply_email="p@example.org"
    )
    assert appeal.admissibility is Admissibility.returned_incomplete
    assert issues_of(session, appeal.id or 0)[0].status is IssueStatus.returned_incomplete
    assert appeal.return_due_at is not None
    assert appeal.return_due_at.date().isoformat() == "2026-12-04"


def test_late_complaint_is_not_considered_unless_the_term_is_restored(session: Session, clock: Clock) -> None:
    late = {"kind": AppealKind.complaint, "channel": Channel.email, "form": AppealForm.electronic, "reply_email": "p@example.org"}
    old = clock.now.date() - timedelta(days=400)
    refused = make_registered(session, OPERATOR, now=clock.now, contested_decision_date=old, **late)
    assert refused.not_considered_reason == "complaint_late"
    restored = make_registered(session, OPERATOR, now=clock.now, contested_decision_date=old, deadline_restored=True, **late)
    assert restored.admissibility is Admissibility.accepted


def test_registration_creates_the_citizen_and_the_next_call_finds_them(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now, caller="050 123 45 67")
    citizen = session.get(Citizen, appeal.citizen_id)
    assert citizen is not None
    assert citizen.full_name == "Іваненко Петро Іванович"
    phones = session.exec(select(CitizenPhone.phone).where(CitizenPhone.citizen_id == citizen.id)).all()
    assert phones == ["+380501234567"]
    again = make_registered(session, OPERATOR, now=clock.now, caller="+380501234567")
    assert again.citizen_id == citizen.id


def test_privileged_citizen_makes_the_appeal_priority_and_first_head(session: Session, clock: Clock) -> None:
    veteran = make_citizen(session, "Петренко Іван", ["+380671112233"], now=clock.now, privileges=["war_disabled"])
    appeal = make_registered(session, OPERATOR, now=clock.now, caller="+380671112233", citizen_id=veteran.id, name="Петренко Іван")
    assert appeal.is_priority
    assert appeal.requires_first_head


def test_repeated_appeal_after_a_closed_one_is_detected_and_linked(session: Session, clock: Clock) -> None:
    first = make_registered(session, OPERATOR, now=clock.now)
    [cancelled] = issues_of(session, first.id or 0)
    transition_issue(session, cancelled.id or 0, IssueAction.cancel, actor=SUPERVISOR, now=clock.now, data=ActionInput(reason="дубль"))
    second = make_registered(session, OPERATOR, now=clock.now)
    assert not second.is_repeated  # a cancelled issue was never decided on the merits
    [issue] = issues_of(session, second.id or 0)
    for action in (IssueAction.assign, IssueAction.report_done, IssueAction.start_verification):
        transition_issue(session, issue.id or 0, action, actor=SUPERVISOR, now=clock.now)
    transition_issue(session, issue.id or 0, IssueAction.confirm, actor=Actor(None, Role.callback_agent), now=clock.now)
    third = make_registered(session, OPERATOR, now=clock.now)
    assert third.is_repeated
    assert third.receipt_sign is ReceiptSign.repeated
    assert third.previous_appeal_id == second.id
    other_address = make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, street="Харківська", house="3")])
    assert not other_address.is_repeated


def test_registering_twice_is_an_invalid_transition(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    with pytest.raises(InvalidTransitionError) as info:
        register_appeal(session, appeal.id or 0, actor=OPERATOR, now=clock.now, reg_prefix="БР")
    assert info.value.code == "appeal_invalid_transition"


def test_register_with_last_changes_applies_them(session: Session, clock: Clock) -> None:
    draft = make_draft(session, OPERATOR, now=clock.now, name="")
    appeal = register_appeal(
        session, draft.id or 0, actor=OPERATOR, now=clock.now, reg_prefix="БР", changes=AppealUpdate(applicant_name="Коваль Ольга")
    )
    assert appeal.applicant_name == "Коваль Ольга"
    assert appeal.status is AppealStatus.registered


def test_consultation_is_counted_not_registered(session: Session, clock: Clock) -> None:
    draft = make_draft(session, OPERATOR, now=clock.now)
    done = mark_consultation(
        session, draft.id or 0, actor=OPERATOR, now=clock.now, category_id=category(session, "subsidy").id, note="пояснено порядок"
    )
    assert done.status is AppealStatus.consultation
    assert done.number is None
    assert issues_of(session, done.id or 0)[0].status is IssueStatus.cancelled


def test_discard_needs_a_reason_and_a_supervisor_can_restore(session: Session, clock: Clock) -> None:
    draft = make_draft(session, OPERATOR, now=clock.now)
    with pytest.raises(DomainValidationError):
        discard_appeal(session, draft.id or 0, actor=OPERATOR, now=clock.now, reason=DiscardReason.other, note="")
    discarded = discard_appeal(session, draft.id or 0, actor=OPERATOR, now=clock.now, reason=DiscardReason.silence)
    assert discarded.status is AppealStatus.discarded
    with pytest.raises(InvalidTransitionError):
        register_appeal(session, draft.id or 0, actor=OPERATOR, now=clock.now, reg_prefix="БР")
    restored = restore_draft(session, draft.id or 0, actor=SUPERVISOR, now=clock.now, reason="помилково")
    assert restored.status is AppealStatus.draft
    assert issues_of(session, draft.id or 0)[0].status is IssueStatus.draft


def test_repeated_contact_joins_the_open_appeal(session: Session, clock: Clock) -> None:
    target = make_registered(session, OPERATOR, now=clock.now)
    draft = make_draft(session, OPERATOR, now=clock.now, issues=[])
    joined = attach_draft(session, draft.id or 0, target.id or 0, actor=OPERATOR, now=clock.now, issues=[issue_in(session, "lift_broken")])
    assert [i.seq for i in issues_of(session, joined.id or 0)] == [1, 2]
    closed_draft = session.get(Appeal, draft.id)
    assert closed_draft is not None
    assert closed_draft.status is AppealStatus.discarded
    assert closed_draft.previous_appeal_id == target.id


def test_every_change_is_in_the_history_with_actor_and_time(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    rows = session.exec(select(StatusChange).where(StatusChange.appeal_id == appeal.id)).all()
    assert [(r.entity, r.action, r.to_status) for r in rows] == [
        ("appeal", "open", "draft"),
        ("issue", "register", "registered"),
        ("appeal", "register", "registered"),
    ]
    assert all(r.at == clock.now for r in rows)
