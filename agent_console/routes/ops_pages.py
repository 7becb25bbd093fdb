"""Page shells of the supervisor wallboard (with its TV mode) and the callback desk; their data comes from
/api/wallboard, /api/callback-desk and the console socket."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agent_console.pages.render import render_page

router = APIRouter(tags=["pages"])


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_page(request: Request, tv: bool = False) -> HTMLResponse:
    """The wallboard: queues, agents, today's figures, load chart, missed calls, deadlines; `?tv=1` for a TV."""
    return HTMLResponse(render_page("supervisor.html", page="supervisor", roles=("supervisor",), request_path=request.url.path, tv=tv))


@router.get("/wallboard/tv", response_class=HTMLResponse)
def wallboard_tv() -> HTMLResponse:
    """The wallboard for a wall screen: large type, no controls."""
    return HTMLResponse(render_page("supervisor.html", page="supervisor", roles=("supervisor",), request_path="/supervisor", tv=True))


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks_page(request: Request) -> HTMLResponse:
    """The callback desk: worklist, click-to-call, live call status, outcome."""
    return HTMLResponse(
        render_page("callbacks.html", page="callbacks", roles=("callback_agent", "supervisor"), request_path=request.url.path)
    )
