"""Phone numbers as they arrive from the PBX and from operators, stored in E.164, shown as people write them."""

from __future__ import annotations

import pytest

from appeals.errors import PhoneNumberError
from appeals.phones import display_phone, normalize_phone, try_normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0501234567", "+380501234567"),
        ("380501234567", "+380501234567"),
        ("+380 50 123 45 67", "+380501234567"),
        ("+38 (050) 123-45-67", "+380501234567"),
        ("80501234567", "+380501234567"),
        ("00380441234567", "+380441234567"),
        ("(044) 123-45-67", "+380441234567"),
        ("tel:+380441234567", "+380441234567"),
        ("sip:0671234567@10.0.0.1", "+380671234567"),
        ("1551", "1551"),
        ("101", "101"),
        ("+31150010001", "+31150010001"),
    ],
)
def test_numbers_are_stored_in_e164(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["anonymous", "<unknown>", "Unknown", "", "  ", "restricted", None])
def test_withheld_caller_id_is_none(raw: str | None) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw", ["abc", "+380", "12345678901234567", "050-ABC-1234"])
def test_garbage_is_a_clear_error(raw: str) -> None:
    with pytest.raises(PhoneNumberError, match="не номер телефону"):
        normalize_phone(raw)


def test_unparseable_pbx_number_is_kept_as_digits_not_lost() -> None:
    assert try_normalize_phone("12345678901234567") == "12345678901234567"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+380441234567", "+380 44 123 4567"), ("+380501234567", "+380 50 123 4567"), ("1551", "1551"), (None, "")],
)
def test_display_as_people_write_it(stored: str | None, shown: str) -> None:
    assert display_phone(stored) == shown
