"""What changed since the previous run: findings new, resolved, worse or better.

A finding is identified by its code, channel, feed and field. It is *new* when the
previous run had no finding with that identity, *resolved* when this run has none,
*worsened* when its failing count grew or its severity rose, *improved* when its count
fell (and its severity did not rise). Counts are compared as they were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omnicontract.contracts.model import Severity
from omnicontract.validators.result import Finding

KINDS = ("new", "resolved", "worsened", "improved")
Key = tuple[str, str | None, str | None, str | None]


def _key(row: dict[str, Any]) -> Key:
    return (row["code"], row.get("channel"), row.get("feed"), row.get("field"))


def figure(f: Finding) -> dict[str, Any]:
    """A finding as the history records it."""
    return {
        "code": f.code,
        "channel": f.channel,
        "feed": f.feed,
        "field": f.field,
        "severity": f.severity.value,
        "count": f.count,
        "total": f.total,
    }


def _rank(severity: str | None) -> int:
    return Severity(severity).rank if severity else 0


def _index(rows: Iterable[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Figures by identity; one place reported twice (rare) is added up, worst severity."""
    out: dict[Key, dict[str, Any]] = {}
    for row in rows:
        seen = out.setdefault(_key(row), {**row, "count": 0})
        seen["count"] += row.get("count") or 0
        if _rank(row["severity"]) > _rank(seen["severity"]):
            seen["severity"] = row["severity"]
    return out


def compare(
    current: Iterable[dict[str, Any]],
    previous: Iterable[dict[str, Any]],
    previous_run: dict[str, Any],
) -> dict[str, Any]:
    """The changes from the ``previous`` run's figures to the ``current`` ones (each a
    ``figure()`` dict). ``previous_run`` is the earlier run's trend entry."""
    now, before = _index(current), _index(previous)
    out: dict[str, Any] = {
        "previous_run": {
            "run_id": previous_run.get("run_id"),
            "started_at": previous_run.get("started_at"),
        },
        **{k: [] for k in KINDS},
    }
    for key in sorted(set(now) | set(before), key=lambda k: tuple(p or "" for p in k)):
        a, b = now.get(key), before.get(key)
        item = {
            "code": key[0],
            "channel": key[1],
            "feed": key[2],
            "field": key[3],
            "severity": (a or b)["severity"],  # type: ignore[index]
            "count": a["count"] if a else 0,
            "previous_severity": b["severity"] if b else None,
            "previous_count": b["count"] if b else 0,
        }
        if b is None:
            out["new"].append(item)
        elif a is None:
            out["resolved"].append(item)
        elif _rank(a["severity"]) > _rank(b["severity"]) or a["count"] > b["count"]:
            out["worsened"].append(item)
        elif a["count"] < b["count"]:
            out["improved"].append(item)
    order = {"error": 0, "warning": 1, "info": 2}
    for kind in KINDS:
        out[kind].sort(
            key=lambda i: (order.get(i["severity"], 3), -abs(i["count"] - i["previous_count"]))
        )
    return out


def counts(changes: dict[str, Any]) -> dict[str, int]:
    return {k: len(changes.get(k, [])) for k in KINDS}
