"""Findings since the previous run: one identity per code, channel, feed and field."""

from __future__ import annotations

from omnicontract.history.changes import compare
from omnicontract.reports import changes as words


def _row(code: str, count: int, severity: str = "error", field: str | None = "email") -> dict:
    return {
        "code": code,
        "channel": "crm",
        "feed": "customers",
        "field": field,
        "severity": severity,
        "count": count,
        "total": 100,
    }


def test_new_resolved_worse_and_better() -> None:
    before = [
        _row("OC-FLD-009", 3),
        _row("OC-FLD-010", 5, field="phone"),
        _row("OC-FLD-011", 2, field="country"),
        _row("OC-MAP-002", 4, "warning", field="status"),
        _row("OC-SRC-004", 1, "info", field=None),
    ]
    now = [
        _row("OC-FLD-009", 3),  # the same: not listed
        _row("OC-FLD-010", 9, field="phone"),  # more rows
        _row("OC-FLD-011", 1, field="country"),  # fewer rows
        _row("OC-MAP-002", 4, "error", field="status"),  # same rows, higher severity
        _row("OC-IDN-004", 2),  # new
    ]
    out = compare(now, before, {"run_id": "7", "started_at": "2026-06-01T06:00:00+00:00"})
    ids = {k: [i["code"] for i in out[k]] for k in ("new", "resolved", "worsened", "improved")}
    assert ids == {
        "new": ["OC-IDN-004"],
        "resolved": ["OC-SRC-004"],
        "worsened": ["OC-FLD-010", "OC-MAP-002"],
        "improved": ["OC-FLD-011"],
    }
    assert out["previous_run"]["run_id"] == "7"
    worse = {i["code"]: words.figure("worsened", i) for i in out["worsened"]}
    assert worse == {"OC-FLD-010": "5 -> 9 (+4)", "OC-MAP-002": "warning -> error"}
    assert words.figure("resolved", out["resolved"][0]) == "was 1"
    assert words.headline(out) == (
        "1 new finding, 1 resolved, 2 worse, 1 better since run 7 (2026-06-01 06:00 UTC)"
    )


def test_one_place_reported_twice_is_added_up() -> None:
    out = compare([_row("OC-FLD-009", 2), _row("OC-FLD-009", 2)], [_row("OC-FLD-009", 3)], {})
    assert [i["count"] for i in out["worsened"]] == [4]
