"""A month of the register built through the core's use cases with a controlled clock: November 2026.

Every report test asserts figures derived by hand from the timeline below (times UTC; Kyiv is UTC+2).
A1  no_heating, Петлюри 5, phone 2 Nov 08:00; btve accepts in 1 h, done 3 Nov 04:00, confirmed 3 Nov 10:00 (score 5).
A2  no_heating, Петлюри 5, phone 2 Nov 09:00; accepted after 6 h, done 3 Nov 09:00, disputed 3 Nov 12:00 (score 2) → rework,
    accepted 13:00, done 4 Nov 09:00, confirmed 4 Nov 12:00 (score 4).
A3  low_heating, phone 2 Nov 10:00 (a landline: no SMS, no e-mail); accepted 12:00; head extends to 20 Nov (no interim notice can go); explained 23 Nov 08:00 (late),
    closed explained 23 Nov 10:00.
A4  lift_broken, collective, phone 2 Nov 11:00; lift accepts after 24 h; still in work (overdue since 17 Nov).
A5, A6  consultations 5 Nov (utility_bills, subsidy).
A7  potholes, e-mail proposal 9 Nov 10:00; roads accept 12:00, explained 12 Nov 10:00, answer, closed 12:00, reopened 16 Nov,
    explained 18 Nov 10:00, closed 18 Nov 12:00.
A8  yard_cleaning, complaint of a war-disabled citizen (priority, first head), phone 20 Nov 10:00; open, past attention.
A9  no_heating, Петлюри 5, the A1 citizen again 10 Nov 10:00 (repeated); never assigned, overdue since 25 Nov.
A10 water_main_burst (emergency), phone without a call record 12 Nov 06:00; accepted 06:30, done 09:00, 3 unanswered callbacks
    (12 Nov 10:00, 13:00, 13 Nov 11:00) → closed unverified 13 Nov 11:00.
A11 other_issue, phone 3 Nov 10:00; forwarded out 12 Nov (due 9 Nov: late).
Calls: c1..c8 answered (A1 A2 A3 A4 A5 A6 A8 A9), c9 and c10 abandoned; c9's draft discarded, c10's left a missed draft.
A missed-call callback for c9, reached 20 Nov. The report is read on 1 Dec 08:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.accounts import create_user
from appeals.actors import SYSTEM, Actor
from appeals.callbacks import create_callback_task, record_attempt
from appeals.draft_outcomes import discard_appeal, mark_consultation
from appeals.drafts import IncomingCall, create_appeal, open_call_draft, update_draft
from appeals.issues import ActionInput, record_answer, transition_issue
from appeals.models import (
    AppealKind,
    AppealSubject,
    Call,
    CallbackKind,
    CallbackOutcome,
    Channel,
    DiscardReason,
    IssueAction,
    Role,
)
from appeals.registration import register_appeal
from appeals.schemas import AppealCreate, AppealFields
from tests.factories import category, executor, issue_in, issues_of, make_citizen

A = IssueAction
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class Scenario:
    appeals: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)
    users: dict[str, Actor] = field(default_factory=dict)


class Builder:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.out = Scenario()
        for name, role, ext, org in (
            ("op1", Role.operator, "PJSIP/op101", None),
            ("op2", Role.operator, "PJSIP/op102", None),
            ("sup", Role.supervisor, None, None),
            ("head", Role.head, None, None),
            ("cb", Role.callback_agent, None, None),
        ):
            user = create_user(session, name, role=role, password="pw-1234", now=at(1, 6), extension=ext, executor_code=org)
            self.out.users[name] = Actor(user.id, role)
        self.crew = {code: Actor(None, Role.executor, executor_id=executor(session, code).id) for code in ("btve", "lift", "roads")}

    def call(self, key: str, start: datetime, *, caller: str, op: str | None, wait: float, talk: float | None) -> int:
        """A call through the core, then its outcome as the telephony listener records it."""
        record, appeal, _ = open_call_draft(
            self.s, IncomingCall(call_id=f"c-{key}", caller=caller, started_at=start, queue="hotline"), now=start
        )
        record.answered, record.abandoned, record.wait_seconds, record.talk_seconds = talk is not None, talk is None, wait, talk
        record.operator_id = self.out.users[op].user_id if op else None
        record.answered_at = start if talk is not None else None
        record.ended_at = start
        self.s.add(record)
        self.s.commit()
        return appeal.id or 0

    def register(self, key: str, appeal_id: int, when: datetime, fields: AppealFields, actor: str = "op1") -> None:
        who = self.out.users[actor]
        update_draft(self.s, appeal_id, fields, actor=who, now=when)
        register_appeal(self.s, appeal_id, actor=who, now=when, reg_prefix="БР")
        self.out.appeals[key] = appeal_id
        self.out.issues[key] = issues_of(self.s, appeal_id)[0].id or 0

    def act(self, key: str, action: IssueAction, when: datetime, actor: Actor, **data: object) -> None:
        transition_issue(self.s, self.out.issues[key], action, actor=actor, now=when, data=ActionInput(**data))  # type: ignore[arg-type]

    def verify(self, key: str, n: int, created: datetime, outcomes: list[tuple[datetime, CallbackOutcome, int | None]]) -> None:
        task, _ = create_callback_task(
            self.s,
            CallbackKind.verification,
            dedup_key=f"verify:{key}:{n}",
            now=created,
            phone="+380501110000",
            issue_id=self.out.issues[key],
        )
        self.s.commit()
        for when, outcome, score in outcomes:
            record_attempt(self.s, task.id or 0, outcome, actor=self.out.users["cb"], now=when, satisfaction=score)


def _fields(session: Session, name: str, code: str, house: str = "5", street: str = "Симона Петлюри", **extra: object) -> AppealFields:
    return AppealFields(
        applicant_name=name,
        applicant_address=f"вул. {street}, {house}",
        issues=[issue_in(session, code, street=street, house=house)],
        **extra,
    )


def _heating(b: Builder) -> None:
    s, crew, cb = b.s, b.crew["btve"], CallbackOutcome
    a1 = b.call("1", at(2, 8), caller="+380501234567", op="op1", wait=10, talk=120)
    b.register("A1", a1, at(2, 8), _fields(s, "Іваненко Петро Іванович", "no_heating"))
    b.act("A1", A.assign, at(2, 8), SYSTEM)
    b.act("A1", A.accept, at(2, 9), crew)
    b.act("A1", A.report_done, at(3, 4), crew, reason="засувку замінено")
    b.act("A1", A.start_verification, at(3, 4), SYSTEM)
    b.verify("A1", 0, at(3, 4), [(at(3, 10), cb.confirmed, 5)])
    a2 = b.call("2", at(2, 9), caller="+380672223344", op="op1", wait=30, talk=180)
    b.register("A2", a2, at(2, 9), _fields(s, "Коваль Олена Миколаївна", "no_heating"))
    b.act("A2", A.assign, at(2, 9), SYSTEM)
    b.act("A2", A.accept, at(2, 15), crew)
    b.act("A2", A.report_done, at(3, 9), crew, reason="стояк завоздушено, спущено")
    b.act("A2", A.start_verification, at(3, 9), SYSTEM)
    b.verify("A2", 0, at(3, 9), [(at(3, 12), cb.disputed, 2)])
    b.act("A2", A.accept, at(3, 13), crew)
    b.act("A2", A.report_done, at(4, 9), crew, reason="стояк замінено")
    b.act("A2", A.start_verification, at(4, 9), SYSTEM)
    b.verify("A2", 1, at(4, 9), [(at(4, 12), cb.confirmed, 4)])
    a3 = b.call("3", at(2, 10), caller="+380472334455", op="op2", wait=15, talk=240)
    b.register("A3", a3, at(2, 10), _fields(s, "Шевченко Андрій Петрович", "low_heating", house="7"), actor="op2")
    b.act("A3", A.assign, at(2, 10), SYSTEM)
    b.act("A3", A.accept, at(2, 12), crew)
    b.act("A3", A.extend, at(16, 9), b.out.users["head"], reason="потрібна заміна ділянки мережі", new_due=date(2026, 11, 20))
    b.act("A3", A.report_explained, at(23, 8), crew, reason="температура в нормі за вимірюванням")
    b.act("A3", A.close_explained, at(23, 10), b.out.users["sup"])
    a9 = b.call("8", at(10, 10), caller="+380501234567", op="op1", wait=12, talk=100)
    b.register("A9", a9, at(10, 10), _fields(s, "Іваненко Петро Іванович", "no_heating"))


def _others(b: Builder) -> None:
    s, cb = b.s, CallbackOutcome
    a4 = b.call("4", at(2, 11), caller="+380504445566", op="op2", wait=25, talk=60)
    fields = _fields(s, "Мешканці будинку", "lift_broken", house="3", street="Київська", subject=AppealSubject.collective)
    b.register("A4", a4, at(2, 11), fields, actor="op2")
    b.act("A4", A.assign, at(2, 11), SYSTEM)
    b.act("A4", A.accept, at(3, 11), b.crew["lift"])
    for key, start, cat, op, wait, talk in (("5", at(5, 9), "utility_bills", "op1", 5, 90), ("6", at(5, 10), "subsidy", "op2", 40, 30)):
        appeal_id = b.call(key, start, caller=f"+38050555000{key}", op=op, wait=wait, talk=talk)
        mark_consultation(s, appeal_id, actor=b.out.users[op], now=start, category_id=category(s, cat).id, note="роз'яснено")
        b.out.appeals[f"A{key}"] = appeal_id
    email = create_appeal(
        s,
        AppealCreate(
            channel=Channel.email,
            kind=AppealKind.proposal,
            reply_email="petro@example.org",
            **_fields(s, "Петренко Петро", "potholes", house="12", street="Київська").model_dump(exclude_unset=True),
        ),
        actor=b.out.users["op1"],
        now=at(9, 10),
    )
    s.commit()
    b.register("A7", email.id or 0, at(9, 10), AppealFields())
    roads, sup = b.crew["roads"], b.out.users["sup"]
    b.act("A7", A.assign, at(9, 10), SYSTEM)
    b.act("A7", A.accept, at(9, 12), roads)
    b.act("A7", A.report_explained, at(12, 10), roads, reason="ремонт у плані на квітень")
    record_answer(s, b.out.appeals["A7"], text="Ремонт дороги включено до плану.", channel="email", actor=sup, now=at(12, 11))
    b.act("A7", A.close_explained, at(12, 12), sup)
    b.act("A7", A.reopen, at(16, 9), sup, reason="заявник не згоден")
    b.act("A7", A.report_explained, at(18, 10), roads, reason="ямковий ремонт виконано частково, решта — у квітні")
    b.act("A7", A.close_explained, at(18, 12), sup)
    veteran = make_citizen(
        s, "Бондар Іван Степанович", ["+380507778899"], now=at(1, 6), privileges=["war_disabled"], address="бульв. Незалежності, 2"
    )
    a8 = b.call("7", at(20, 10), caller="+380507778899", op="op1", wait=20, talk=300)
    fields = _fields(s, veteran.full_name, "yard_cleaning", house="2", street="Незалежності", kind=AppealKind.complaint)
    b.register("A8", a8, at(20, 10), fields)
    burst = create_appeal(s, AppealCreate(channel=Channel.phone, caller="+380661112233"), actor=b.out.users["op2"], now=at(12, 6))
    s.commit()
    b.register(
        "A10", burst.id or 0, at(12, 6), _fields(s, "Сидоренко Марія", "water_main_burst", house="1", street="Київська"), actor="op2"
    )
    b.act("A10", A.assign, at(12, 6), SYSTEM)
    b.act("A10", A.accept, at(12, 6, 30), b.crew["btve"])
    b.act("A10", A.report_done, at(12, 9), b.crew["btve"], reason="пошкодження усунуто")
    b.act("A10", A.start_verification, at(12, 9), SYSTEM)
    b.verify("A10", 0, at(12, 9), [(at(12, 10), cb.no_answer, None), (at(12, 13), cb.no_answer, None), (at(13, 11), cb.no_answer, None)])
    stray = create_appeal(s, AppealCreate(channel=Channel.phone, caller="+380631231231"), actor=b.out.users["op2"], now=at(3, 10))
    s.commit()
    b.register("A11", stray.id or 0, at(3, 10), _fields(s, "Гнатюк Василь", "other_issue", house="9", street="Київська"), actor="op2")
    b.act("A11", A.forward_out, at(12, 10), b.out.users["sup"], reason="питання обласної ради", forward_to="Київська обласна рада")


def _missed(b: Builder) -> None:
    c9 = b.call("9", at(20, 12), caller="+380509990001", op=None, wait=50, talk=None)
    discard_appeal(b.s, c9, actor=b.out.users["sup"], now=at(20, 13), reason=DiscardReason.dropped)
    b.call("10", at(21, 12), caller="+380509990002", op=None, wait=8, talk=None)
    task, _ = create_callback_task(
        b.s, CallbackKind.missed_call, dedup_key="missed:c-9", now=at(20, 12), phone="+380509990001", call_id="c-9"
    )
    b.s.commit()
    record_attempt(b.s, task.id or 0, CallbackOutcome.reached, actor=b.out.users["cb"], now=at(20, 14))


def build_november(engine: Engine) -> Scenario:
    with Session(engine) as session:
        b = Builder(session)
        _heating(b)
        _others(b)
        _missed(b)
        assert session.exec(select(Call)).all()
        return b.out
