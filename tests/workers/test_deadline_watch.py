"""The deadline watcher on rq: attention, SLA breach, overdue with escalation, extensions, art. 7 forwarding, digests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.callbacks import create_callback_task
from appeals.issues import ActionInput, transition_issue
from appeals.models import CallbackKind, DeadlineAlert, IssueAction, Role, StatusChange
from tests.conftest import Clock
from tests.factories import executor, issue_in, issues_of, make_registered
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext
from workers.queues import DEFAULT, queue

KYIV = ZoneInfo("Europe/Kyiv")
OPERATOR = Actor(None, Role.operator)


def _watch(job_ctx: JobContext) -> None:
    queue(DEFAULT, job_ctx.redis).enqueue("workers.deadline_jobs.watch_deadlines")
    run_jobs(job_ctx)


def _subjects(smtp: SmtpSink, address: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp.to(address)]


@pytest.mark.usefixtures("restore_executors")
def test_attention_then_sla_breach_then_overdue_with_escalation(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    btve = executor(session, "btve")
    btve.head_email = "director@btve.example"
    session.add(btve)
    session.commit()
    appeal = make_registered(session, OPERATOR, now=clock.now)  # "no heating": 24 h SLA, attention at 75 %
    run_jobs(job_ctx)
    number = f"{appeal.number}/1"
    clock.advance(hours=17)
    _watch(job_ctx)
    assert _subjects(smtp_sink, "btve@example.org") == [f"[{number}] Нове доручення: Відсутність опалення в квартирі"]
    clock.advance(hours=2)  # 19 h: past the attention point
    _watch(job_ctx)
    _watch(job_ctx)  # a second pass raises nothing new
    assert _subjects(smtp_sink, "btve@example.org")[1:] == [f"[{number}] Наближається строк виконання"]
    clock.advance(hours=6)  # 25 h: the SLA is breached
    _watch(job_ctx)
    assert f"[{number}] Перевищено нормативний строк реагування" in _subjects(smtp_sink, "btve@example.org")
    assert _subjects(smtp_sink, "dispatch@brovary.example") == [f"[{number}] Ескалація: Перевищено нормативний строк реагування"]
    clock.now = datetime(2026, 12, 10, 0, 5, tzinfo=KYIV)  # statutory due was 9 Dec 23:59:59 (15 days)
    _watch(job_ctx)
    assert f"[{number}] ПРОСТРОЧЕНО строк розгляду" in _subjects(smtp_sink, "btve@example.org")
    assert _subjects(smtp_sink, "director@btve.example") == [f"[{number}] Ескалація: ПРОСТРОЧЕНО строк розгляду"]
    [issue] = issues_of(session, appeal.id or 0)
    session.refresh(issue)
    assert issue.overdue_notified
    marks = session.exec(select(StatusChange).where(StatusChange.entity_id == issue.id, StatusChange.action == "overdue")).all()
    assert len(marks) == 1
    kinds = sorted(a.kind for a in session.exec(select(DeadlineAlert)).all())
    assert kinds == ["attention", "overdue", "sla"]


def test_an_extension_by_the_head_notifies_the_citizen_and_rearms_the_watch(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now, reply_email="petro@example.net", reply_channel="email")
    run_jobs(job_ctx)
    [issue] = issues_of(session, appeal.id or 0)
    clock.now = datetime(2026, 12, 10, 9, 0, tzinfo=KYIV)
    _watch(job_ctx)
    head = Actor(None, Role.head)
    transition_issue(
        session,
        issue.id or 0,
        IssueAction.extend,
        actor=head,
        now=clock.now,
        data=ActionInput(reason="закупівля насоса", new_due=date(2026, 12, 21)),
    )
    run_jobs(job_ctx)
    [notice] = [m for m in smtp_sink.to("petro@example.net") if "продовжено" in m["Subject"]]
    assert "продовжено до 21.12.2026 23:59" in notice.get_content()
    assert "закупівля насоса" in notice.get_content()
    assert any("Строк виконання продовжено" in s for s in _subjects(smtp_sink, "btve@example.org"))
    clock.now = datetime(2026, 12, 22, 0, 30, tzinfo=KYIV)
    _watch(job_ctx)
    overdue = [s for s in _subjects(smtp_sink, "btve@example.org") if "ПРОСТРОЧЕНО" in s]
    assert len(overdue) == 2  # once for the statutory due, once for the extended one


def test_art7_forwarding_term_warns_the_desk_a_day_ahead(session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink) -> None:
    appeal = make_registered(session, OPERATOR, now=clock.now)
    run_jobs(job_ctx)
    [issue] = issues_of(session, appeal.id or 0)
    crew = Actor(None, Role.executor, executor_id=executor(session, "btve").id)
    transition_issue(session, issue.id or 0, IssueAction.return_to_dispatch, actor=crew, now=clock.now, data=ActionInput(reason="не наше"))
    clock.now = datetime(2026, 11, 28, 9, 0, tzinfo=KYIV)
    _watch(job_ctx)
    assert not [s for s in _subjects(smtp_sink, "dispatch@brovary.example") if "пересилання" in s]
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=KYIV)  # due 30 Nov 23:59:59
    _watch(job_ctx)
    [warning] = [s for s in _subjects(smtp_sink, "dispatch@brovary.example") if "пересилання" in s]
    assert "30.11.2026 23:59" in warning


def test_the_daily_digest_lists_what_each_executor_must_act_on(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    make_registered(session, OPERATOR, now=clock.now)
    make_registered(session, OPERATOR, now=clock.now, issues=[issue_in(session, "lift_broken", description="Ліфт стоїть")])
    run_jobs(job_ctx)
    clock.advance(hours=20)
    queue(DEFAULT, job_ctx.redis).enqueue("workers.deadline_jobs.send_digests")
    run_jobs(job_ctx)
    [heat] = [m for m in smtp_sink.to("btve@example.org") if m["Subject"].startswith("Щоденний звіт")]
    body = heat.get_content()
    assert "Наближається строк: 1" in body
    assert "Очікують прийняття: 1" in body
    assert "Нові за добу: 1" in body
    lift_mail = executor(session, "lift").email or ""
    assert any(m["Subject"].startswith("Щоденний звіт") for m in smtp_sink.to(lift_mail))


def test_a_callback_left_open_past_its_window_is_reported_once(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    create_callback_task(session, CallbackKind.missed_call, dedup_key="missed:1", now=clock.now, phone="+380501234567", due_at=clock.now)
    session.commit()
    clock.advance(hours=1)
    for _ in range(2):
        queue(DEFAULT, job_ctx.redis).enqueue("workers.callback_jobs.sweep_callbacks")
        run_jobs(job_ctx)
    assert len([s for s in _subjects(smtp_sink, "dispatch@brovary.example") if "Прострочений зворотний дзвінок" in s]) == 1
