"""Plain factory functions for tests: users, tokens, citizens, categories, appeals in a given state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from appeals.accounts import create_user
from appeals.actors import Actor
from appeals.citizens import create_citizen
from appeals.drafts import create_appeal
from appeals.models import Appeal, Building, Category, Citizen, Executor, Issue, Role, Street, User
from appeals.registration import register_appeal
from appeals.schemas import AppealCreate, IssueIn

PASSWORD = "secret-pw"


def make_user(engine: Engine, username: str, role: Role, *, now: datetime, extension: str | None = None, org: str | None = None) -> User:
    if role is Role.operator and extension is None:
        extension = f"PJSIP/{username}"
    if role is Role.executor and org is None:
        org = "btve"
    with Session(engine) as session:
        return create_user(session, username, role=role, password=PASSWORD, now=now, extension=extension, executor_code=org)


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, executor_id=user.executor_id)


def category(session: Session, code: str) -> Category:
    return session.exec(select(Category).where(Category.code == code)).one()


def executor(session: Session, code: str) -> Executor:
    return session.exec(select(Executor).where(Executor.code == code)).one()


def building(session: Session, street: str, house: str) -> Building:
    row = session.exec(
        select(Building).join(Street, col(Street.id) == Building.street_id).where(Street.name == street, Building.house == house)
    ).one()
    return row


def make_citizen(
    session: Session, name: str, phones: list[str], *, now: datetime, privileges: list[str] | None = None, address: str = "вул. Київська, 1"
) -> Citizen:
    citizen = create_citizen(session, full_name=name, phones=phones, address_text=address, privileges=privileges or [], now=now)
    session.commit()
    session.refresh(citizen)
    return citizen


def issue_in(
    session: Session,
    code: str = "no_heating",
    *,
    street: str = "Симона Петлюри",
    house: str = "5",
    description: str = "Холодні батареї у квартирі",
) -> IssueIn:
    return IssueIn(category_id=category(session, code).id, building_id=building(session, street, house).id, description=description)


def make_draft(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    caller: str | None = "+380501234567",
    name: str = "Іваненко Петро Іванович",
    address: str = "вул. Симона Петлюри, 5, кв. 3",
    issues: list[IssueIn] | None = None,
    **fields: object,
) -> Appeal:
    data = AppealCreate(
        caller=caller,
        applicant_name=name,
        applicant_address=address,
        issues=issues if issues is not None else [issue_in(session)],
        **fields,
    )
    appeal = create_appeal(session, data, actor=actor, now=now)
    session.commit()
    session.refresh(appeal)
    return appeal


def make_registered(session: Session, actor: Actor, *, now: datetime, **kwargs: object) -> Appeal:
    draft = make_draft(session, actor, now=now, **kwargs)  # type: ignore[arg-type]
    return register_appeal(session, draft.id or 0, actor=actor, now=now, reg_prefix="БР")


def issues_of(session: Session, appeal_id: int) -> list[Issue]:
    return list(session.exec(select(Issue).where(Issue.appeal_id == appeal_id).order_by(col(Issue.seq))).all())
