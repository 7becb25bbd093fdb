"""For the dialplan: `GET /api/ivr/notice?did=&caller=` — is the center open, and which incident notice to play.

Asterisk calls it with `CURL()`; the default answer is URL-encoded `key=value` pairs that `HASH()` reads with
`CURLOPT(hashcompat)=yes`; `format=json` gives JSON. No user token (the PBX has none): when
`CALLCENTER_IVR_KEY` is set the request must carry `key=` with it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import PlainTextResponse, Response

from agent_console.deps import NowDep, SessionDep
from appeals.ivr import CenterHours, IvrNotice, ivr_notice
from workers.settings import WorkerSettings, get_worker_settings

router = APIRouter(tags=["ivr"])


@router.get("/api/ivr/notice", response_model=IvrNotice)
def notice(
    session: SessionDep,
    now: NowDep,
    settings: Annotated[WorkerSettings, Depends(get_worker_settings)],
    did: Annotated[str, Query(max_length=40)] = "",
    caller: Annotated[str, Query(max_length=40)] = "",
    key: Annotated[str, Query(max_length=200)] = "",
    format: Annotated[Literal["hash", "json"], Query()] = "hash",
) -> Response:
    expected = settings.ivr_key.get_secret_value()
    if expected and not hmac.compare_digest(key.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail={"code": "ivr_key_invalid", "message": "Wrong or missing IVR key"})
    del did  # every line hears the same notices today; kept in the contract for per-line rules
    hours = CenterHours.parse(settings.center_hours, open_days_off=settings.center_open_days_off)
    result = ivr_notice(session, caller=caller or None, now=now, hours=hours)
    if format == "json":
        return Response(result.model_dump_json(), media_type="application/json")
    pairs = {
        "open": "1" if result.open else "0",
        "incident": str(result.incident_id or ""),
        "prompt": result.prompt or "",
        "eta": result.eta.isoformat() if result.eta else "",
        "notice": result.notice,
    }
    return PlainTextResponse(urlencode(pairs))
