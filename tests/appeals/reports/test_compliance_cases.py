"""Compliance checks catch what the core refuses today but imported or legacy data may still hold."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from appeals.actors import SYSTEM, Actor
from appeals.history import record_status_change
from appeals.issues import record_answer
from appeals.models import Answer, AppealForm, Channel, IssueStatus, Role
from appeals.reports.compliance import compliance
from appeals.reports.scope import month_filter
from tests.factories import issues_of, make_citizen, make_registered, make_user

OPERATOR = Actor(None, Role.operator)
T = datetime(2026, 11, 2, 8, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _violations(session: Session) -> dict[object, object]:
    report = compliance(session, month_filter(2026, 11), now=NOW)
    return {r["check"]: r["violations"] for r in report.table("summary").rows if r["violations"]}


def test_a_returned_appeal_without_a_timely_answer(session: Session) -> None:
    late = make_registered(session, OPERATOR, now=T, channel=Channel.email, address="", reply_email="a@example.org")
    on_time = make_registered(
        session, OPERATOR, now=T, channel=Channel.email, address="", reply_email="b@example.org", caller="+380671112233"
    )
    assert late.return_due_at is not None
    record_answer(
        session,
        on_time.id or 0,
        text="Повертаємо: не вказано адресу.",
        channel="email",
        actor=Actor(None, Role.supervisor),
        now=datetime(2026, 11, 5, tzinfo=UTC),
    )
    assert _violations(session) == {"Повернуто заявнику пізніше 10 днів (ст. 5)": 1}


def test_an_answer_to_a_first_head_appeal_signed_by_someone_else(session: Session) -> None:
    make_citizen(session, "Бондар Іван", ["+380507778899"], now=T, privileges=["war_disabled"])
    appeal = make_registered(session, OPERATOR, now=T, caller="+380507778899", name="Бондар Іван")
    assert appeal.requires_first_head
    clerk = make_user(session.get_bind(), "clerk", Role.supervisor, now=T)  # type: ignore[arg-type]
    session.add(Answer(appeal_id=appeal.id or 0, text="Відповідь", signed_by=clerk.id, sent_at=datetime(2026, 11, 10, tzinfo=UTC)))
    session.commit()
    assert _violations(session) == {"Відповідь не підписана керівником (ст. 14, 15)": 1}


def test_an_imported_extension_beyond_45_days_and_a_closure_without_answer(session: Session) -> None:
    appeal = make_registered(session, OPERATOR, now=T)
    [issue] = issues_of(session, appeal.id or 0)
    issue.extended_due_at = datetime(2026, 12, 31, 21, 59, 59, tzinfo=UTC)  # received 2 Nov: 45 days end on 17 Dec
    record_status_change(
        session,
        entity="issue",
        entity_id=issue.id or 0,
        appeal_id=appeal.id,
        action="extend",
        from_status="in_work",
        to_status="extended",
        actor=SYSTEM,
        now=datetime(2026, 11, 20, tzinfo=UTC),
    )
    session.add(issue)
    written = make_registered(session, OPERATOR, now=T, channel=Channel.post, signed=True)
    assert written.form is AppealForm.written
    [closed] = issues_of(session, written.id or 0)
    closed.status, closed.closed_at = IssueStatus.closed_explained, datetime(2026, 11, 25, tzinfo=UTC)
    session.add(closed)
    session.commit()
    assert _violations(session) == {
        "Продовжено понад 45 днів (ст. 20)": 1,
        "Продовжено без повідомлення заявника (ст. 20)": 1,
        "Закрито без відповіді (ст. 15, 19)": 1,
    }
