"""HTML report: one self-contained file for a governance review, to mail or print.

Readiness per channel and its trend, a channel × check-family heat map, the blockers by
owner (consent violations first), every finding with its masked samples and fix, and
the coverage matrix. Everything is inline (CSS, SVG charts); the page loads nothing
from anywhere, runs no script, and says so in its Content-Security-Policy. It renders
only what the result holds: samples arrive masked unless the run was made with
``--show-pii``, and no raw data is read here.

The trend comes from ``result.trend``, the earlier runs of the project, oldest first,
as the history store records them. Each entry is a dict; every key is optional:

    {
        "run_id": "2026-10-22T06:00:01Z-3f2a",      # shown in the run table
        "started_at": "2026-10-22T06:00:01+00:00",  # ISO 8601; labels the x axis
        "readiness": 97.9,                          # overall readiness, 0-100
        "channels": {"whatsapp": 98.1, ...},        # readiness per channel
        "findings": {"error": 31, "warning": 15, "info": 1},
    }

The current run is appended as the last point. With no earlier run the report says
"no earlier runs recorded" instead of drawing a chart.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import Severity
from omnicontract.reports import svg
from omnicontract.reports.catalogue import FAMILIES
from omnicontract.validators.readiness import (
    channel_readiness,
    is_blocker,
    overall_readiness,
)
from omnicontract.validators.result import Finding, RunResult
from omnicontract.words import n_of

HEATMAP_FAMILIES = (
    "OC-SRC",
    "OC-MAP",
    "OC-FLD",
    "OC-REF",
    "OC-IDN",
    "OC-CNS",
    "OC-JRN",
    "OC-TIM",
    "OC-CON",
)
SEVERITY_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Info"}
BAND_TEXT = {
    "good": "good",
    "fair": "needs work",
    "poor": "poor",
    "none": "not measured",
    "blocked": "has errors",
}
CHANGE_ROWS = 50  # rows shown per kind of change; the rest are counted


def _band(score: float | None, status: str) -> str:
    """The readiness band, never "good" beside a failing status: a channel with an error
    finding that touches few rows still scores high, and says it has errors."""
    band = svg.band(score)
    return "blocked" if status == "fail" and band == "good" else band


SAMPLE_CHARS = 80
TREND_TABLE_RUNS = 12


def _when(iso: Any, *, short: bool = False) -> str:
    if not iso:
        return "-"
    iso = iso.isoformat() if isinstance(iso, datetime) else str(iso)
    try:
        t = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if short:
        return t.strftime("%Y-%m-%d")
    zone = t.strftime("%Z") or ""
    return t.strftime("%Y-%m-%d %H:%M") + (f" {zone}" if zone else "")


def _short(run_id: Any, started: Any) -> str:
    """The label of one run under a chart's axis: its id (``#12``), else its date."""
    if run_id:
        text = str(run_id)
        return f"#{text}" if text.isdigit() else text[-8:]
    return _when(started, short=True)[5:] or "-"


def _family(f: Finding) -> str:
    return f.code.rsplit("-", 1)[0]


def _figure(f: Finding) -> str:
    if f.total:
        return f"{f.count:,} of {f.total:,} rows ({f.rate:.2%})"
    return f"{f.count:,}" if f.count else ""


def _samples(f: Finding) -> list[str]:
    out = []
    for s in f.samples:
        if s.value is None:
            text = "(empty)"
        elif len(s.value) > SAMPLE_CHARS:
            text = s.value[: SAMPLE_CHARS - 1] + "…"
        else:
            text = s.value
        out.append(text + (f" ×{s.count:,}" if s.count > 1 else ""))
    return out


def _finding_view(i: int, f: Finding) -> dict[str, Any]:
    return {
        "id": f"f{i + 1}",
        "code": f.code,
        "severity": f.severity.value,
        "scope": f.where,
        "message": f.message,
        "figure": _figure(f),
        "samples": _samples(f),
        "masked": f.masked,
        "hint": f.hint,
        "location": f.location,
        "within_tolerance": f.within_tolerance,
        "consent": _family(f) == "OC-CNS",
    }


def _trend(result: RunResult, channels: list[str], overall: float | None) -> dict[str, Any]:
    earlier = [t for t in result.trend if isinstance(t, dict)]
    runs = [
        {
            "run_id": t.get("run_id") or "-",
            "short": _short(t.get("run_id"), t.get("started_at")),
            "label": _when(t.get("started_at"), short=True),
            "when": _when(t.get("started_at")),
            "readiness": t.get("readiness"),
            "channels": t.get("channels") or {},
            "findings": t.get("findings") or {},
        }
        for t in earlier
    ]
    current_scores = {c.channel: c.score for c in channel_readiness(result)}
    runs.append(
        {
            "run_id": result.run_id or "this run",
            "short": "this" if not result.run_id else _short(result.run_id, result.started_at),
            "label": _when(result.started_at, short=True),
            "when": _when(result.started_at),
            "readiness": overall,
            "channels": current_scores,
            "findings": result.counts(),
            "current": True,
        }
    )
    previous = runs[-2] if len(runs) > 1 else None
    if not earlier:
        return {"runs": runs, "charts": [], "previous": None}
    names = list(channels)
    for r in earlier:
        names += [c for c in (r.get("channels") or {}) if c not in names]
    labels = [r["short"] for r in runs]

    def series(get: Any) -> list[float | None]:
        return [float(v) if isinstance(v := get(r), int | float) else None for r in runs]

    def scale(values: list[float | None]) -> tuple[float, float]:
        # each chart on its own scale: 91 against 100 must show
        return svg.value_range([v for v in values if v is not None])

    overall_series = series(lambda r: r["readiness"])
    lo, hi = scale(overall_series)
    charts = [
        {
            "title": "Overall",
            "svg": svg.line_chart(
                overall_series,
                labels,
                title="Overall",
                lo=lo,
                hi=hi,
                width=1000,
                height=180,
            ),
            "delta": _delta(overall, previous["readiness"] if previous else None),
            "overall": True,
        }
    ]
    for name in names:
        values = series(lambda r, name=name: r["channels"].get(name))
        lo, hi = scale(values)
        charts.append(
            {
                "title": name,
                "svg": svg.line_chart(values, labels, title=name, lo=lo, hi=hi),
                "delta": _delta(
                    current_scores.get(name),
                    previous["channels"].get(name) if previous else None,
                ),
                "overall": False,
            }
        )
    return {
        "runs": runs[-TREND_TABLE_RUNS:],
        "charts": charts,
        "previous": previous,
        "channel_names": names,
    }


def _delta(now: float | None, before: Any) -> dict[str, str] | None:
    if now is None or not isinstance(before, int | float):
        return None
    d = round(now - float(before), 1)
    if d > 0:
        return {"dir": "up", "text": f"▲ +{d:.1f}"}
    if d < 0:
        return {"dir": "down", "text": f"▼ {d:.1f}"}
    return {"dir": "same", "text": "= no change"}


def _heatmap(result: RunResult) -> dict[str, Any]:
    names = [c.channel for c in result.channels]
    if any(f.channel is None for f in result.findings):
        names.append(None)  # type: ignore[arg-type]
    rows = []
    for name in names:
        cells = []
        for fam in HEATMAP_FAMILIES:
            group = [f for f in result.findings if f.channel == name and _family(f) == fam]
            if not group:
                cells.append({"severity": "none", "family": fam})
                continue
            worst = max(group, key=lambda f: f.severity.rank).severity.value
            failing = sum(f.count for f in group)
            by_severity = [
                n_of(n, sev.value)
                for sev in Severity
                if (n := sum(f.severity == sev for f in group))
            ]
            cells.append(
                {
                    "severity": worst,
                    "family": fam,
                    "rows": failing,
                    "findings": len(group),
                    "by_severity": by_severity,
                    "codes": ", ".join(sorted({f.code for f in group})),
                }
            )
        rows.append({"channel": name or "project", "cells": cells})
    return {
        "families": [{"code": fam, "name": FAMILIES.get(fam, fam)} for fam in HEATMAP_FAMILIES],
        "rows": rows,
    }


def _period(channel: Any) -> tuple[str, str] | None:
    """First and last event time (dates) over the channel's feeds; None without any."""
    firsts = [f.first_event for f in channel.feeds if f.first_event]
    lasts = [f.last_event for f in channel.feeds if f.last_event]
    if not firsts or not lasts:
        return None
    return _when(min(firsts), short=True), _when(max(lasts), short=True)


def _changes(result: RunResult) -> dict[str, Any] | None:
    """The "since the previous run" section: counts, and the rows of each kind."""
    from omnicontract.reports import changes as ch

    if not result.changes:
        return None
    groups = []
    for kind in ch.KINDS:
        total = len(result.changes.get(kind) or [])
        groups.append(
            {
                "kind": kind,
                "title": ch.TITLES[kind],
                "short": ch.SHORT[kind],
                "total": total,
                "rows": ch.rows(result.changes, kind, limit=CHANGE_ROWS),
                "more": max(0, total - CHANGE_ROWS),
            }
        )
    previous = result.changes.get("previous_run") or {}
    return {
        "headline": ch.headline(result.changes),
        "previous": previous.get("run_id"),
        "previous_when": _when(previous.get("started_at")),
        "groups": groups,
    }


def _owners(result: RunResult, index: dict[int, int]) -> list[dict[str, Any]]:
    """Channel owners with their blockers; consent violations first, then by severity."""
    owners: dict[str, dict[str, Any]] = {}
    channel_owner = {c.channel: c.owner or "no owner declared" for c in result.channels}
    for ch in result.channels:
        o = owners.setdefault(channel_owner[ch.channel], {"channels": [], "blockers": []})
        o["channels"].append(ch.channel)
    for f in result.findings:
        if not is_blocker(f):
            continue
        key = channel_owner.get(f.channel or "", "project")
        o = owners.setdefault(key, {"channels": [], "blockers": []})
        o["blockers"].append(f)
    out = []
    for name, o in owners.items():
        blockers = sorted(
            o["blockers"],
            key=lambda f: (_family(f) != "OC-CNS", -f.severity.rank, -f.count, f.channel or ""),
        )
        out.append(
            {
                "owner": name,
                "channels": o["channels"],
                "blockers": [_finding_view(index[id(f)], f) for f in blockers],
                "consent": sum(_family(f) == "OC-CNS" for f in blockers),
                "errors": sum(f.severity == Severity.error for f in blockers),
            }
        )
    out.sort(key=lambda o: (-o["consent"], -o["errors"], -len(o["blockers"]), o["owner"]))
    return out


def _coverage(result: RunResult) -> list[dict[str, Any]]:
    out = []
    for entity, cov in result.coverage().items():
        chans = cov["channels"]
        if not chans:
            continue
        rows = [
            {"field": fld, "supplied": [fld in chans[c] for c in chans]} for fld in cov["fields"]
        ]
        totals = [sum(fld in chans[c] for fld in cov["fields"]) for c in chans]
        out.append(
            {
                "entity": entity,
                "version": result.contracts.get(entity),
                "channels": list(chans),
                "rows": rows,
                "totals": totals,
                "fields": len(cov["fields"]),
            }
        )
    return out


def context(result: RunResult) -> dict[str, Any]:
    """Everything the template shows, as plain values (the SVG charts as strings)."""
    from markupsafe import Markup

    from omnicontract.reports.keys import key_rows

    ready = channel_readiness(result)
    overall = overall_readiness(ready)
    index = {id(f): i for i, f in enumerate(result.findings)}
    trend = _trend(result, [c.channel for c in ready], overall)
    for chart in trend["charts"]:
        chart["svg"] = Markup(chart["svg"])
    previous = trend["previous"]
    owners = {c.channel: c.owner for c in result.channels}
    channels = []
    periods = {ch.channel: _period(ch) for ch in result.channels}
    for c in ready:
        share = c.resolved_share
        status = result.channel_status(c.channel)
        band = _band(c.score, status)
        channels.append(
            {
                "channel": c.channel,
                "owner": owners.get(c.channel) or "-",
                "score": c.score,
                "band": band,
                "band_text": BAND_TEXT[band],
                "bar": Markup(svg.bar(c.score, label=c.channel, band=band)),
                "period": periods.get(c.channel),
                "rows": c.rows,
                "resolved": "-" if share is None else f"{share:.1%} of {c.resolvable_rows:,}",
                "unresolved": ", ".join(
                    f"{k.replace('_', ' ')} {v:,}"
                    for k, v in c.resolution.items()
                    if k != "resolved" and v
                )
                or "-",
                "status": status,
                "delta": _delta(c.score, previous["channels"].get(c.channel)) if previous else None,
            }
        )
    overall_band = _band(overall, "fail" if result.failed else "pass")
    by_severity = [
        {
            "severity": sev.value,
            "title": SEVERITY_TITLE[sev.value],
            "findings": [
                _finding_view(i, f) for i, f in enumerate(result.findings) if f.severity == sev
            ],
        }
        for sev in Severity
    ]
    feeds = sum(len(c.feeds) for c in result.channels)
    return {
        "project": result.project,
        "started": _when(result.started_at),
        "as_of": _when(result.as_of) if result.as_of else "",
        "key_rows": key_rows(result),
        "seconds": result.seconds,
        "run_id": result.run_id,
        "engine": result.engine,
        "fail_on": result.fail_on.value,
        "verdict": "FAIL" if result.failed else "PASS",
        "counts": result.counts(),
        "contracts": sorted(result.contracts.items()),
        "summary": {
            "channels": len(result.channels),
            "feeds": feeds,
            "rows": sum(f.rows or 0 for c in result.channels for f in c.feeds),
            "checks": result.checks_run,
        },
        "overall": overall,
        "overall_band": overall_band,
        "overall_band_text": BAND_TEXT[overall_band],
        "overall_bar": Markup(
            svg.bar(overall, label="overall", width=480, height=18, band=overall_band)
        ),
        "changes": _changes(result),
        "overall_delta": _delta(overall, previous["readiness"]) if previous else None,
        "channels": channels,
        "trend": trend,
        "heatmap": _heatmap(result),
        "owners": _owners(result, index),
        "by_severity": by_severity,
        "masked": sum(f.masked for f in result.findings),
        "coverage": _coverage(result),
        "version": _version(),
    }


def _version() -> str:
    from omnicontract import __version__

    return __version__


def render(result: RunResult, *, color: bool = False) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["n"] = lambda v: "-" if v is None else f"{v:,}"
    env.filters["count_of"] = n_of
    return env.get_template("report.html.j2").render(**context(result))
