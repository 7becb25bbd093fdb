"""Routing: registration → outbox → `route_appeal` on rq → assignment → e-mail to the executor over real SMTP."""

from __future__ import annotations

import logging
import re

import pytest
from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.issues import ActionInput, transition_issue
from appeals.models import (
    Assignment,
    IssueAction,
    IssueStatus,
    Notification,
    NotificationStatus,
    OutboxMessage,
    Role,
    RoutingRule,
)
from appeals.schemas import IssueIn
from tests.conftest import Clock
from tests.factories import building, category, executor, issue_in, issues_of, make_registered
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext
from workers.queues import ROUTING, queue

OPERATOR = Actor(None, Role.operator)


def test_registration_puts_the_routing_job_in_the_outbox(session: Session, clock: Clock) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    jobs = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "job")).all()
    assert [(j.topic, j.payload["func"], j.payload["job_id"]) for j in jobs] == [
        (ROUTING, "workers.routing_jobs.route_appeal", f"route-{appeal.id}")
    ]


def test_a_registered_appeal_reaches_its_executor_by_email(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    with caplog.at_level(logging.INFO, logger="workers.sms"):
        run_jobs(job_ctx)
    [issue] = issues_of(session, appeal.id or 0)
    session.refresh(issue)
    assert issue.status is IssueStatus.assigned
    assignment = session.exec(select(Assignment).where(Assignment.issue_id == issue.id)).one()
    assert assignment.executor_id == executor(session, "btve").id
    [mail] = smtp_sink.to("btve@example.org")
    number = f"{appeal.number}/1"
    assert mail["Subject"] == f"[{number}] Нове доручення: Відсутність опалення в квартирі"
    assert re.fullmatch(r"<cc\.n\d+\.[0-9a-f]{16}@brovary\.example>", mail["Message-ID"])
    assert mail["From"] == "Контакт-центр <cc@brovary.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert f"Номер: {number}" in body
    assert "вул. Симона Петлюри, 5" in body
    assert "Холодні батареї у квартирі" in body
    assert f"https://cc.brovary.example/executor/assignments/{issue.id}" in body
    assert "Строк виконання: 25.11.2026 11:30" in body  # urgent category: 24 h SLA, Kyiv time
    assert "+380 50 123 4567" in body  # urgent: the crew may need to call
    # the applicant called from a mobile: the acknowledgement with the number goes by SMS (log gateway)
    sms = [r for r in caplog.records if r.getMessage().startswith("sms written")]
    assert len(sms) == 1
    assert sms[0].event_data["to"] == "***4567"  # type: ignore[attr-defined]
    notes = session.exec(select(Notification)).all()
    assert {(n.kind, n.channel.value, n.status) for n in notes} == {
        ("executor_assignment", "email", NotificationStatus.sent),
        ("citizen_ack", "sms", NotificationStatus.sent),
    }


def test_routing_rules_pick_the_most_specific_executor_and_the_operator_override_wins(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    lift_co = executor(session, "lift")
    house = building(session, "Симона Петлюри", "5")
    session.add(RoutingRule(category_id=category(session, "no_heating").id or 0, executor_id=lift_co.id or 0, building_id=house.id))
    session.commit()
    by_rule = make_registered(session, OPERATOR, now=clock.now)
    chosen = executor(session, "blagoustriy")
    override = IssueIn(**{**issue_in(session).model_dump(), "executor_id": chosen.id})
    by_hand = make_registered(session, OPERATOR, now=clock.now, issues=[override])
    run_jobs(job_ctx)
    assert issues_of(session, by_rule.id or 0)[0].executor_id == lift_co.id
    assigned = issues_of(session, by_hand.id or 0)[0]
    assert (assigned.executor_id, assigned.status) == (chosen.id, IssueStatus.assigned)
    assert len(smtp_sink.to(lift_co.email or "")) == 1
    assert len(smtp_sink.to(chosen.email or "")) == 1


@pytest.mark.usefixtures("restore_executors")
def test_an_emergency_also_alerts_the_executors_24_7_dispatch(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    btve = executor(session, "btve")
    btve.dispatch_email = "dispatch-24x7@btve.example"
    session.add(btve)
    session.commit()
    appeal = make_registered(
        session, OPERATOR, now=clock.now, issues=[issue_in(session, "heat_pipe_burst", description="Б'є гаряча вода з-під землі")]
    )
    run_jobs(job_ctx)
    [alert] = smtp_sink.to("dispatch-24x7@btve.example")
    assert alert["Subject"].startswith(f"[{appeal.number}/1] АВАРІЯ: Прорив тепломережі")
    assert "Б'є гаряча вода з-під землі" in alert.get_content()
    [normal] = smtp_sink.to("btve@example.org")
    assert "АВАРІЙНЕ" in normal["Subject"]


def test_not_in_competence_goes_back_to_the_supervisors_and_forwarding_tells_the_citizen(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now, reply_email="petro@example.net", reply_channel="email")
    run_jobs(job_ctx)
    [issue] = issues_of(session, appeal.id or 0)
    heat = Actor(None, Role.executor, executor_id=executor(session, "btve").id)
    transition_issue(
        session,
        issue.id or 0,
        IssueAction.return_to_dispatch,
        actor=heat,
        now=clock.advance(hours=1),
        data=ActionInput(reason="Це мережа обленерго"),
    )
    run_jobs(job_ctx)
    [desk] = smtp_sink.to("dispatch@brovary.example")
    assert "Не в компетенції" in desk["Subject"]
    assert "не пізніше 30.11.2026" in desk.get_content()  # received 24.11 + 5 days (art. 7): 29.11 is a Sunday → Monday
    supervisor = Actor(None, Role.supervisor)
    transition_issue(
        session,
        issue.id or 0,
        IssueAction.forward_out,
        actor=supervisor,
        now=clock.advance(hours=1),
        data=ActionInput(reason="не наша", forward_to="ПрАТ «ДТЕК Київські регіональні електромережі»"),
    )
    run_jobs(job_ctx)
    [notice] = [m for m in smtp_sink.to("petro@example.net") if "переслано" in m["Subject"]]
    assert "ДТЕК" in notice.get_content()


@pytest.mark.usefixtures("restore_executors")
def test_an_issue_without_a_route_waits_for_the_supervisor(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    [issue] = issues_of(session, appeal.id or 0)
    issue.executor_id = None
    session.add(issue)
    btve = executor(session, "btve")
    btve.is_active = False
    session.add(btve)
    session.commit()
    run_jobs(job_ctx)
    session.refresh(issue)
    assert issue.status is IssueStatus.registered
    [desk] = smtp_sink.to("dispatch@brovary.example")
    assert "Немає правила маршрутизації" in desk["Subject"]
    zhek = executor(session, "zhek1")
    transition_issue(
        session, issue.id or 0, IssueAction.assign, actor=Actor(None, Role.supervisor), now=clock.now, data=ActionInput(executor_id=zhek.id)
    )
    run_jobs(job_ctx)
    assert len(smtp_sink.to(zhek.email or "")) == 1


def test_a_rerun_of_the_routing_job_repeats_nothing(session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    run_jobs(job_ctx)
    queue(ROUTING, job_ctx.redis).enqueue("workers.routing_jobs.route_appeal", appeal.id, job_id=f"route-{appeal.id}")
    run_jobs(job_ctx)
    assert len(session.exec(select(Assignment)).all()) == 1
    assert len(smtp_sink.wait_for(1, timeout=0.5)) == 1
