""" "Since the previous run": the findings new, resolved, worsened and improved, as every
report words them (HTML section, Markdown lines). Reads ``RunResult.changes`` only."""

from __future__ import annotations

from typing import Any

from omnicontract.words import n_of

KINDS = ("new", "resolved", "worsened", "improved")
SHORT = {"new": "new", "resolved": "resolved", "worsened": "worse", "improved": "better"}
TITLES = {
    "new": "New findings",
    "resolved": "Resolved",
    "worsened": "Worse",
    "improved": "Better",
}


def where(item: dict[str, Any]) -> str:
    """``channel/feed.field`` as far as the finding has them; ``project`` otherwise."""
    text = "/".join(p for p in (item.get("channel"), item.get("feed")) if p)
    if item.get("field"):
        text = f"{text}.{item['field']}" if text else item["field"]
    return text or "project"


def figure(kind: str, item: dict[str, Any]) -> str:
    """What moved: ``5 (error)``, ``was 3 (error)``, ``3 -> 5 (+2)``, ``warning -> error``."""
    now, before = item["count"], item["previous_count"]
    if kind == "new":
        return f"{now:,}"
    if kind == "resolved":
        return f"was {before:,}"
    parts = []
    if now != before:
        parts.append(f"{before:,} -> {now:,} ({now - before:+,})")
    if item.get("previous_severity") and item["previous_severity"] != item["severity"]:
        parts.append(f"{item['previous_severity']} -> {item['severity']}")
    return ", ".join(parts) or f"{now:,}"


def counts(changes: dict[str, Any]) -> dict[str, int]:
    return {k: len(changes.get(k) or []) for k in KINDS}


def headline(changes: dict[str, Any]) -> str:
    """``3 new findings, 2 resolved, 1 worse, 0 better since run 7 (2026-06-01 06:00 UTC)``."""
    c = counts(changes)
    prev = changes.get("previous_run") or {}
    since = f"run {prev.get('run_id')}" if prev.get("run_id") else "the previous run"
    when = str(prev.get("started_at") or "")[:16].replace("T", " ")
    return (
        f"{n_of(c['new'], 'new finding', 'new findings')}, {c['resolved']:,} resolved, "
        f"{c['worsened']:,} worse, {c['improved']:,} better since {since}"
        + (f" ({when} UTC)" if when else "")
    )


def rows(changes: dict[str, Any], kind: str, limit: int | None = None) -> list[dict[str, str]]:
    """The items of one kind as text cells: code, where, severity, figure."""
    items = changes.get(kind) or []
    shown = items if limit is None else items[:limit]
    return [
        {
            "code": i["code"],
            "where": where(i),
            "severity": i["severity"],
            "figure": figure(kind, i),
        }
        for i in shown
    ]
