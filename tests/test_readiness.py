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
