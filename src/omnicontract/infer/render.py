"""Write a draft as a commented channel binding: every unsure choice carries
``# UNSURE: ...`` and everything left to decide is a ``# TODO`` line."""

from __future__ import annotations

import json
import re
from typing import Any

from omnicontract.infer.draft import Draft, FieldDraft, Line
from omnicontract.infer.sniff import Dialect

PLAIN = re.compile(r"^[^\W\d][\w ./()-]*$")
RESERVED = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~",
}  # fmt: skip


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(x) for x in value) + "]"
    text = str(value)
    if PLAIN.match(text) and text.lower() not in RESERVED and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment(line: str, note: str | None, todo: bool = False) -> str:
    if note is None:
        return line
    return f"{line}  # {'TODO' if todo else 'UNSURE'}: {note}"


def _line(indent: str, item: Line) -> str:
    value = "" if item.value == "" else f" {scalar(item.value)}"
    text = f"{indent}{scalar(item.key)}:{value}"
    if item.todo:
        return f"{indent}# {text.strip()}  # TODO: {item.note}"
    return _comment(text, item.note)


def _field(fd: FieldDraft) -> list[str]:
    pad = " " * 6
    head = f"{pad}{fd.field}:"
    if not fd.options and not fd.values:
        return [_comment(f"{head} {{column: {scalar(fd.column.name)}}}", fd.note)]
    out = [head, _comment(f"{pad}  column: {scalar(fd.column.name)}", fd.note)]
    out += [_line(pad + "  ", o) for o in fd.options]
    if fd.values:
        out.append(f"{pad}  values:")
        out += [_line(pad + "    ", x) for x in fd.values]
    return out


def _source(path: str, dialect: Dialect, default_format: str | None) -> list[str]:
    pad = " " * 6
    out = [f"{pad}path: {scalar(path)}"]
    notes = dialect.notes
    if dialect.format != default_format or "format" in notes:
        out.append(_comment(f"{pad}format: {dialect.format}", notes.get("format")))
    if dialect.format == "csv":
        out.append(_comment(f"{pad}delimiter: {scalar(dialect.delimiter)}", notes.get("delimiter")))
        if dialect.quote:
            out.append(f"{pad}quote: {scalar(dialect.quote)}")
        if not dialect.header or "header" in notes:
            out.append(_comment(f"{pad}header: {scalar(dialect.header)}", notes.get("header")))
        if dialect.skip_rows:
            out.append(f"{pad}skip_rows: {dialect.skip_rows}")
    if dialect.format in ("csv", "json", "jsonl") and (
        dialect.encoding != "utf-8" or "encoding" in notes
    ):
        out.append(_comment(f"{pad}encoding: {dialect.encoding}", notes.get("encoding")))
    return out


def render(
    draft: Draft,
    *,
    channel: str,
    channel_note: str | None = None,
    feed: str,
    path: str,
    dialect: Dialect,
    default_format: str | None,
    header: list[str],
) -> str:
    out = [f"# {h}" if h else "#" for h in header]
    out += ["kind: channel", _comment(f"channel: {channel}", channel_note), "feeds:"]
    out += [f"  - name: {feed}", f"    entity: {draft.entity}", "    source:"]
    out += _source(path, dialect, default_format)
    if draft.fields:
        out.append("    fields:")
    else:
        out.append("    fields: {}  # TODO: no column matched a canonical field; map them")
    for fd in draft.fields:
        out += _field(fd)
    if any(not c.todo for c in draft.constants):
        out.append("    constants:")
    elif draft.constants:
        out.append("    # constants:  # TODO: uncomment, with the lines below")
    out += [_line(" " * 6, c) for c in draft.constants]
    if draft.unmapped:
        out.append("    # columns no canonical field was found for (reported as OC-SRC-004):")
        out += [f"    #   {c.name}{_why_unmapped(c)}" for c in draft.unmapped]
    if draft.missing:
        out.append("    # canonical fields this export does not supply:")
        out += [f"    #   {name}: {why}" for name, why in draft.missing]
    return "\n".join(out) + "\n"


def _why_unmapped(col: Any) -> str:
    """What the column's values look like, to help place it by hand."""
    if col.rows == col.nulls:
        return "  (empty in the sample)"
    looks = [
        what
        for what, flag in (
            ("dates", col.is_time),
            ("a time of day", col.clock),
            ("a duration", col.duration),
            ("e-mail addresses", col.email),
            ("phone numbers", col.phone),
            ("national or tax documents", col.document),
            ("yes/no", col.boolean is not None),
            ("numbers", col.numeric),
            ("a vocabulary", col.vocabulary),
            ("unique values", col.unique),
        )
        if flag
    ]
    return f"  (values look like {', '.join(looks[:2])})" if looks else "  (free text)"
