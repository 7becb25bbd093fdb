"""SMS to citizens and dispatch phones: the gateway seam, a log gateway (default) and a generic HTTP JSON gateway."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import httpx

from runtime.log import mask_phone
from workers.mailer import DeliveryError

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, to: str, text: str, *, message_key: str) -> None:
        """Send one SMS; `message_key` lets a gateway drop a repeat. Raises DeliveryError."""


class LogSmsGateway:
    """Writes the SMS to the log (number masked) instead of sending it."""

    def send(self, to: str, text: str, *, message_key: str) -> None:
        logger.info(
            "sms written to the log (sms gateway: log)",
            extra={"event_data": {"to": mask_phone(to), "chars": len(text), "key": message_key}},
        )


@dataclass(frozen=True)
class HttpSmsGateway:
    """POSTs `{"to", "text", "id"}` as JSON with a bearer token; 2xx is accepted, 4xx is final, 5xx is retried."""

    url: str
    token: str = ""
    timeout: float = 10.0

    def send(self, to: str, text: str, *, message_key: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.post(self.url, json={"to": to, "text": text, "id": message_key}, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway unavailable: {type(exc).__name__}", transient=True) from exc
        if response.status_code >= 300:
            transient = response.status_code >= 500 or response.status_code in (408, 429)
            raise DeliveryError(f"SMS gateway answered {response.status_code}", transient=transient)
