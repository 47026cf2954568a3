"""Console report: what blocks the unified view, the per-channel table, then findings
grouped by severity, then the verdict.

Laid out in the width it is given (the terminal's, from the CLI): lines wrap between
words and never inside a figure (``[1 of 4,489 (0.02%)]`` stays whole), and below
``NARROW`` columns the tables drop or stack their wide columns.
"""

from __future__ import annotations

import io
import re
from typing import Any

from omnicontract.contracts.model import Severity
from omnicontract.validators.result import Finding, RunResult
from omnicontract.words import n_of

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green"}
TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info"}
DEFAULT_WIDTH = 100  # when the width is not known (a file, a pipe)
MIN_WIDTH = 40
NARROW = 80
INDENT = "      "

WORD = re.compile(r"\S*\[[^\[\]\n]{0,30}\]\S*|\S+")
Token = tuple[str, str, str]  # text, style, the space before it


def words(text: str, style: str = "", *, whole: bool = False, gap: str = " ") -> list[Token]:
    """``text`` as tokens: one per word (a short bracketed span such as ``[0, 86400]`` is
    one), or one for the whole text (a figure, a sample); ``gap`` is the space before the
    first."""
    pieces = [text] if whole else WORD.findall(text)
    return [(p, style, gap if i == 0 else " ") for i, p in enumerate(pieces)]


def listed(items: list[str], style: str = "") -> list[Token]:
    """``a, b, c`` with each item whole."""
    return [(i + ("," if n < len(items) - 1 else ""), style, " ") for n, i in enumerate(items)]


def wrap(tokens: list[Token], width: int, indent: str = INDENT, lead: str = "") -> list[Any]:
    """Lay tokens out in lines of at most ``width`` cells, the first starting with ``lead``
    and the next ones with ``indent``, as rich Texts. A token never breaks, unless it alone
    is wider than a line."""
    from rich.cells import cell_len
    from rich.text import Text

    lines: list[Text] = []
    line = Text(lead)
    for piece, style, space in tokens:
        started = bool(line.plain.strip())
        gap = space if started else ""
        if started and line.cell_len + len(gap) + cell_len(piece) > width:
            lines.append(line)
            line, gap = Text(indent), ""
        while line.cell_len + len(gap) + cell_len(piece) > width and len(piece) > 1:
            room = max(1, width - line.cell_len - len(gap))
            line.append(gap + piece[:room], style=style)
            lines.append(line)
            line, gap, piece = Text(indent), "", piece[room:]
        line.append(gap)
        line.append(piece, style=style)
    if line.plain.strip():
        lines.append(line)
    return lines


def _print(console: Any, tokens: list[Token], indent: str = INDENT, lead: str = "") -> None:
    for line in wrap(tokens, console.width, indent, lead):
        console.print(line, no_wrap=True, overflow="ignore", crop=False)


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def verdict_line(result: RunResult) -> str:
    verdict = "FAIL" if result.failed else "PASS"
    return f"{verdict}: {result.tally()} in {result.seconds:.1f}s"


def _samples(f: Finding) -> list[str]:
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
    return parts


def _details(console: Any, f: Finding) -> None:
    """The lines under a finding: where in a file, masked examples, the fix."""
    if f.location:
        _print(console, words("at", "dim") + words(f.location, "dim", whole=True), lead=INDENT)
    if f.samples:
        label = "e.g. (masked)" if f.masked else "e.g."
        _print(console, words(label, "dim") + listed(_samples(f), "dim"), lead=INDENT)
    if f.hint:
        _print(console, words("fix:", "dim") + words(f.hint, "dim"), lead=INDENT)


def _table(console: Any, columns: list[tuple[str, str]]) -> Any:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col, just in columns:
        # figures never wrap; text columns may
        table.add_column(col, justify=just, no_wrap=just == "right")  # type: ignore[arg-type]
    return table


def _unified_view(console: Any, result: RunResult) -> None:
    """The lead section: readiness per channel and the top blockers."""
    from rich.text import Text

    from omnicontract.validators.readiness import channel_readiness, overall_readiness, top_blockers

    channels = channel_readiness(result)
    if not channels:
        return
    console.print()
    overall = overall_readiness(channels)
    _print(
        console,
        words("What blocks the unified view", "bold")
        + words(f"(readiness {overall:.1f}/100)", "bold", whole=True, gap="  "),
    )
    narrow = console.width < NARROW
    cols = [("channel", "left"), ("readiness", "right"), ("resolved", "right")]
    table = _table(console, cols if narrow else [*cols, ("via", "left"), ("unresolved", "left")])
    stacked = []
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
        cells = [c.channel, Text(f"{c.score:.1f}", style=style), resolved]
        table.add_row(*(cells if narrow else [*cells, via, gaps]))
        if narrow and (via != "-" or gaps != "-"):
            stacked.append((c.channel, via, gaps))
    console.print(table)
    for channel, via, gaps in stacked:  # the wide columns, one line per channel
        tokens = words(f"{channel}:", "dim") + words("via", "dim") + listed(via.split(", "), "dim")
        tokens += words("· unresolved", "dim") + listed(gaps.split(", "), "dim")
        _print(console, tokens, indent="    ", lead="  ")
    blockers = top_blockers(result, 5)
    if blockers:
        console.print()
        console.print(Text("Top blockers", style="bold"))
        for i, f in enumerate(blockers, start=1):
            tokens = words(f"{i}.") + words(f.code, STYLE[f.severity.value])
            tokens += words(f.where, "bold", whole=True, gap="  ") + words(f.message, gap="  ")
            _print(console, tokens)
            _details(console, f)


def _channel_table(console: Any, result: RunResult) -> None:
    """Per channel: feeds, rows, findings by severity and status. Narrower terminals drop
    the owner, then the feed and info counts; figures are never cut."""
    from rich.text import Text

    width = console.width
    columns: list[tuple[str, str, Any]] = [
        ("channel", "left", lambda ch, c, s: ch.channel),
        ("owner", "left", lambda ch, c, s: ch.owner or "-"),
        ("feeds", "right", lambda ch, c, s: str(len(ch.feeds))),
        ("rows", "right", lambda ch, c, s: _n(_rows(ch))),
        ("errors", "right", lambda ch, c, s: str(c["error"])),
        ("warnings", "right", lambda ch, c, s: str(c["warning"])),
        ("info", "right", lambda ch, c, s: str(c["info"])),
        ("status", "left", lambda ch, c, s: Text(s.upper(), style=STATUS_STYLE[s])),
    ]
    if width < NARROW:
        short = {"errors": "err", "warnings": "warn"}
        columns = [(short.get(n, n), j, get) for n, j, get in columns if n != "owner"]
    if width < NARROW - 24:
        columns = [c for c in columns if c[0] not in ("feeds", "info")]
    table = _table(console, [(n, j) for n, j, _get in columns])
    for ch in result.channels:
        counts = result.counts(result.channel_findings(ch.channel))
        status = result.channel_status(ch.channel)
        table.add_row(*(get(ch, counts, status) for _n, _j, get in columns))
    console.print()
    console.print(table)


def _rows(ch: Any) -> int | None:
    """Rows read over the channel's feeds; None when none could be read (or lint)."""
    read = [f.rows for f in ch.feeds if f.rows is not None]
    return sum(read) if read else None


def _headline(result: RunResult) -> list[Token]:
    feeds = sum(len(c.feeds) for c in result.channels)
    parts = [f"project {result.project}"]
    if result.engine == "none":  # lint: the files were read, not the data
        parts += [
            n_of(len(result.contracts), "contract"),
            n_of(len(result.channels), "channel binding"),
            n_of(feeds, "feed"),
            "no data read",
            n_of(result.checks_run, "check"),
        ]
    else:
        rows = sum(f.rows or 0 for c in result.channels for f in c.feeds)
        parts += [
            n_of(len(result.channels), "channel"),
            n_of(feeds, "feed"),
            n_of(rows, "row"),
            n_of(result.checks_run, "check"),
            f"{result.seconds:.1f}s",
        ]
        if result.as_of:
            parts.append(f"data as of {result.as_of}")
    tokens = words("omnicontract", "bold")
    for p in parts:
        tokens += words(f"· {p}", whole=True)
    return tokens


def _key_match(console: Any, result: RunResult) -> None:
    """Per channel and key: how many rows a raw join finds, and how many only a normalized one."""
    from rich.table import Table
    from rich.text import Text

    from omnicontract.reports.keys import key_rows

    rows = key_rows(result)
    if not rows:
        return
    console.print()
    console.print(Text("How identity keys join the master", style="bold"))
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("channel/feed")
    table.add_column("key")
    for col in ("as written", "only normalized", "unmatched", "empty"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"{r.channel}/{r.feed}",
            r.key,
            _n(r.as_written),
            _n(r.normalized),
            _n(r.unmatched),
            _n(r.empty),
        )
    console.print(table)


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


def render(result: RunResult, *, color: bool = False, width: int | None = None) -> str:
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=max(MIN_WIDTH, width or DEFAULT_WIDTH),
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )
    _print(console, _headline(result))
    _data_roots(console, result)
    if result.engine != "none":  # lint reads no data: there is nothing to resolve
        _unified_view(console, result)
    _key_match(console, result)
    if result.channels:
        _channel_table(console, result)
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
            tokens = words(f.code, STYLE[sev.value])
            tokens += words(f.where, "bold", whole=True, gap="  ") + words(f.message, gap="  ")
            if figure:
                tokens += words(f"[{figure}]", "dim", whole=True, gap="  ")
            if f.within_tolerance:
                tokens += words("(within tolerance)", "dim", whole=True, gap="  ")
            _print(console, tokens)
            _details(console, f)
    console.print()
    style = "bold red" if result.failed else "bold green"
    verdict = "FAIL:" if result.failed else "PASS:"
    c = result.counts()
    tokens = words(verdict, style)
    for sev in ("error", "warning"):
        tokens += words(n_of(c[sev], sev) + ",", style, whole=True)
    tokens += words(n_of(c["info"], "info"), style, whole=True)
    tokens += words(f"(fail-on: {result.fail_on.value})", style, whole=True)
    tokens += words(f"in {result.seconds:.1f}s", style, whole=True)
    _print(console, tokens)
    text = buf.getvalue()
    return text if color else "".join(line.rstrip() + "\n" for line in text.splitlines())
