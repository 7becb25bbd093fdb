"""What a simulated call does: `CallSpec`, validated (the control interface and scenarios build these)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

KINDS = ("inbound", "outbound", "internal", "local")
OUTCOMES = (
    "answered",  # an operator answers, the caller hangs up
    "agent_hangup",  # the operator hangs up first
    "no_answer_then_answered",  # the first operator does not answer (AgentRingNoAnswer), the next one does
    "abandoned",  # the caller hangs up while waiting
    "callback_request",  # the caller presses 1 while waiting (CallcenterCallbackRequest)
    "timeout",  # the queue's maximum wait runs out
    "blind_transfer",  # answered, then blind-transferred to `transfer_to`
    "attended_transfer",  # answered, consultation with `transfer_to`, then transferred
)
WITHHELD = ("", "anonymous", "<unknown>")
CALLBACK_USERFIELD = "callcenter-callback"  # extensions.conf: Set(CDR(userfield)=…) when the caller presses 1 in the queue


class CallSpecError(ValueError):
    """A call description the simulator cannot place."""


@dataclass
class CallSpec:
    kind: str = "inbound"
    caller: str = "+380441234567"
    caller_name: str = ""
    did: str = "1551"
    queue: str = "hotline"
    outcome: str = "answered"
    operator: str | None = None
    transfer_to: str = "PJSIP/op102"
    target: str = ""
    ring_seconds: float = 3.0
    wait_seconds: float = 8.0
    talk_seconds: float = 20.0
    notice_seconds: float = 4.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallSpec:
        """Build from JSON; unknown keys and bad values raise CallSpecError naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            msg = f"unknown call fields {unknown}; known: {sorted(known)}"
            raise CallSpecError(msg)
        try:
            spec = cls(**data)
        except TypeError as exc:
            raise CallSpecError(str(exc)) from exc
        spec.validate()
        return spec

    def validate(self) -> None:
        if self.kind not in KINDS:
            msg = f"kind must be one of {KINDS}, got {self.kind!r}"
            raise CallSpecError(msg)
        if self.outcome not in OUTCOMES:
            msg = f"outcome must be one of {OUTCOMES}, got {self.outcome!r}"
            raise CallSpecError(msg)
        for name in ("ring_seconds", "wait_seconds", "talk_seconds", "notice_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                msg = f"{name} must be a non-negative number, got {value!r}"
                raise CallSpecError(msg)
        for name in ("operator", "transfer_to"):
            value = getattr(self, name)
            if value is not None and not str(value).startswith("PJSIP/"):
                msg = f"{name} must be an interface like PJSIP/op102, got {value!r}"
                raise CallSpecError(msg)
        if self.kind in ("outbound", "internal") and not self.target:
            msg = f"a {self.kind} call needs `target` (a number or an extension)"
            raise CallSpecError(msg)

    @property
    def withheld(self) -> bool:
        return self.caller.strip().lower() in WITHHELD
