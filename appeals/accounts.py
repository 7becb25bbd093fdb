"""Staff accounts: password hashing (argon2), throttled authentication, creation and deactivation."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import DomainValidationError, InvalidCredentialsError, LoginThrottledError, NotFoundError
from appeals.history import record_audit
from appeals.models import Executor, LoginFailure, Role, User

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=5)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_throttle(session: Session, keys: list[str], now: datetime) -> None:
    for key in keys:
        row = session.get(LoginFailure, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise LoginThrottledError(row.locked_until)


def _note_failure(session: Session, keys: list[str], now: datetime) -> None:
    for key in keys:
        row = session.get(LoginFailure, key) or LoginFailure(key=key, failures=0, window_started_at=now)
        if now - row.window_started_at > FAILURE_WINDOW:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.locked_until = now + LOCKOUT
        session.add(row)
    session.commit()


def authenticate(session: Session, username: str, password: str, *, now: datetime, client: str | None = None) -> User:
    """The active user with this password; failures are counted per username and per client address.

    Raises:
        LoginThrottledError: too many recent failures for this username or address.
        InvalidCredentialsError: unknown user, wrong password or deactivated account (one message for all).
    """
    keys = [f"user:{username.strip().lower()}"] + ([f"ip:{client}"] if client else [])
    _check_throttle(session, keys, now)
    user = session.exec(select(User).where(User.username == username.strip())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.is_active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        _note_failure(session, keys, now)
        record_audit(session, Actor(None, None, ip=client), "login_failed", "user", username[:64], now=now)
        session.commit()
        raise InvalidCredentialsError
    for key in keys:
        row = session.get(LoginFailure, key)
        if row is not None:
            session.delete(row)
    user.last_login_at = now
    session.add(user)
    record_audit(session, Actor(user.id, user.role, ip=client), "login", "user", user.id, now=now)
    session.commit()
    session.refresh(user)
    return user


def create_user(
    session: Session,
    username: str,
    *,
    role: Role,
    password: str,
    now: datetime,
    full_name: str = "",
    extension: str | None = None,
    executor_code: str | None = None,
) -> User:
    """A new staff account; operators need an extension, executors an organisation.

    Raises:
        DomainValidationError: a duplicate username or extension, a missing extension/organisation, a weak password.
    """
    if len(password) < 4:
        raise DomainValidationError("Пароль має містити щонайменше 4 символи", code="password_weak", fields={"password": "too_short"})
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise DomainValidationError(f"Користувач «{username}» вже існує", code="user_exists", fields={"username": "taken"})
    if role is Role.operator and not extension:
        raise DomainValidationError(
            "Операторові потрібен AMI-інтерфейс телефону, наприклад --extension PJSIP/op101",
            code="extension_required",
            fields={"extension": "required"},
        )
    if extension and session.exec(select(User.id).where(User.extension == extension)).first() is not None:
        raise DomainValidationError(
            f"Інтерфейс {extension} вже належить іншому користувачеві", code="extension_taken", fields={"extension": "taken"}
        )
    executor_id = None
    if executor_code:
        executor = session.exec(select(Executor).where(Executor.code == executor_code)).first()
        if executor is None:
            raise DomainValidationError(
                f"Немає організації-виконавця з кодом «{executor_code}»", code="executor_unknown", fields={"org": "unknown"}
            )
        executor_id = executor.id
    if role is Role.executor and executor_id is None:
        raise DomainValidationError(
            "Користувачеві-виконавцю потрібна його організація: --org ORG_CODE", code="org_required", fields={"org": "required"}
        )
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        full_name=full_name or username,
        extension=extension or None,
        executor_id=executor_id,
        created_at=now,
        tokens_valid_after=now,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: Actor, now: datetime) -> User:
    """(De)activate a user; deactivation invalidates every token issued before now, at once."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user", user_id)
    user.is_active = active
    user.tokens_valid_after = now
    session.add(user)
    record_audit(session, actor, "activate" if active else "deactivate", "user", user_id, now=now)
    session.commit()
    session.refresh(user)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())
