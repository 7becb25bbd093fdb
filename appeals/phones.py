"""Phone numbers: parse what the PBX and operators type into E.164, and show it as people write it."""

from __future__ import annotations

import re

import phonenumbers

from appeals.errors import PhoneNumberError

WITHHELD = frozenset({"", "anonymous", "<unknown>", "unknown", "restricted", "private", "withheld", "unavailable", "0", "s"})
_SHORT = re.compile(r"^\d{2,6}$")
_JUNK = re.compile(r"[\s\-().\u00a0/]")


def normalize_phone(raw: str | None, *, region: str = "UA", area_code: str | None = None) -> str | None:
    """The number in E.164, a short service number as dialled, or None for a withheld caller ID.

    Accepts `0501234567`, `380501234567`, `+380 50 123 45 67`, `00380…`, the legacy `8050…` trunk prefix,
    `tel:`/`sip:` URIs, and (with `area_code`) a local number without its area code.

    Raises:
        PhoneNumberError: the text is not a dialable number.
    """
    if raw is None:
        return None
    text = raw.strip()
    if text.lower() in WITHHELD:
        return None
    text = re.sub(r"^(tel:|sip:|pjsip:)", "", text, flags=re.IGNORECASE).split("@", 1)[0]
    digits = _JUNK.sub("", text)
    if digits.lower() in WITHHELD:
        return None
    if not re.fullmatch(r"\+?\d+", digits):
        raise PhoneNumberError(raw)
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    if not plus and _SHORT.match(digits):
        if area_code and len(digits) + len(area_code) == 9:
            digits = "0" + area_code + digits
        else:
            return digits
    if not plus:
        if digits.startswith("00"):
            digits = digits[2:]
            plus = True
        elif region == "UA" and len(digits) == 11 and digits.startswith("80"):
            digits = digits[1:]  # legacy long-distance prefix 8 + 0XX…
        elif len(digits) == 12 and digits.startswith("380"):
            plus = True
    candidate = ("+" + digits) if plus else digits
    try:
        parsed = phonenumbers.parse(candidate, None if plus else region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(raw) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneNumberError(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str | None, *, region: str = "UA") -> str | None:
    """Like normalize_phone, but an unparseable number is kept as its digits (the PBX sent it; never lose it)."""
    try:
        return normalize_phone(raw, region=region)
    except PhoneNumberError:
        digits = re.sub(r"[^\d+]", "", raw or "")
        return digits[:20] or None


def display_phone(number: str | None) -> str:
    """A stored number as people write it: `+380 44 123 4567`; short numbers unchanged; '' for withheld."""
    if not number:
        return ""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
