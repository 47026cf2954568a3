"""Render a contract diff (:class:`~omnicontract.contracts.diff.DiffResult`): console,
JSON, or Markdown for a pull-request comment. Breaking changes first, then the rest."""

from __future__ import annotations

import json

import click

from omnicontract.contracts.compare import DiffResult
from omnicontract.contracts.diff import Change
from omnicontract.reports.markdown import escape

FORMATS = ("console", "json", "markdown")


def _title(result: DiffResult) -> str:
    versions = ""
    if result.old_version or result.new_version:
        versions = f" · {result.old_version} -> {result.new_version}"
    return f"omnicontract diff · {result.kind} {result.name}{versions}"


def _bump_line(result: DiffResult) -> str:
    line = f"suggested bump: {result.suggested_bump}"
    if result.suggested_version and result.suggested_bump.value != "none":
        line += f" ({result.suggested_version})"
    if result.declared is not None:
        line += f"; declared: {result.declared} ({result.new_version})"
    elif result.kind == "channel":
        line += " (channel bindings carry no version)"
    return line


def verdict(result: DiffResult) -> str:
    counts = f"{len(result.breaking)} breaking, {len(result.non_breaking)} non-breaking"
    if not result.changes:
        return "NO CHANGES"
    return ("BREAKING: " if result.breaking else "OK: ") + counts


def _console_change(change: Change, color: bool) -> list[str]:
    tag = "breaking" if change.breaking else change.impact.value
    style = {"breaking": "red", "minor": "yellow", "patch": "cyan"}[change.impact.value]
    head = (
        f"  {click.style(f'{tag:<8}', fg=style) if color else f'{tag:<8}'} "
        f"{change.location}  {change.path}  [{change.rule}]"
    )
    lines = [head, f"           {change.reason}"]
    if change.note:
        lines.append(f"           note: {change.note}")
    return lines


def render_console(result: DiffResult, *, color: bool = False) -> str:
    out = [_title(result), f"old: {result.old_file}", f"new: {result.new_file}", ""]
    for title, group in (("Breaking", result.breaking), ("Non-breaking", result.non_breaking)):
        if group:
            out.append(f"{title} ({len(group)})")
            for change in group:
                out += _console_change(change, color)
            out.append("")
    out.append(_bump_line(result))
    out += [f"warning: {w}" for w in result.warnings]
    text = verdict(result)
    if color:
        text = click.style(text, fg="red" if result.breaking else "green", bold=True)
    out.append(text)
    return "\n".join(out) + "\n"


def render_json(result: DiffResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _md_rows(group: list[Change]) -> list[str]:
    rows = ["| impact | where | change | rule |", "| --- | --- | --- | --- |"]
    for c in group:
        text = escape(c.reason) + (f"<br>*{escape(c.note)}*" if c.note else "")
        where = f"`{escape(c.path)}`<br>{escape(str(c.location))}"
        rows.append(f"| {c.impact.value} | {where} | {text} | `{c.rule}` |")
    return rows


def render_markdown(result: DiffResult) -> str:
    icon = ":x:" if result.breaking else ":white_check_mark:"
    out = [
        f"### {icon} Contract diff: {escape(result.kind)} `{escape(result.name)}`",
        "",
        f"**{escape(verdict(result))}** · {escape(_bump_line(result))}",
        "",
    ]
    out += [f"> :warning: {escape(w)}" for w in result.warnings]
    if result.warnings:
        out.append("")
    for title, group in (("Breaking", result.breaking), ("Non-breaking", result.non_breaking)):
        if group:
            out += [f"#### {title} ({len(group)})", "", *_md_rows(group), ""]
    out.append(f"Compared {escape(result.old_file)} with {escape(result.new_file)}.")
    return "\n".join(out) + "\n"


def render(fmt: str, result: DiffResult, *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_markdown(result)
    return render_console(result, color=color)
