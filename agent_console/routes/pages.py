"""The console's HTML page shells (no data inside: each page signs in with the token from sessionStorage and loads
its data from /api and /ws/console), plus the static assets they share."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agent_console.pages.render import render_page

router = APIRouter(tags=["pages"])

DESK_ROLES = ("operator", "supervisor")


def _html(request: Request, template: str, *, page: str, roles: tuple[str, ...] = (), **context: object) -> HTMLResponse:
    return HTMLResponse(render_page(template, page=page, roles=roles, request_path=request.url.path, **context))


@router.get("/", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """Sign-in; a signed-in user is sent on to their role's page."""
    return _html(request, "login.html", page="login")


@router.get("/operator", response_class=HTMLResponse)
def operator_page(request: Request) -> HTMLResponse:
    """The operator's desk: incoming call banner, caller card, appeal form, queue state and pause."""
    return _html(request, "operator.html", page="operator", roles=DESK_ROLES)


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(request: Request, appeal_id: int) -> HTMLResponse:
    """One appeal: timeline, calls with recordings, transcripts, answers, callbacks."""
    return _html(request, "appeal.html", page="appeal", roles=("operator", "supervisor", "callback_agent", "head"), appeal_id=appeal_id)


def _photo_max_mb(request: Request) -> str:
    return f"{request.app.state.photo_max_bytes / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


@router.get("/executor", response_class=HTMLResponse)
def executor_page(request: Request) -> HTMLResponse:
    """The executor's assignments with deadlines."""
    return _html(request, "executor.html", page="executor", roles=("executor",), issue_id=None, photo_max_mb=_photo_max_mb(request))


@router.get("/executor/assignments/{issue_id}", response_class=HTMLResponse)
def executor_assignment_page(request: Request, issue_id: int) -> HTMLResponse:
    """One assignment (the workers' notification e-mails link here): accept, report with comment and photo."""
    return _html(request, "executor.html", page="executor", roles=("executor",), issue_id=issue_id, photo_max_mb=_photo_max_mb(request))


@router.get("/admin/kb", response_class=HTMLResponse)
def kb_admin_page(request: Request) -> HTMLResponse:
    """The knowledge base: articles, search, links to categories and incidents."""
    return _html(request, "kb_admin.html", page="kb", roles=("admin", "supervisor"))
