"""Console report: a per-channel table, then findings grouped by severity, then the verdict."""

from __future__ import annotations

import io
from typing import Any

from omnicontract.contracts.model import Severity
from omnicontract.validators.result import Finding, RunResult

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green"}
TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info"}


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def verdict_line(result: RunResult) -> str:
    verdict = "FAIL" if result.failed else "PASS"
    return f"{verdict}: {result.tally()} in {result.seconds:.1f}s"


def _sample_text(f: Finding) -> str:
    parts = []
    for s in f.samples:
        shown = (
            "(empty)"
            if s.value is None
            else repr(s.value)
            if len(s.value) <= 60
            else repr(s.value[:57] + "...")
        )
        parts.append(shown + (f" ×{s.count:,}" if s.count > 1 else ""))
    return ", ".join(parts)


def _unified_view(console: Any, result: RunResult) -> None:
    """The lead section: readiness per channel and the top blockers."""
    from rich.table import Table
    from rich.text import Text

    from omnicontract.validators.readiness import channel_readiness, overall_readiness, top_blockers

    channels = channel_readiness(result)
    if not channels:
        return
    console.print()
    overall = overall_readiness(channels)
    console.print(
        Text(f"What blocks the unified view  (readiness {overall:.1f}/100)", style="bold")
    )
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col, just in (
        ("channel", "left"),
        ("readiness", "right"),
        ("resolved", "right"),
        ("via", "left"),
        ("unresolved", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in channels:
        share = c.resolved_share
        resolved = "-" if share is None else f"{share:.1%} of {c.resolvable_rows:,}"
        via = ", ".join(f"{k} {v:,}" for k, v in c.resolved_by.items() if v) or "-"
        gaps = (
            ", ".join(
                f"{k.replace('_', ' ')} {v:,}"
                for k, v in c.resolution.items()
                if k != "resolved" and v
            )
            or "-"
        )
        style = "green" if c.score >= 99 else "yellow" if c.score >= 90 else "bold red"
        table.add_row(c.channel, Text(f"{c.score:.1f}", style=style), resolved, via, gaps)
    console.print(table)
    blockers = top_blockers(result, 5)
    if blockers:
        console.print()
        console.print(Text("Top blockers", style="bold"))
        for i, f in enumerate(blockers, start=1):
            line = Text(f"{i}. ")
            line.append(f.code, style=STYLE[f.severity.value])
            line.append(f"  {f.where}  ", style="bold")
            line.append(f"{f.message}")
            console.print(line)
            if f.samples:
                label = "e.g. (masked) " if f.masked else "e.g. "
                console.print(Text(f"      {label}{_sample_text(f)}", style="dim"))
            if f.hint:
                console.print(Text(f"      fix: {f.hint}", style="dim"))


def _data_roots(console: Any, result: RunResult) -> None:
    """Folders outside the project this run could read: said up front, every run."""
    from rich.text import Text

    for allowed in result.data_roots:
        console.print(
            Text(
                f"reads outside the project: {allowed['path']} "
                f"(allowed by {allowed['allowed_by']})",
                style="yellow",
            )
        )


def render(result: RunResult, *, color: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=110,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    rows = sum(f.rows or 0 for c in result.channels for f in c.feeds)
    feeds = sum(len(c.feeds) for c in result.channels)
    console.print(
        f"[bold]omnicontract[/] · project [bold]{result.project}[/] · {len(result.channels)} channels · "
        f"{feeds} feeds · {rows:,} rows · {result.checks_run:,} checks · {result.seconds:.1f}s"
    )
    _data_roots(console, result)
    _unified_view(console, result)
    if result.channels:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        for col, just in (
            ("channel", "left"),
            ("owner", "left"),
            ("feeds", "right"),
            ("rows", "right"),
            ("errors", "right"),
            ("warnings", "right"),
            ("info", "right"),
            ("status", "left"),
        ):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for ch in result.channels:
            counts = result.counts(result.channel_findings(ch.channel))
            status = result.channel_status(ch.channel)
            table.add_row(
                ch.channel,
                ch.owner or "-",
                str(len(ch.feeds)),
                _n(sum(f.rows or 0 for f in ch.feeds)),
                str(counts["error"]),
                str(counts["warning"]),
                str(counts["info"]),
                Text(status.upper(), style=STATUS_STYLE[status]),
            )
        console.print()
        console.print(table)
    for sev in Severity:
        group = [f for f in result.findings if f.severity == sev]
        if not group:
            continue
        console.print()
        console.print(
            Text(f"{TITLES[sev.value]} ({len(group)})", style=STYLE[sev.value] + " underline")
        )
        for f in group:
            figure = (
                f"{f.count:,} of {f.total:,} ({f.rate:.2%})"
                if f.total
                else (f"{f.count:,}" if f.count else "")
            )
            line = Text()
            line.append(f"{f.code}", style=STYLE[sev.value])
            line.append(f"  {f.where}  ", style="bold")
            line.append(f.message)
            if figure:
                line.append(f"  [{figure}]", style="dim")
            if f.within_tolerance:
                line.append("  (within tolerance)", style="dim")
            console.print(line)
            if f.location:
                console.print(Text(f"      at {f.location}", style="dim"))
            if f.samples:
                label = "e.g. (masked) " if f.masked else "e.g. "
                console.print(Text(f"      {label}{_sample_text(f)}", style="dim"))
            if f.hint:
                console.print(Text(f"      fix: {f.hint}", style="dim"))
    console.print()
    style = "bold red" if result.failed else "bold green"
    console.print(Text(verdict_line(result), style=style))
    return buf.getvalue()
