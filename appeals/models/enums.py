"""Status and classifier enumerations of the register; values are stored in the DB and JSON."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    callback_agent = "callback_agent"
    executor = "executor"
    head = "head"
    admin = "admin"


class AppealStatus(StrEnum):
    draft = "draft"
    registered = "registered"
    consultation = "consultation"
    discarded = "discarded"
    closed = "closed"


class Channel(StrEnum):
    phone = "phone"
    email = "email"
    web = "web"
    petition = "petition"
    open311 = "open311"
    post = "post"
    personal = "personal"


class AppealKind(StrEnum):
    """Art. 3: пропозиція (зауваження), заява (клопотання), скарга."""

    proposal = "proposal"
    application = "application"
    complaint = "complaint"


class AppealForm(StrEnum):
    oral = "oral"
    written = "written"
    electronic = "electronic"


class AppealSubject(StrEnum):
    individual = "individual"
    collective = "collective"
    anonymous = "anonymous"


class ReceiptSign(StrEnum):
    """Ознака надходження (CMU classifier 858)."""

    primary = "primary"
    repeated = "repeated"
    duplicate = "duplicate"
    multiple = "multiple"
    mass = "mass"


class Admissibility(StrEnum):
    pending = "pending"
    accepted = "accepted"
    returned_incomplete = "returned_incomplete"
    forwarded_out = "forwarded_out"
    not_considered = "not_considered"


class NotConsideredReason(StrEnum):
    """Art. 8 grounds for not considering an appeal."""

    anonymous = "anonymous"
    no_essence = "no_essence"
    repeated_decided = "repeated_decided"
    complaint_late = "complaint_late"
    incapable = "incapable"


class DiscardReason(StrEnum):
    silence = "silence"
    wrong_number = "wrong_number"
    hoax = "hoax"
    test_call = "test_call"
    duplicate_call = "duplicate_call"
    dropped = "dropped"
    other = "other"


class IssueStatus(StrEnum):
    """The lifecycle of one issue (питання), domain.md §5.2."""

    draft = "draft"
    registered = "registered"
    linked_to_incident = "linked_to_incident"
    assigned = "assigned"
    in_work = "in_work"
    returned_to_dispatch = "returned_to_dispatch"
    reported_done = "reported_done"
    reported_explained = "reported_explained"
    postponed = "postponed"
    extended = "extended"
    on_verification = "on_verification"
    rework = "rework"
    escalated = "escalated"
    reopened = "reopened"
    closed_confirmed = "closed_confirmed"
    closed_unverified = "closed_unverified"
    closed_explained = "closed_explained"
    returned_incomplete = "returned_incomplete"
    forwarded_out = "forwarded_out"
    not_considered = "not_considered"
    cancelled = "cancelled"


TERMINAL_ISSUE_STATUSES = frozenset(
    {
        IssueStatus.closed_confirmed,
        IssueStatus.closed_unverified,
        IssueStatus.closed_explained,
        IssueStatus.returned_incomplete,
        IssueStatus.forwarded_out,
        IssueStatus.not_considered,
        IssueStatus.cancelled,
    }
)
CLOSED_ISSUE_STATUSES = frozenset({IssueStatus.closed_confirmed, IssueStatus.closed_unverified, IssueStatus.closed_explained})


class IssueAction(StrEnum):
    register = "register"
    assign = "assign"
    accept = "accept"
    return_to_dispatch = "return_to_dispatch"
    report_done = "report_done"
    report_explained = "report_explained"
    postpone = "postpone"
    extend = "extend"
    start_verification = "start_verification"
    confirm = "confirm"
    dispute = "dispute"
    no_answer = "no_answer"
    close_unverified = "close_unverified"
    close_explained = "close_explained"
    escalate = "escalate"
    return_incomplete = "return_incomplete"
    forward_out = "forward_out"
    not_consider = "not_consider"
    link_incident = "link_incident"
    unlink_incident = "unlink_incident"
    resolve_incident = "resolve_incident"
    reopen = "reopen"
    cancel = "cancel"


class EmergencyClass(StrEnum):
    """Аварійна / термінова / звичайна."""

    emergency = "emergency"
    urgent = "urgent"
    normal = "normal"


class SlaUnit(StrEnum):
    hours = "hours"
    calendar_days = "calendar_days"
    working_days = "working_days"


class StatutoryClass(StrEnum):
    """Art. 20: 15 days without extra study, or one month."""

    days_15 = "days_15"
    month = "month"


class ExecutorKind(StrEnum):
    department = "department"
    communal_enterprise = "communal_enterprise"
    utility = "utility"
    housing_manager = "housing_manager"
    contact_center = "contact_center"
    other_authority = "other_authority"


class AssignmentState(StrEnum):
    new = "new"
    accepted = "accepted"
    reported = "reported"
    returned = "returned"
    cancelled = "cancelled"


class CallDirection(StrEnum):
    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"


class RecordingLayout(StrEnum):
    stereo = "stereo"
    rx_tx = "rx_tx"
    mono = "mono"


class CallbackKind(StrEnum):
    verification = "verification"
    missed_call = "missed_call"
    requested_callback = "requested_callback"


class CallbackStatus(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class CallbackOutcome(StrEnum):
    confirmed = "confirmed"
    disputed = "disputed"
    no_answer = "no_answer"
    busy = "busy"
    refused = "refused"
    self_resolved = "self_resolved"
    reached = "reached"
    wrong_number = "wrong_number"


class Privilege(StrEnum):
    """Author categories of CMU classifier 858 that carry art. 14/15/20 privileges."""

    war_disabled = "war_disabled"
    combatant = "combatant"
    war_participant = "war_participant"
    war_child = "war_child"
    disabled_1 = "disabled_1"
    disabled_2 = "disabled_2"
    disabled_3 = "disabled_3"
    disabled_child = "disabled_child"
    chornobyl = "chornobyl"
    large_family = "large_family"
    single_mother = "single_mother"
    mother_heroine = "mother_heroine"
    labour_veteran = "labour_veteran"
    hero_ukraine = "hero_ukraine"
    hero_ussr = "hero_ussr"
    hero_socialist_labour = "hero_socialist_labour"
    idp = "idp"


FIRST_HEAD_PRIVILEGES = frozenset({Privilege.war_disabled, Privilege.hero_ussr, Privilege.hero_socialist_labour})
