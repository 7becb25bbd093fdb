"""The issue lifecycle as a transition table with role guards (domain.md §5.2); pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from appeals.errors import DomainValidationError, ForbiddenError, InvalidTransitionError
from appeals.models import TERMINAL_ISSUE_STATUSES, IssueAction, IssueStatus, Role
from appeals.wording import action_name, role_name

S = IssueStatus
A = IssueAction
R = Role

REWORK_LIMIT = 2
"""Disputes after this many reworks escalate instead of returning to the executor (never a silent close)."""
REOPEN_WINDOW_DAYS = 30
VERIFICATION_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Transition:
    """One row: from any of `sources`, `action` leads to `target` for the listed roles (and the system if `system`)."""

    action: IssueAction
    sources: frozenset[IssueStatus]
    target: IssueStatus
    roles: frozenset[Role]
    system: bool = False
    needs_reason: bool = False


def _t(action: A, sources: set[S], target: S, roles: set[R], *, system: bool = False, reason: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), system, reason)


_WORKING = {S.assigned, S.in_work, S.rework, S.extended, S.reopened}
_CLOSED = {S.closed_confirmed, S.closed_unverified, S.closed_explained}
_OPEN = set(S) - set(TERMINAL_ISSUE_STATUSES) - {S.draft}

TRANSITIONS: tuple[Transition, ...] = (
    _t(A.register, {S.draft}, S.registered, {R.operator, R.supervisor}, system=True),
    _t(A.assign, {S.registered, S.returned_to_dispatch, S.escalated, *_WORKING}, S.assigned, {R.supervisor, R.admin}, system=True),
    _t(A.accept, {S.assigned, S.rework, S.reopened, S.postponed}, S.in_work, {R.executor, R.supervisor}),
    _t(A.return_to_dispatch, _WORKING, S.returned_to_dispatch, {R.executor, R.supervisor}, reason=True),
    _t(A.report_done, {*_WORKING, S.postponed}, S.reported_done, {R.executor, R.supervisor}),
    _t(A.report_explained, {*_WORKING, S.postponed}, S.reported_explained, {R.executor, R.supervisor}, reason=True),
    _t(A.postpone, {S.in_work, S.extended, S.rework}, S.postponed, {R.executor, R.supervisor}, reason=True),
    _t(A.extend, {*_WORKING, S.postponed, S.escalated}, S.extended, {R.head}, reason=True),
    _t(A.start_verification, {S.reported_done, S.reported_explained}, S.on_verification, {R.supervisor, R.callback_agent}, system=True),
    _t(A.confirm, {S.on_verification}, S.closed_confirmed, {R.callback_agent, R.supervisor}, system=True),
    _t(A.dispute, {S.on_verification}, S.rework, {R.callback_agent, R.supervisor}, system=True, reason=True),
    _t(A.no_answer, {S.on_verification}, S.on_verification, {R.callback_agent, R.supervisor}, system=True),
    _t(A.close_unverified, {S.on_verification}, S.closed_unverified, {R.supervisor}, system=True, reason=True),
    _t(
        A.close_explained,
        {S.reported_explained, S.on_verification, S.postponed},
        S.closed_explained,
        {R.supervisor, R.callback_agent},
        system=True,
    ),
    _t(
        A.escalate,
        {*_WORKING, S.returned_to_dispatch, S.on_verification, S.postponed},
        S.escalated,
        {R.supervisor, R.head},
        system=True,
        reason=True,
    ),
    _t(A.return_incomplete, {S.registered}, S.returned_incomplete, {R.operator, R.supervisor}, reason=True),
    _t(A.forward_out, {S.registered, S.returned_to_dispatch}, S.forwarded_out, {R.supervisor}, reason=True),
    _t(A.not_consider, {S.registered}, S.not_considered, {R.supervisor, R.head}, reason=True),
    _t(A.link_incident, {S.registered, S.assigned}, S.linked_to_incident, {R.supervisor, R.operator}, system=True),
    _t(A.unlink_incident, {S.linked_to_incident}, S.registered, {R.supervisor}, system=True),
    _t(A.resolve_incident, {S.linked_to_incident}, S.reported_done, {R.supervisor}, system=True),
    _t(A.reopen, _CLOSED, S.reopened, {R.supervisor, R.callback_agent, R.operator}, system=True, reason=True),
    _t(A.cancel, _OPEN, S.cancelled, {R.supervisor, R.admin}, system=True, reason=True),
)

_BY_ACTION: dict[IssueAction, Transition] = {t.action: t for t in TRANSITIONS}


def allowed_actions(status: IssueStatus, role: Role | None) -> list[IssueAction]:
    """Actions `role` (None = the system) may take on an issue in `status`."""
    return [t.action for t in TRANSITIONS if status in t.sources and (t.system if role is None else role in t.roles)]


def plan_transition(issue_id: object, status: IssueStatus, action: IssueAction, role: Role | None, *, reason: str = "") -> Transition:
    """The transition `action` takes from `status`, after checking the actor's role and the reason.

    Raises:
        InvalidTransitionError: the action is not allowed from this status.
        ForbiddenError: the role may not take this action.
        DomainValidationError: the action needs a reason and none was given.
    """
    transition = _BY_ACTION[action]
    if status not in transition.sources:
        raise InvalidTransitionError(
            "issue", issue_id, status.value, action.value, allowed=[a.value for a in allowed_actions(status, role)]
        )
    if role is None and not transition.system:
        raise ForbiddenError(f"Дію «{action_name(action.value)}» виконує людина, а не система", code="action_forbidden")
    if role is not None and role not in transition.roles:
        who = ", ".join(sorted(role_name(r.value) for r in transition.roles)) or "ніхто"
        raise ForbiddenError(
            f"Роль «{role_name(role.value)}» не може {action_name(action.value)} питання; можуть: {who}", code="action_forbidden"
        )
    if transition.needs_reason and not reason.strip():
        raise DomainValidationError(
            f"Щоб {action_name(action.value)}, вкажіть причину або коментар", code="reason_required", fields={"reason": "required"}
        )
    return transition
