"""Domain errors of the appeals core.

Hierarchy (each carries a stable `code` and an actionable message in Ukrainian, the product's only language;
programs branch on `code`, and on `fields` (field → problem code) for validation errors):
    AppealsError
    ├── NotFoundError            a referenced record does not exist (or is not visible to the actor)
    ├── ConflictError            the record changed or already exists
    │   └── InvalidTransitionError   the lifecycle does not allow this action from the current status
    ├── DomainValidationError    input breaks a rule of the law or of the register (with per-field details)
    │   ├── PhoneNumberError
    │   └── DeadlineError        a deadline rule (e.g. extension beyond 45 days)
    ├── ForbiddenError           the actor's role may not do this
    └── AuthError                authentication failed
        ├── InvalidCredentialsError
        └── LoginThrottledError
"""

from __future__ import annotations

from datetime import datetime

from appeals.wording import action_name, entity_name, field_problem, not_found, status_name


class AppealsError(Exception):
    """Base of every error the core raises."""

    code = "appeals_error"
    kind = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class NotFoundError(AppealsError):
    kind = "not_found"

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(not_found(entity, key), code=f"{entity}_not_found")
        self.entity = entity
        self.key = key


class ConflictError(AppealsError):
    code = "conflict"
    kind = "conflict"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"

    def __init__(self, entity: str, entity_id: object, status: str, action: str, *, allowed: list[str] | None = None) -> None:
        where = f"«{status_name(entity, status)}»"
        hint = f"; з цього стану можна: {', '.join(action_name(a) for a in allowed)}" if allowed else "; у цьому стані дій більше немає"
        super().__init__(
            f"{entity_name(entity)} {entity_id} у стані {where}: дія «{action_name(action)}» недоступна{hint}",
            code=f"{entity}_invalid_transition",
        )
        self.entity = entity
        self.entity_id = entity_id
        self.status = status
        self.action = action
        self.allowed = allowed or []


class DomainValidationError(AppealsError):
    code = "validation_failed"
    kind = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None, hints: dict[str, str] | None = None
    ) -> None:
        """`fields` maps each bad field to a problem code (`required`, `unknown`, …); `hints` gives a field its own sentence."""
        super().__init__(message, code=code)
        self.fields = fields or {}
        self.field_messages = {name: (hints or {}).get(name) or field_problem(problem) for name, problem in self.fields.items()}


class PhoneNumberError(DomainValidationError):
    code = "phone_invalid"

    def __init__(self, raw: str) -> None:
        super().__init__(
            f"«{raw}» — не номер телефону, на який можна подзвонити: вкажіть +380XXXXXXXXX, 0XXXXXXXXX або короткий службовий номер",
            fields={"phone": "invalid"},
            hints={"phone": "Номер у форматі +380XXXXXXXXX або 0XXXXXXXXX"},
        )


class DeadlineError(DomainValidationError):
    code = "deadline_invalid"


class ForbiddenError(AppealsError):
    code = "forbidden"
    kind = "forbidden"


class AuthError(AppealsError):
    code = "auth_failed"
    kind = "unauthorized"


class InvalidCredentialsError(AuthError):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("Неправильне ім'я користувача або пароль")


class LoginThrottledError(AuthError):
    code = "login_throttled"
    kind = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"Забагато невдалих спроб входу; спробуйте знову після {until.isoformat(timespec='seconds')}")
        self.until = until
