"""OC-SRC-007: a feed's row count against its recent runs."""

from __future__ import annotations

from pathlib import Path

import omnicontract
from tests.conftest import FIXED_NOW, write_project


def _project(tmp_path: Path, rows: int, volume: dict | None) -> Path:
    body = "id,t\n" + "".join(f"{i},2026-05-31T10:00:00Z\n" for i in range(rows))
    feed = {
        "entity": "interaction",
        "fields": {"interaction_id": "id", "occurred_at": "t"},
        "constants": {"channel": "web", "kind": "page_view"},
        "rows": body,
    }
    if volume is not None:
        feed["volume"] = volume
    return write_project(tmp_path / f"p{rows}", feeds=[feed])


def _volume(root: Path, past: list[int]):
    result = omnicontract.validate(
        root,
        now=FIXED_NOW,
        feed_history=lambda channel, feed: past if (channel, feed) == ("ch0", "f") else [],
    )
    return [f for f in result.findings if f.code == "OC-SRC-007"]


def test_drop_against_the_median_of_recent_runs(tmp_path: Path) -> None:
    root = _project(tmp_path, 40, {"max_drop": 0.5, "window": 5})
    (finding,) = _volume(root, [100, 98, 104, 99, 101, 5000])  # 5000: outside the window
    assert finding.count == 40 and finding.total == 100
    assert "60% below the median of the last 5 runs (100)" in finding.message
    assert finding.severity.value == "warning"


def test_spike_and_quiet_cases(tmp_path: Path) -> None:
    root = _project(tmp_path, 40, {"max_growth": 1.0})
    assert [f.message for f in _volume(root, [10, 12, 11])] == [
        "40 rows, 264% above the median of the last 3 runs (11)"
    ]
    assert _volume(root, [30, 35, 38]) == []  # within bounds
    assert _volume(root, [10, 12]) == []  # fewer runs than min_runs (3): no verdict yet
    assert _volume(_project(tmp_path, 41, None), [1, 1, 1]) == []  # no volume block: not checked


def test_absolute_bounds_need_no_history(tmp_path: Path) -> None:
    root = _project(tmp_path, 40, {"min_rows": 50})
    (low,) = _volume(root, [])
    assert low.severity.value == "error" and low.count == 40
    assert "fewer than the 50 rows" in low.message
    (high,) = _volume(_project(tmp_path, 41, {"max_rows": 40}), [])
    assert "more than the 40 rows" in high.message
    assert _volume(_project(tmp_path, 42, {"min_rows": 42, "max_rows": 42}), []) == []
    # both at once: the bound and the trend are judged each on its own
    both = _volume(_project(tmp_path, 43, {"min_rows": 50, "max_drop": 0.5}), [100, 100, 100])
    assert sorted(f.severity.value for f in both) == ["error", "warning"]
