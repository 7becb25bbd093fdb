"""Who acts on the register: a staff user with a role, or the system (workers, the listener)."""

from __future__ import annotations

from dataclasses import dataclass

from appeals.models import Role


@dataclass(frozen=True)
class Actor:
    """The acting party; `role is None` means the system itself."""

    user_id: int | None
    role: Role | None
    executor_id: int | None = None
    ip: str | None = None

    @property
    def is_system(self) -> bool:
        return self.role is None


SYSTEM = Actor(user_id=None, role=None)
