"""Domain errors of the appeals core.

Hierarchy (each carries a stable `code` and an actionable message):
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
        super().__init__(f"{entity.capitalize()} {key} does not exist or is not visible to you", code=f"{entity}_not_found")
        self.entity = entity
        self.key = key


class ConflictError(AppealsError):
    code = "conflict"
    kind = "conflict"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"

    def __init__(self, entity: str, entity_id: object, status: str, action: str, *, allowed: list[str] | None = None) -> None:
        hint = f"; allowed from {status}: {', '.join(allowed)}" if allowed else f"; nothing can be done from {status}"
        super().__init__(
            f"{entity.capitalize()} {entity_id} is {status}: action '{action}' is not allowed{hint}", code=f"{entity}_invalid_transition"
        )
        self.entity = entity
        self.entity_id = entity_id
        self.status = status
        self.action = action


class DomainValidationError(AppealsError):
    code = "validation_failed"
    kind = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, code=code)
        self.fields = fields or {}


class PhoneNumberError(DomainValidationError):
    code = "phone_invalid"

    def __init__(self, raw: str) -> None:
        super().__init__(
            f"'{raw}' is not a phone number we can dial: use +380XXXXXXXXX, 0XXXXXXXXX or a short service number",
            fields={"phone": "invalid"},
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
        super().__init__("Wrong username or password")


class LoginThrottledError(AuthError):
    code = "login_throttled"
    kind = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"Too many failed logins; try again after {until.isoformat(timespec='seconds')}")
        self.until = until
