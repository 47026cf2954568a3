"""Markdown report for a CI job summary or a pull-request comment (GitHub-flavoured).

Verdict, readiness per channel, top blockers, then the findings grouped by severity as
tables. Every value that comes from data or configuration is escaped: samples are code
spans (no HTML, no mentions, no emphasis), other text has Markdown and HTML specials
escaped, and ``|`` never splits a table cell. Samples are shown as the result holds
them, so PII stays masked.

The output is capped at ``MAX_CHARS`` (below GitHub's 65,536-character limit for a
comment and a step summary): whole finding rows are left out from the end (info first,
then warnings), and a closing note says how many and where every finding is.
"""

from __future__ import annotations

import re

from omnicontract.contracts.model import Severity
from omnicontract.validators.result import Finding, RunResult
from omnicontract.words import n_of

MAX_CHARS = 60_000
TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info"}
ICONS = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}
STATUS = {"fail": ":x: fail", "warn": ":warning: warn", "pass": ":white_check_mark: pass"}
FINDING_HEADER = (
    "| code | where | count | rate | sample | fix |\n| --- | --- | ---: | ---: | --- | --- |\n"
)
SAMPLES_SHOWN = 3
SAMPLE_CHARS = 60
# Markdown specials that can change how text renders inside a table cell or a line.
_SPECIALS = re.compile(r"([\\`*_\[\]<>|~$])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


SINCE_PREVIOUS_LINES = 10  # per kind of change


def escape(text: str) -> str:
    """Plain text that renders as itself in a table cell or a list item."""
    text = _CONTROL.sub(" ", text)
    text = text.replace("&", "&amp;")
    return _SPECIALS.sub(r"\\\1", text)


def code(text: str) -> str:
    """``text`` as a code span that stays one table cell, whatever it contains."""
    text = _CONTROL.sub(" ", text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _sample(f: Finding) -> str:
    parts = []
    for s in f.samples[:SAMPLES_SHOWN]:
        if s.value is None:
            shown = "(empty)"
        else:
            value = s.value if len(s.value) <= SAMPLE_CHARS else s.value[: SAMPLE_CHARS - 1] + "…"
            shown = code(value)
        parts.append(shown + (f" ×{s.count:,}" if s.count > 1 else ""))
    more = len(f.samples) - SAMPLES_SHOWN
    if more > 0:
        parts.append(f"+{more} more")
    text = ", ".join(parts)
    return f"{text} (masked)" if text and f.masked else text


def finding_row(f: Finding) -> str:
    message = escape(f.message) + (" (within tolerance)" if f.within_tolerance else "")
    cells = [
        f"{code(f.code)} {escape(f.check)}",
        f"**{escape(f.where)}**<br>{message}",
        f"{f.count:,}" + (f" of {f.total:,}" if f.total else ""),
        f"{f.rate:.2%}" if f.total else "",
        _sample(f),
        escape(f.hint or ""),
    ]
    return "| " + " | ".join(cells) + " |\n"


def verdict(result: RunResult) -> str:
    word = ":x: **FAIL**" if result.failed else ":white_check_mark: **PASS**"
    return f"{word}: {result.tally()}"


def _head(result: RunResult) -> str:
    from omnicontract.validators.readiness import channel_readiness, overall_readiness, top_blockers

    rows = sum(f.rows or 0 for c in result.channels for f in c.feeds)
    feeds = sum(len(c.feeds) for c in result.channels)
    out = [
        f"## omnicontract · {escape(result.project)}\n\n",
        verdict(result) + "\n\n",
        f"{n_of(len(result.channels), 'channel')} · {n_of(feeds, 'feed')} · "
        f"{n_of(rows, 'row')} · {n_of(result.checks_run, 'check')} · {result.seconds:.1f}s"
        + (f" · data as of {result.as_of}" if result.as_of else "")
        + "\n",
    ]
    for allowed in result.data_roots:
        out.append(
            f"\nReads outside the project: `{escape(allowed['path'])}` "
            f"(allowed by {escape(allowed['allowed_by'])})\n"
        )
    channels = channel_readiness(result)
    if channels:
        overall = overall_readiness(channels)
        out.append(f"\n### Unified-view readiness: {overall:.1f}/100\n\n")
        out.append(
            "| channel | readiness | status | resolved | errors | warnings | info |\n"
            "| --- | ---: | --- | ---: | ---: | ---: | ---: |\n"
        )
        for c in channels:
            counts = result.counts(result.channel_findings(c.channel))
            share = c.resolved_share
            resolved = "" if share is None else f"{share:.1%} of {c.resolvable_rows:,}"
            status = STATUS[result.channel_status(c.channel)]
            out.append(
                f"| {escape(c.channel)} | {c.score:.1f} | {status} | {resolved} | "
                f"{counts['error']} | {counts['warning']} | {counts['info']} |\n"
            )
    out.append(_since_previous(result))
    blockers = top_blockers(result, 5)
    if blockers:
        out.append("\n### Top blockers\n\n")
        for i, f in enumerate(blockers, start=1):
            figure = f" ({f.count:,} of {f.total:,}, {f.rate:.2%})" if f.total else ""
            out.append(
                f"{i}. {code(f.code)} **{escape(f.where)}**: {escape(f.message)}{figure}"
                + (f"<br>fix: {escape(f.hint)}" if f.hint else "")
                + "\n"
            )
    return "".join(out)


def _since_previous(result: RunResult) -> str:
    """The findings new, resolved and worse since the previous recorded run, a few each."""
    from omnicontract.reports import changes as ch

    if not result.changes:
        return ""
    out = [f"\n### Since the previous run\n\n{escape(ch.headline(result.changes))}\n"]
    for kind in ("new", "resolved", "worsened"):
        items = ch.rows(result.changes, kind, limit=SINCE_PREVIOUS_LINES)
        if not items:
            continue
        out.append(f"\n**{ch.TITLES[kind]}**\n\n")
        out += [
            f"- {code(i['code'])} {escape(i['where'])} ({i['severity']}): {escape(i['figure'])}\n"
            for i in items
        ]
        more = len(result.changes[kind]) - len(items)
        if more:
            out.append(f"- and {more:,} more (see the JSON report's `changes`)\n")
    return "".join(out)


def _footer(left_out: dict[str, int], max_chars: int) -> str:
    total = sum(left_out.values())
    if not total:
        return ""
    parts = ", ".join(f"{n} {TITLES[s].lower()}" for s, n in left_out.items() if n)
    return (
        f"\n> **{n_of(total, 'finding')} left out** ({parts}) to keep this summary under "
        f"{max_chars:,} characters. Every finding is in the JSON and JUnit reports of this "
        "run (`omnicontract validate --report json:PATH --report junit:PATH`).\n"
    )


def render(result: RunResult, *, color: bool = False, max_chars: int = MAX_CHARS) -> str:
    head = _head(result)
    reserve = len(_footer({"error": 10**9}, max_chars)) + 2
    budget = max_chars - len(head) - reserve
    body: list[str] = []
    left_out = {s.value: 0 for s in Severity}
    full = False
    for sev in Severity:
        group = [f for f in result.findings if f.severity == sev]
        if not group:
            continue
        title = f"\n### {ICONS[sev.value]} {TITLES[sev.value]} ({len(group)})\n\n" + FINDING_HEADER
        for i, f in enumerate(group):
            row = finding_row(f)
            cost = len(row) + (len(title) if i == 0 else 0)
            if full or cost > budget:
                full = True
                left_out[sev.value] += 1
                continue
            if i == 0:
                body.append(title)
            body.append(row)
            budget -= cost
    if not result.findings:
        body.append("\nNo findings.\n")
    return head + "".join(body) + _footer(left_out, max_chars)
