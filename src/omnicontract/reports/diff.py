"""Render a contract diff (:class:`~omnicontract.contracts.diff.DiffResult`): console,
JSON, or Markdown for a pull-request comment. Breaking changes first, then the rest."""

from __future__ import annotations

import json

import click

from omnicontract.contracts.compare import DiffResult
from omnicontract.contracts.diff import Change
from omnicontract.contracts.project_diff import ProjectDiff
from omnicontract.reports.markdown import escape
from omnicontract.words import n_of

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


def verdict(result: DiffResult | ProjectDiff) -> str:
    if isinstance(result, ProjectDiff):
        if not result.files:
            return f"NO CHANGES ({n_of(result.unchanged, 'file')} compared)"
        counts = (
            f"{result.breaking} breaking, {result.non_breaking} non-breaking in "
            f"{n_of(len(result.files), 'file')} ({result.unchanged} unchanged)"
        )
        return ("BREAKING: " if result.breaking else "OK: ") + counts
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


def _console_changes(result: DiffResult, color: bool) -> list[str]:
    out = []
    for title, group in (("Breaking", result.breaking), ("Non-breaking", result.non_breaking)):
        if group:
            out.append(f"{title} ({len(group)})")
            for change in group:
                out += _console_change(change, color)
            out.append("")
    out.append(_bump_line(result))
    return out


def _colored_verdict(result: DiffResult | ProjectDiff, color: bool) -> str:
    text = verdict(result)
    if color:
        text = click.style(text, fg="red" if result.exit_code else "green", bold=True)
    return text


def render_console(result: DiffResult | ProjectDiff, *, color: bool = False) -> str:
    if isinstance(result, ProjectDiff):
        out = ["omnicontract diff · project", f"old: {result.old}", f"new: {result.new}", ""]
        for f in result.files:
            head = f"{f.kind} {f.name}  ({f.old_file} -> {f.new_file})"
            out += [click.style(head, bold=True) if color else head, *_console_changes(f, color)]
            out.append("")
        out += [f"warning: {w}" for w in result.warnings]
        out.append(_colored_verdict(result, color))
        return "\n".join(out) + "\n"
    out = [_title(result), f"old: {result.old_file}", f"new: {result.new_file}", ""]
    out += _console_changes(result, color)
    out += [f"warning: {w}" for w in result.warnings]
    out.append(_colored_verdict(result, color))
    return "\n".join(out) + "\n"


def render_json(result: DiffResult | ProjectDiff) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _md_rows(group: list[Change]) -> list[str]:
    rows = ["| impact | where | change | rule |", "| --- | --- | --- | --- |"]
    for c in group:
        text = escape(c.reason) + (f"<br>*{escape(c.note)}*" if c.note else "")
        where = f"`{escape(c.path)}`<br>{escape(str(c.location))}"
        rows.append(f"| {c.impact.value} | {where} | {text} | `{c.rule}` |")
    return rows


def _md_head(result: DiffResult | ProjectDiff, title: str, line: str) -> list[str]:
    icon = ":x:" if result.exit_code else ":white_check_mark:"
    out = [f"### {icon} Contract diff: {title}", "", line, ""]
    out += [f"> :warning: {escape(w)}" for w in result.warnings]
    return [*out, ""] if result.warnings else out


def render_markdown(result: DiffResult | ProjectDiff) -> str:
    if isinstance(result, ProjectDiff):
        out = _md_head(result, "project", f"**{escape(verdict(result))}**")
        for f in result.files:
            out += [
                f"#### {escape(f.kind)} `{escape(f.name)}` · {escape(_bump_line(f))}",
                "",
                *_md_rows(f.breaking + f.non_breaking),
                "",
            ]
        out.append(f"Compared {escape(result.old)} with {escape(result.new)}.")
        return "\n".join(out) + "\n"
    out = _md_head(
        result,
        f"{escape(result.kind)} `{escape(result.name)}`",
        f"**{escape(verdict(result))}** · {escape(_bump_line(result))}",
    )
    for title, group in (("Breaking", result.breaking), ("Non-breaking", result.non_breaking)):
        if group:
            out += [f"#### {title} ({len(group)})", "", *_md_rows(group), ""]
    out.append(f"Compared {escape(result.old_file)} with {escape(result.new_file)}.")
    return "\n".join(out) + "\n"


def render(fmt: str, result: DiffResult | ProjectDiff, *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_markdown(result)
    return render_console(result, color=color)
