"""The declared role matrix: every route and the roles that may call it (a test walks the route table against it)."""

from __future__ import annotations

from typing import Final

from appeals.models import Role

PUBLIC: Final = "public"
ANY: Final = frozenset(Role)
CASE: Final = frozenset({Role.operator, Role.supervisor, Role.callback_agent, Role.head})
DESK: Final = frozenset({Role.operator, Role.supervisor})
SUP: Final = frozenset({Role.supervisor})
ADMIN: Final = frozenset({Role.admin})
CALLBACKS: Final = frozenset({Role.callback_agent, Role.supervisor})
TRANSCRIPT_READERS: Final = frozenset({Role.operator, Role.supervisor, Role.callback_agent, Role.head})
"""Callback agents verify work by phone and need what the citizen said; executors get the issue text, not the call."""
RECORDING_LISTENERS: Final = frozenset({Role.operator, Role.supervisor, Role.head})
ISSUE_ACTORS: Final = frozenset({Role.operator, Role.supervisor, Role.callback_agent, Role.head, Role.executor})
REPORTS: Final = frozenset({Role.supervisor, Role.head, Role.admin})

ROUTE_ROLES: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/api/auth/token"): PUBLIC,
    ("GET", "/api/auth/me"): ANY,
    ("GET", "/api/appeals"): CASE,
    ("POST", "/api/appeals"): DESK,
    ("GET", "/api/appeals/{appeal_id}"): CASE,
    ("PATCH", "/api/appeals/{appeal_id}"): DESK,
    ("POST", "/api/appeals/{appeal_id}/register"): DESK,
    ("POST", "/api/appeals/{appeal_id}/consultation"): DESK,
    ("POST", "/api/appeals/{appeal_id}/discard"): DESK,
    ("POST", "/api/appeals/{appeal_id}/restore"): SUP,
    ("POST", "/api/appeals/{appeal_id}/attach"): DESK,
    ("POST", "/api/appeals/{appeal_id}/answers"): frozenset({Role.supervisor, Role.head}),
    ("GET", "/api/issues/{issue_id}"): ISSUE_ACTORS,
    ("POST", "/api/issues/{issue_id}/transitions"): ISSUE_ACTORS,
    ("GET", "/api/citizens/lookup"): CASE,
    ("GET", "/api/citizens"): CASE,
    ("POST", "/api/citizens"): DESK,
    ("GET", "/api/citizens/{citizen_id}"): CASE,
    ("PATCH", "/api/citizens/{citizen_id}"): DESK,
    ("GET", "/api/categories"): ANY,
    ("POST", "/api/categories"): ADMIN,
    ("PATCH", "/api/categories/{category_id}"): ADMIN,
    ("GET", "/api/executors"): ANY,
    ("POST", "/api/executors"): ADMIN,
    ("PATCH", "/api/executors/{executor_id}"): ADMIN,
    ("GET", "/api/routing-rules"): frozenset({Role.admin, Role.supervisor}),
    ("POST", "/api/routing-rules"): ADMIN,
    ("DELETE", "/api/routing-rules/{rule_id}"): ADMIN,
    ("GET", "/api/routing/resolve"): frozenset({Role.operator, Role.supervisor, Role.admin}),
    ("GET", "/api/streets"): ANY,
    ("GET", "/api/streets/{street_id}/buildings"): ANY,
    ("GET", "/api/calendar"): ANY,
    ("PUT", "/api/calendar/{day}"): ADMIN,
    ("DELETE", "/api/calendar/{day}"): ADMIN,
    ("GET", "/api/callbacks"): CALLBACKS,
    ("POST", "/api/callbacks"): DESK,
    ("GET", "/api/callbacks/{task_id}"): CALLBACKS,
    ("POST", "/api/callbacks/{task_id}/attempts"): CALLBACKS,
    ("POST", "/api/callbacks/{task_id}/cancel"): SUP,
    ("GET", "/api/executor/assignments"): frozenset({Role.executor}),
    ("GET", "/api/executor/assignments/{issue_id}"): frozenset({Role.executor}),
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("POST", "/api/users/{user_id}/deactivate"): ADMIN,
    ("POST", "/api/users/{user_id}/activate"): ADMIN,
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/api/calls/active"): DESK,
    ("GET", "/api/appeals/{appeal_id}/transcripts"): TRANSCRIPT_READERS,
    ("GET", "/api/recordings/{recording_id}/transcript"): TRANSCRIPT_READERS,
    ("GET", "/api/recordings/{recording_id}/audio"): RECORDING_LISTENERS,
    ("POST", "/api/recordings/{recording_id}/play"): RECORDING_LISTENERS,
    ("POST", "/api/issues/{issue_id}/photos"): frozenset({Role.executor}),
    ("GET", "/api/appeals/{appeal_id}/photos"): CASE,
    ("GET", "/api/photos/{photo_id}"): CASE | {Role.executor},
    ("GET", "/media/recordings/{recording_id}.wav"): PUBLIC,  # a signed link for one user and recording, from /play
    ("GET", "/api/incidents"): CASE,
    ("POST", "/api/incidents"): SUP,
    ("GET", "/api/incidents/{incident_id}"): CASE,
    ("PATCH", "/api/incidents/{incident_id}"): SUP,
    ("POST", "/api/incidents/{incident_id}/confirm"): SUP,
    ("POST", "/api/incidents/{incident_id}/dismiss"): SUP,
    ("POST", "/api/incidents/{incident_id}/close"): SUP,
    ("POST", "/api/incidents/{incident_id}/link"): DESK,
    ("GET", "/api/petitions"): frozenset({Role.supervisor, Role.head}),
    ("POST", "/api/petitions"): frozenset({Role.supervisor, Role.operator, Role.admin}),
    ("GET", "/api/petitions/{petition_id}"): frozenset({Role.supervisor, Role.head}),
    ("POST", "/api/petitions/{petition_id}/publish"): SUP,
    ("POST", "/api/petitions/{petition_id}/reject"): SUP,
    ("POST", "/api/petitions/{petition_id}/signatures"): frozenset({Role.supervisor, Role.admin}),
    ("POST", "/api/petitions/{petition_id}/answer"): frozenset({Role.supervisor, Role.head}),
    ("GET", "/api/ivr/notice"): PUBLIC,
    # console page shells hold no data (they load it with the user's token); the roles are checked in the page too
    ("GET", "/"): PUBLIC,
    ("GET", "/operator"): PUBLIC,
    ("GET", "/appeals/{appeal_id}"): PUBLIC,
    ("GET", "/executor"): PUBLIC,
    ("GET", "/executor/assignments/{issue_id}"): PUBLIC,
    ("GET", "/admin/kb"): PUBLIC,
    ("GET", "/api/console/pause-reasons"): DESK,
    ("POST", "/api/console/queue"): DESK,
    ("GET", "/api/kb/articles"): frozenset({Role.operator, Role.supervisor, Role.callback_agent, Role.head, Role.admin}),
    ("GET", "/api/kb/articles/{article_id}"): frozenset({Role.operator, Role.supervisor, Role.callback_agent, Role.head, Role.admin}),
    ("POST", "/api/kb/articles"): frozenset({Role.admin, Role.supervisor}),
    ("PUT", "/api/kb/articles/{article_id}"): frozenset({Role.admin, Role.supervisor}),
    ("POST", "/api/kb/articles/{article_id}/uses"): DESK,
    ("GET", "/api/jobs"): frozenset({Role.supervisor, Role.admin}),
    ("GET", "/api/jobs/failed"): frozenset({Role.supervisor, Role.admin}),
    ("POST", "/api/jobs/failed/{job_id}/retry"): frozenset({Role.supervisor, Role.admin}),
    ("GET", "/api/notifications"): frozenset({Role.supervisor, Role.admin}),
    ("POST", "/api/notifications/{notification_id}/resend"): frozenset({Role.supervisor, Role.admin}),
    ("GET", "/api/mail/messages"): frozenset({Role.supervisor, Role.admin}),
    ("GET", "/api/executors/{executor_id}/webhook-secret"): ADMIN,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/api/reports"): REPORTS,
    ("GET", "/api/reports/{key}"): REPORTS,
    ("GET", "/api/reports/{key}/html"): REPORTS,
    ("GET", "/api/reports/{key}/export.csv"): REPORTS,
    ("GET", "/api/reports/{key}/export.xlsx"): REPORTS,
    ("GET", "/reports"): PUBLIC,  # a page shell without data; the figures come from /api/reports with a token
    ("GET", "/reports/{key}"): PUBLIC,
    ("GET", "/stats"): PUBLIC,
    ("GET", "/api/public/stats"): PUBLIC,
    ("GET", "/status"): PUBLIC,
    ("POST", "/status"): PUBLIC,  # throttled per client address and per registration number
    ("POST", "/api/public/status"): PUBLIC,
    ("GET", "/api/open311/keys"): ADMIN,
    ("POST", "/api/open311/keys"): ADMIN,
    ("POST", "/api/open311/keys/{key_id}/revoke"): ADMIN,
    ("GET", "/open311/discovery.json"): PUBLIC,
    ("GET", "/open311/v2/services.json"): PUBLIC,
    ("GET", "/open311/v2/services/{service_code}.json"): PUBLIC,
    ("GET", "/open311/v2/requests.json"): PUBLIC,
    ("POST", "/open311/v2/requests.json"): PUBLIC,  # the api_key is checked by the Open311 intake
    ("GET", "/open311/v2/requests/{service_request_id}.json"): PUBLIC,
    ("GET", "/open311/discovery.xml"): PUBLIC,
    ("GET", "/open311/v2/services.xml"): PUBLIC,
    ("GET", "/open311/v2/services/{service_code}.xml"): PUBLIC,
    ("GET", "/open311/v2/requests.xml"): PUBLIC,
    ("POST", "/open311/v2/requests.xml"): PUBLIC,  # the api_key is checked by the Open311 intake
    ("GET", "/open311/v2/requests/{service_request_id}.xml"): PUBLIC,
    ("GET", "/api/wallboard"): SUP,
    ("GET", "/api/wallboard/live"): SUP,
    ("GET", "/supervisor"): PUBLIC,  # page shells: the data comes from /api/wallboard and /api/callback-desk with a token
    ("GET", "/wallboard/tv"): PUBLIC,
    ("GET", "/callbacks"): PUBLIC,
    ("POST", "/api/wallboard/spy"): SUP,
    ("GET", "/api/callback-desk"): CALLBACKS,
    ("POST", "/api/callbacks/{task_id}/call"): CALLBACKS,
    ("GET", "/api/commands/{command_id}"): frozenset({Role.operator, Role.supervisor, Role.callback_agent}),
}

PERSONAL_DATA_ROUTES: Final = (
    ("GET", "/api/appeals/{appeal_id}/transcripts"),
    ("GET", "/api/recordings/{recording_id}/transcript"),
    ("GET", "/api/recordings/{recording_id}/audio"),
    ("POST", "/api/recordings/{recording_id}/play"),
)
"""Routes whose responses carry transcript text or recording bytes, or grant them (a play link): each writes a pii audit
row (a test checks). `/media/recordings/…` serves a link's bytes under the row its `/play` wrote."""


def roles_for(method: str, path: str) -> frozenset[Role] | str | None:
    """The row for a route, `PUBLIC`, or None when the route was never declared (a bug the matrix test catches)."""
    return ROUTE_ROLES.get((method.upper(), path))
