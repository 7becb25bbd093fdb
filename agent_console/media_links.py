"""Short-lived signed links to one recording for one user: the browser's <audio> streams them with HTTP Range.

A link is `?u=<user_id>&exp=<unix ms>&sig=<HMAC-SHA256>` over the recording id, the user and the expiry, keyed by the
app's secret under its own label (a bearer token's signature can never pass as a link's, nor the reverse).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

_LABEL = b"cc-media-link-v1"


@dataclass(frozen=True)
class MediaLink:
    recording_id: int
    user_id: int
    expires_ms: int

    def query(self, secret: str) -> str:
        return f"u={self.user_id}&exp={self.expires_ms}&sig={_sign(secret, self)}"


def _sign(secret: str, link: MediaLink) -> str:
    key = hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest()
    body = f"recording:{link.recording_id}:{link.user_id}:{link.expires_ms}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode().rstrip("=")


def issue_link(recording_id: int, user_id: int, *, now: datetime, ttl: timedelta) -> MediaLink:
    return MediaLink(recording_id, user_id, int((now + ttl).timestamp() * 1000))


def check_link(secret: str, recording_id: int, *, user: str, exp: str, sig: str, now: datetime) -> tuple[MediaLink | None, str]:
    """The link when its signature is right and it has not expired; otherwise None and why (`forged` or `expired`)."""
    try:
        link = MediaLink(recording_id, int(user), int(exp))
    except ValueError:
        return None, "forged"
    if not hmac.compare_digest(_sign(secret, link), sig):
        return None, "forged"
    if link.expires_ms <= int(now.timestamp() * 1000):
        return None, "expired"
    return link, ""
