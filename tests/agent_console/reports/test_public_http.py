"""The public statistics page and its JSON on the November data set."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_statistics_page_shows_the_month_without_signing_in(nov_client: TestClient) -> None:
    page = nov_client.get("/stats", params={"month": "2026-11"})
    assert page.status_code == 200
    assert "період 01.11.2026 — 30.11.2026" in page.text
    assert "57,1" in page.text  # closed on time, Kyiv's formula
    assert "Житлово-комунальне господарство" in page.text
    assert "<svg" in page.text
    for private in ("Іваненко", "+380", "Петлюри"):
        assert private not in page.text
    body = nov_client.get("/api/public/stats", params={"month": "2026-11"}).json()
    overview = {r["measure"]: r["value"] for r in body["tables"][0]["rows"]}
    assert overview["Питань зареєстровано"] == 9
    assert overview["Рівень обслуговування (20 с), %"] == 50.0


def test_the_current_month_by_default_and_a_bad_month(nov_client: TestClient) -> None:
    assert "період 01.12.2026 — 31.12.2026" in nov_client.get("/stats").text  # the clock says 1 Dec
    bad = nov_client.get("/stats", params={"month": "2026-13"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "month_invalid")
