"""A small IMAP client over imaplib: select, UIDs after a mark, size and arrival time, fetch without marking, flags."""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The mailbox cannot be read (connection, login, a refused command); the poll is retried later."""


@dataclass
class Mailbox:
    host: str
    port: int
    username: str
    password: str
    security: Literal["none", "starttls", "ssl"] = "ssl"
    timeout: float = 30.0
    _client: imaplib.IMAP4 | None = None

    def __enter__(self) -> Mailbox:
        try:
            if self.security == "ssl":
                self._client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(), timeout=self.timeout)
            else:
                self._client = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    self._client.starttls(ssl_context=ssl.create_default_context())
            self._client.login(self.username, self.password)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP {self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._client is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self._client.logout()
            self._client = None

    @property
    def client(self) -> imaplib.IMAP4:
        if self._client is None:
            msg = "mailbox is not open"
            raise MailboxError(msg)
        return self._client

    def _ok(self, result: tuple[str, list[object]], what: str) -> list[object]:
        status, data = result
        if status != "OK":
            raise MailboxError(f"IMAP {what} failed: {data!r}"[:300])
        return data

    def select(self, mailbox: str) -> int:
        """Open the folder read-write; returns its UIDVALIDITY."""
        try:
            self._ok(self.client.select(mailbox), "SELECT")  # type: ignore[arg-type]
            _, data = self.client.response("UIDVALIDITY")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP SELECT {mailbox}: {exc}") from exc
        return int(data[0]) if data and data[0] else 0

    def uids_after(self, last_uid: int) -> list[int]:
        try:
            data = self._ok(self.client.uid("SEARCH", None, f"UID {last_uid + 1}:*"), "SEARCH")  # type: ignore[arg-type]
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP SEARCH: {exc}") from exc
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        return sorted(u for u in (int(x) for x in raw.split()) if u > last_uid)  # "n:*" also returns the last message

    def _fetch(self, uid: int, items: str) -> list[object]:
        try:
            return self._ok(self.client.uid("FETCH", str(uid), items), "FETCH")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP FETCH {uid}: {exc}") from exc

    def meta(self, uid: int) -> tuple[int, datetime | None]:
        """The message's size and arrival time (INTERNALDATE)."""
        data = self._fetch(uid, "(RFC822.SIZE INTERNALDATE)")
        line = b" ".join(d if isinstance(d, bytes) else b"" for d in data)
        size = _SIZE.search(line)
        date = _DATE.search(line)
        arrived = datetime.strptime(date.group(1).decode(), "%d-%b-%Y %H:%M:%S %z") if date else None
        return (int(size.group(1)) if size else 0), arrived

    def fetch(self, uid: int, *, headers_only: bool = False) -> bytes:
        """The raw message (or its header), without setting \\Seen."""
        data = self._fetch(uid, "(BODY.PEEK[HEADER])" if headers_only else "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        raise MailboxError(f"IMAP FETCH {uid} returned no message")

    def flag(self, uid: int, *flags: str) -> None:
        try:
            self._ok(self.client.uid("STORE", str(uid), "+FLAGS", f"({' '.join(flags)})"), "STORE")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP STORE {uid}: {exc}") from exc
