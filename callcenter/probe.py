"""`callcenter probe ROLE`: the container health check of each process (exit 0 healthy, 1 not, with a one-line reason).

- `api`: `/healthz` answers and reports the database and Redis up (an AMI outage is the PBX's state, not the API's).
- `listener`: its `cc:listener` heartbeat (a short-TTL key) is in Redis, whatever the AMI state.
- `worker`: an rq worker of this host (container) is registered with a recent heartbeat.
- `scheduler`: some scheduler holds the leader lock (one scheduler per deployment).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from rq import Worker

from agent_console.settings import get_api_settings
from runtime.redis import connect
from runtime.settings import get_runtime_settings
from runtime.streams import read_listener_state
from workers.scheduler import LOCK_KEY

WORKER_STALE = timedelta(minutes=8)  # rq's default worker TTL is 420 s


class ProbeFailedError(Exception):
    """The process is not healthy; the message says why."""


def probe_api(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:  # 503 still carries the per-dependency JSON
        body = json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ProbeFailedError(f"api does not answer on port {port}: {exc}") from exc
    down = [name for name in ("db", "redis") if body.get(name, {}).get("status") != "up"]
    if down:
        raise ProbeFailedError(f"api is up but {', '.join(down)} is down")
    return "api ok (ami " + str(body.get("ami", {}).get("status", "unknown")) + ")"


def probe_listener(client: redis.Redis) -> str:
    state = read_listener_state(client)
    if state is None:
        raise ProbeFailedError("no listener heartbeat in Redis (cc:listener)")
    return f"listener ok (ami {state.get('state', 'unknown')})"


def probe_worker(client: redis.Redis, *, hostname: str, now: datetime) -> str:
    workers: list[Any] = Worker.all(connection=client)
    mine = [w for w in workers if w.hostname == hostname]
    fresh = [w for w in mine if w.last_heartbeat is not None and now - w.last_heartbeat.replace(tzinfo=UTC) < WORKER_STALE]
    if not fresh:
        raise ProbeFailedError(f"no rq worker of host {hostname} with a recent heartbeat ({len(mine)} registered)")
    return f"{len(fresh)} worker(s) ok on {hostname}"


def probe_scheduler(client: redis.Redis) -> str:
    if not client.exists(LOCK_KEY):
        raise ProbeFailedError(f"no scheduler holds the leader lock ({LOCK_KEY})")
    return "scheduler ok"


def _cmd_probe(args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    try:
        if args.role == "api":
            message = probe_api(args.port or get_api_settings().api_port)
        else:
            if not settings.redis_url:
                raise ProbeFailedError("CALLCENTER_REDIS_URL is not set")
            client = connect(settings.redis_url, timeout=3, decode=args.role != "worker")
            try:
                if args.role == "listener":
                    message = probe_listener(client)
                elif args.role == "worker":
                    message = probe_worker(client, hostname=socket.gethostname(), now=datetime.now(UTC))
                else:
                    message = probe_scheduler(client)
            finally:
                client.close()
    except (ProbeFailedError, redis.RedisError) as exc:
        sys.stderr.write(f"callcenter probe {args.role}: {exc}\n")
        return 1
    sys.stdout.write(message + "\n")
    return 0


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("probe", help="health check of one process (container HEALTHCHECK): api, listener, worker, scheduler")
    parser.add_argument("role", choices=["api", "listener", "worker", "scheduler"])
    parser.add_argument("--port", type=int, help="the API's port (api; default CALLCENTER_API_PORT)")
    parser.set_defaults(func=_cmd_probe)
