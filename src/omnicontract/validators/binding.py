"""The engine-neutral part of loading a feed: which source columns a binding reads, what
they become (mapping expressions), and the source findings that follow from the
columns alone (OC-SRC-003 missing, OC-SRC-004 unexpected). An engine calls these
between describing its source and materializing the canonical table.

The canonical table of a feed has one column per canonical field, named after it, plus
``<field>__raw`` and ``<field>__naive`` where the mapping keeps them (see
``validators/mapping.py``), and ``__row`` (the source row number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import column

from omnicontract.validators import feeds as feed_readers
from omnicontract.validators.checks.base import FieldContext
from omnicontract.validators.mapping import MappedField, constant_field, map_field
from omnicontract.validators.sqlfuncs import struct_path
from omnicontract.words import n_of, word

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

    from omnicontract.validators.run import FeedRun


@dataclass
class Bound:
    """A feed's source columns and its mapped canonical fields."""

    # raw column alias -> (source column expression, source type)
    selected: dict[str, tuple[ColumnElement[Any], str]] = field(default_factory=dict)
    mapped: dict[str, MappedField] = field(default_factory=dict)


def source_files(feed: FeedRun) -> list[Path] | None:
    """The files of a file-based feed, minus empty ones; None (with an OC-SRC draft) when
    there is nothing to read."""
    b = feed.binding
    files = feed_readers.resolve_files(
        feed.run.project.root, b.source, feed.run.project.confinement
    )
    assert feed.summary is not None
    feed.summary.files = len(files)
    if not files:
        feed.source_draft(
            "OC-SRC-001",
            f"no file matches {', '.join(b.source.paths)}",
            location=str(feed.channel.feed_location(feed.index, "source", "path")),
        )
        return None
    empty = [f for f in files if f.stat().st_size == 0]
    if empty:
        files = [f for f in files if f not in empty]
        feed.source_draft(
            "OC-SRC-005",
            f"{len(empty)} of {n_of(len(empty) + len(files), 'source file')} "
            f"{word(len(empty), 'is', 'are')} empty (0 bytes)"
            if files
            else "the source is an empty file (0 bytes)",
            count=len(empty),
            samples=[(f.name, 1) for f in empty[: feed.sample_size]],
        )
        if not files:
            feed.summary.rows = 0
            return None
    return files


def resolve_column(
    name: str, columns: dict[str, str]
) -> tuple[ColumnElement[Any], str, str] | None:
    """(expression, type, top-level column) of a source column; dotted names reach into
    nested (STRUCT) columns; case differences are forgiven, not silently wrong."""
    if name in columns:
        return column(name), columns[name], name
    lowered = {c.lower(): c for c in columns}
    if name.lower() in lowered:
        real = lowered[name.lower()]
        return column(real), columns[real], real
    head, _, rest = name.partition(".")
    if rest and head in columns and columns[head].upper().startswith("STRUCT"):
        return struct_path(head, *rest.split(".")), "VARCHAR", head
    return None


def bind(feed: FeedRun, columns: dict[str, str]) -> Bound:
    """Resolve every mapped column of ``feed`` against its source ``columns`` (name ->
    type), and build the mapping expressions over aliases ``c0, c1, ...`` of them."""
    b, ch = feed.binding, feed.channel.model
    defaults = feed.run.project.settings.defaults
    out = Bound()
    used: set[str] = set()
    for fname, m in b.fields.items():
        resolved = resolve_column(m.column, columns)
        if resolved is None:
            feed.source_draft(
                "OC-SRC-003",
                f"column '{m.column}' (for '{fname}') is not in the source",
                field_name=fname,
                samples=[(c, 1) for c in sorted(columns)][: feed.sample_size],
                location=str(feed.channel.feed_location(feed.index, "fields", fname)),
            )
            continue
        expr, st, top = resolved
        used.add(top.lower())
        alias = f"c{len(out.selected)}"
        out.selected[alias] = (expr, st)
        tz = m.timezone or ch.timezone or defaults.timezone
        region = m.phone_region or ch.phone_region or defaults.phone_region
        out.mapped[fname] = map_field(
            fname, feed.contract.fields[fname], m, alias, st or "VARCHAR", tz, region
        )
    for fname, value in b.constants.items():
        out.mapped[fname] = constant_field(fname, feed.contract.fields[fname], value)
    unexpected = [c for c in columns if c.lower() not in used]
    if unexpected and b.unexpected_columns != "ignore":
        feed.source_draft(
            "OC-SRC-004",
            f"{n_of(len(unexpected), 'source column')} not mapped: {', '.join(unexpected[:8])}"
            + (" ..." if len(unexpected) > 8 else ""),
            count=len(unexpected),
            samples=[(c, 1) for c in unexpected[: feed.sample_size]],
        )
        feed.drafts[-1].total = len(columns)
    return out


def canonical_columns(mapped: dict[str, MappedField]) -> list[ColumnElement[Any]]:
    """The labelled columns of the canonical table (without ``__row``)."""
    cols: list[ColumnElement[Any]] = []
    for mf in mapped.values():
        cols.append(mf.value.label(mf.name))
        if mf.raw is not None:
            cols.append(mf.raw.label(f"{mf.name}__raw"))
        if mf.naive is not None:
            cols.append(mf.naive.label(f"{mf.name}__naive"))
    return cols


def loaded(feed: FeedRun, rows: int, bound: Bound) -> None:
    """Record a loaded canonical table on ``feed``: row totals, summary, field contexts."""
    feed.rows = rows
    for d in feed.drafts:
        if d.code != "OC-SRC-004":
            d.total = rows
    if rows == 0:
        feed.source_draft("OC-SRC-005", "the source has no rows")
    run = feed.run
    for mf in bound.mapped.values():
        feed.fields[mf.name] = FieldContext(
            name=mf.name,
            spec=mf.spec,
            mapping=mf.mapping,
            value=column(mf.name),
            raw=column(f"{mf.name}__raw") if mf.raw is not None else None,
            transform=mf.transform,
            naive=column(f"{mf.name}__naive") if mf.naive is not None else None,
            constant=mf.constant,
            primary_key=feed.contract.primary_key == mf.name,
            now=run.now,
            future_tolerance_s=run.tolerance_s,
        )
    assert feed.summary is not None
    feed.summary.rows = rows
    feed.summary.columns_mapped = len(bound.selected)
    feed.summary.fields_supplied = sorted(bound.mapped)
    feed.ok = True
