"""GET /metrics: Prometheus text exposition of calls, queues, AMI, rq, ASR, appeals and deadlines."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from agent_console.deps import NowDep
from agent_console.metrics import build_registry

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
def metrics(request: Request, now: NowDep) -> Response:
    """Collected at scrape time; a source that is down is reported by `callcenter_metrics_source_up`, not by an error."""
    registry = build_registry(request.app.state.engine, request.app.state.redis, lambda: now)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)  # understood by every Prometheus version
