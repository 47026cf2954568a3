"""The readiness score is reproducible by hand from the findings (docs/readiness.md)."""

from __future__ import annotations

import json
from pathlib import Path

import omnicontract
from tests.conftest import FIXED_NOW, write_project

MASTER = {
    "entity": "customer",
    "fields": {"customer_id": "id", "email": "mail"},
    "rows": "id,mail\nC1,ana@example.com\nC2,bia@example.com\nC3,cy@example.com\nC4,di@example.com\n",
}


def _interactions(mails: list[str]) -> dict:
    rows = "".join(f"{i},{m},2024-01-01T10:{i:02d}:00Z\n" for i, m in enumerate(mails))
    return {
        "entity": "interaction",
        "fields": {"interaction_id": "id", "email": "mail", "occurred_at": "t"},
        "constants": {"channel": "email", "kind": "email"},
        "rows": "id,mail,t\n" + rows,
    }


def test_score_is_the_product_of_error_rates(tmp_path: Path) -> None:
    # 10 rows: 2 orphans (error, 20%) and one bad e-mail syntax among them (error, 10%)
    mails = ["ana@example.com"] * 8 + ["zed@example.com", "broken-address"]
    root = write_project(tmp_path / "p", feeds=[MASTER, _interactions(mails)])
    result = omnicontract.validate(root, now=FIXED_NOW)
    doc = json.loads(json.dumps(result.to_dict()))
    errors = [f for f in doc["findings"] if f["channel"] == "ch1" and f["severity"] == "error"]
    assert sorted((f["code"], f["count"], f["total"]) for f in errors) == [
        ("OC-FLD-009", 1, 10),
        ("OC-IDN-001", 2, 10),
    ]
    by_hand = 100.0
    for f in errors:
        by_hand *= 1 - min(1, f["count"] / f["total"])
    channels = {c["channel"]: c for c in doc["unified_view"]["channels"]}
    assert channels["ch1"]["readiness"] == round(by_hand, 1) == 72.0
    assert channels["ch1"]["resolution"] == {
        "resolved": 8,
        "ambiguous": 0,
        "orphan": 2,
        "no_key": 0,
    }
    assert channels["ch1"]["resolved_by"] == {"email": 8}
    assert channels["ch0"]["readiness"] == 100.0
    overall = (4 * 100.0 + 10 * 72.0) / 14
    assert doc["unified_view"]["readiness"] == round(overall, 1)
    blockers = [doc["findings"][i]["code"] for i in doc["unified_view"]["blockers"]]
    assert blockers == ["OC-IDN-001"]


def test_unreadable_channel_scores_zero_and_warnings_do_not_count(tmp_path: Path) -> None:
    missing = {**_interactions([]), "source": {"path": "data/nowhere.csv"}}
    warned = {
        **_interactions(["ana@example.com", "zed@example.com"]),
        "checks": {"orphan": {"severity": "warning"}},
    }
    root = write_project(tmp_path / "p", feeds=[MASTER, missing, warned])
    doc = omnicontract.validate(root, now=FIXED_NOW).to_dict()
    scores = {c["channel"]: c["readiness"] for c in doc["unified_view"]["channels"]}
    assert scores == {"ch0": 100.0, "ch1": 0.0, "ch2": 100.0}


def test_coverage_lists_supplied_fields(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[MASTER, _interactions(["ana@example.com"])])
    cov = omnicontract.validate(root, now=FIXED_NOW).to_dict()["coverage"]
    assert cov["interaction"]["channels"] == {
        "ch1": ["channel", "email", "interaction_id", "kind", "occurred_at"]
    }
    assert "occurred_at" in cov["interaction"]["fields"]
    assert cov["customer"]["channels"] == {"ch0": ["customer_id", "email"]}


def test_dead_feeds_cap_their_channel_and_weigh_like_a_typical_channel(tmp_path: Path) -> None:
    """A missing feed turned down to info still caps its channel at 50; an empty feed
    too; the dead channels weigh the median rows of the others, and the overall score
    cannot pass 90 while any feed is dead."""
    missing = {
        **_interactions([]),
        "source": {"path": "data/nowhere.csv"},
        "checks": {"OC-SRC-001": {"severity": "info"}},
    }
    empty = {**_interactions([]), "checks": {"OC-SRC-005": {"severity": "info"}}}
    alive = _interactions(["ana@example.com"] * 6)
    root = write_project(tmp_path / "p", feeds=[MASTER, missing, empty, alive])
    doc = omnicontract.validate(root, now=FIXED_NOW).to_dict()
    scores = {c["channel"]: c["readiness"] for c in doc["unified_view"]["channels"]}
    assert scores == {"ch0": 100.0, "ch1": 50.0, "ch2": 50.0, "ch3": 100.0}
    # weights: ch0 4 rows, ch3 6 rows; the dead ones the median of (4, 6): 6
    overall = (4 * 100 + 6 * 50 + 6 * 50 + 6 * 100) / 22
    assert doc["unified_view"]["readiness"] == round(min(overall, 90.0), 1) == 72.7


def test_a_stale_feed_caps_its_channel(tmp_path: Path) -> None:
    stale = {
        **_interactions(["ana@example.com"] * 3),
        "freshness": {"max_age": "1d"},
        "checks": {"OC-SRC-008": {"severity": "warning"}},
    }
    root = write_project(tmp_path / "p", feeds=[MASTER, stale])
    doc = omnicontract.validate(root, now=FIXED_NOW).to_dict()
    assert [f["code"] for f in doc["findings"]] == ["OC-SRC-008"]
    assert doc["findings"][0]["severity"] == "warning"
    scores = {c["channel"]: c["readiness"] for c in doc["unified_view"]["channels"]}
    assert scores == {"ch0": 100.0, "ch1": 80.0}
    assert doc["unified_view"]["readiness"] == round(min((4 * 100 + 3 * 80) / 7, 95.0), 1)
