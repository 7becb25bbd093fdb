"""Bearer tokens: HMAC-signed, expiring, and void once the user is deactivated or changes password."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    issued_ms: int
    expires_ms: int


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _sign(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_token(secret: str, user_id: int, *, now: datetime, ttl: timedelta) -> str:
    body = f"v1.{user_id}.{_ms(now)}.{_ms(now + ttl)}"
    return f"{body}.{_sign(secret, body)}"


def read_token(secret: str, token: str, *, now: datetime) -> TokenClaims | None:
    """The claims of a well-formed, correctly signed, unexpired token; None otherwise."""
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != "v1":
        return None
    body = ".".join(parts[:4])
    if not hmac.compare_digest(_sign(secret, body), parts[4]):
        return None
    try:
        claims = TokenClaims(user_id=int(parts[1]), issued_ms=int(parts[2]), expires_ms=int(parts[3]))
    except ValueError:
        return None
    if claims.expires_ms <= _ms(now):
        return None
    return claims


def issued_before(claims: TokenClaims, moment: datetime) -> bool:
    """True when the token predates `moment` (a deactivation or password change)."""
    return claims.issued_ms < _ms(moment)
