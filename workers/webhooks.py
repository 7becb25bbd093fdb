"""Signed webhooks to an executor's own system: HMAC-SHA256 over `timestamp.body` with the executor's secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import httpx

from workers.mailer import DeliveryError

SIGNATURE_HEADER = "X-Callcenter-Signature"
TIMESTAMP_HEADER = "X-Callcenter-Timestamp"


def executor_secret(secret_key: str, executor_code: str) -> str:
    """The executor's webhook secret, derived from the installation's secret key (rotating that key rotates all)."""
    return hmac.new(secret_key.encode(), f"executor-webhook:{executor_code}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, timestamp + "." + body); receivers recompute and compare."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def post_webhook(url: str, payload: dict[str, Any], *, secret: str, delivery_id: str, now: datetime, timeout: float) -> None:
    """One signed POST; 2xx delivered, 4xx final (except 408/429), 5xx and network errors retried."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Callcenter-Event": str(payload.get("event", "")),
        "X-Callcenter-Delivery": delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook unreachable: {type(exc).__name__}", transient=True) from exc
    if response.status_code >= 300:
        transient = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryError(f"webhook answered {response.status_code}", transient=transient)
