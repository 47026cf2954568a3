"""The engine-neutral part of loading a feed: which source columns a binding reads, what
they become (mapping expressions), and the source findings that follow from the
columns alone (OC-SRC-003 missing, OC-SRC-004 unexpected). An engine calls these
between describing its source and materializing the canonical table.

The canonical table of a feed has one column per canonical field, named after it, plus
``<field>__raw`` and ``<field>__naive`` where the mapping keeps them (see
``validators/mapping.py``), and ``__row`` (an id of the row; on DuckDB the table's own
``rowid`` instead), and ``__file`` when the feed has several files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import column

from omnicontract.contracts.model import FieldMapping, Severity
from omnicontract.validators.checks.base import FieldContext
from omnicontract.validators.mapping import MappedField, constant_field, map_field
from omnicontract.validators.sqlfuncs import struct_path
from omnicontract.words import n_of, word

ZONE_COLUMN = "__oc_zone"  # a feed's per-file time zone column (feeds.reader.ZONE)

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

    from omnicontract.validators.run import FeedRun


@dataclass
class Bound:
    """A feed's source columns and its mapped canonical fields."""

    # raw column alias -> (source column expression, or the reader's resolved column; type)
    selected: dict[str, tuple[Any, str]] = field(default_factory=dict)
    mapped: dict[str, MappedField] = field(default_factory=dict)
    # raw column alias -> {files: entry index -> constant}: values given per file
    constants: dict[str, dict[int, Any]] = field(default_factory=dict)
    # (field, column, files without the column)
    partial: list[tuple[str, str, list[Path]]] = field(default_factory=list)


def source_files(feed: FeedRun, files: list[Path], empty: list[Path]) -> bool:
    """Report a source without files (OC-SRC-001) or with empty ones (OC-SRC-005); whether
    any file is left to read."""
    b = feed.binding
    assert feed.summary is not None
    feed.summary.files = len(files)
    if not files:
        feed.source_draft(
            "OC-SRC-001",
            f"no file matches {', '.join(b.source.paths)}",
            location=str(feed.channel.feed_location(feed.index, "source", "path")),
        )
        return False
    if empty:
        feed.source_draft(
            "OC-SRC-005",
            f"{len(empty)} of {n_of(len(files), 'source file')} "
            f"{word(len(empty), 'is', 'are')} empty (0 bytes)"
            if len(empty) < len(files)
            else "the source is an empty file (0 bytes)",
            count=len(empty),
            samples=[(f.name, 1) for f in empty[: feed.sample_size]],
        )
        if len(empty) == len(files):
            feed.summary.rows = 0
            return False
    return True


def problem(feed: FeedRun, found: Any) -> None:
    """A reader's finding (``feeds.reader.Problem``) as a source draft of the feed."""
    feed.source_draft(
        found.code,
        found.message,
        count=found.count,
        samples=found.samples[: feed.sample_size],
        location=found.location or str(feed.channel.feed_location(feed.index, "source")),
    )
    if found.hint:
        feed.drafts[-1].hint = found.hint


def partial_columns(feed: FeedRun, bound: Bound, rows_from: Any) -> None:
    """OC-SRC-003 for mapped columns some files of the feed lack (their values are kept
    from the files that have them); ``rows_from(files)`` counts the rows affected."""
    for fname, col, missing in bound.partial:
        names = [f.name for f in missing]
        rows = rows_from(missing)
        feed.source_draft(
            "OC-SRC-003",
            f"column '{col}' (for '{fname}') is missing from {len(missing)} of "
            f"{n_of(len(set(feed.files.values())) or len(missing), 'file')}: "
            + ", ".join(names[:5])
            + (" ..." if len(names) > 5 else "")
            + f"; '{fname}' is empty in their {n_of(rows, 'row')}",
            field_name=fname,
            count=rows,
            samples=[(name, 1) for name in names[: feed.sample_size]],
            location=str(feed.channel.feed_location(feed.index, "fields", fname)),
        )
        spec = feed.contract.fields.get(fname)
        if spec is not None and not spec.required:
            # an optional field: those rows have no value, which the contract allows (an
            # older export written before the column existed); the drift is told, as info
            feed.drafts[-1].severity = Severity.info


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


def _file_constants(feed: FeedRun) -> dict[str, dict[int, Any]]:
    """field -> {files: entry index -> constant} from the source's ``files:`` entries."""
    out: dict[str, dict[int, Any]] = {}
    for i, part in enumerate(feed.binding.source.parts):
        for fname, value in part.constants.items():
            out.setdefault(fname, {})[i] = value
    return out


def _missing(feed: FeedRun, fname: str, column_name: str, columns: dict[str, str]) -> None:
    feed.source_draft(
        "OC-SRC-003",
        f"column '{column_name}' (for '{fname}') is not in the source",
        field_name=fname,
        samples=[(c, 1) for c in sorted(columns)][: feed.sample_size],
        location=str(feed.channel.feed_location(feed.index, "fields", fname)),
    )


#: a source column's own types (``column_types.Node``, one per file group that has it), or
#: None where the source carries no types (CSV, JSON) or did not say
ColumnTypes = Callable[[str], "list[Any] | None"]


def _column_type(feed: FeedRun, fname: str, m: FieldMapping, types: ColumnTypes | None) -> None:
    """OC-SRC-011 when the column's own type is not the declared ``column_type``."""
    from omnicontract.validators.column_types import mismatches

    found: list[str] = []
    for node in (types(m.column) if types is not None else None) or []:
        found += [w for w in mismatches(m.column_type, node, m.column) if w not in found]
    if found:
        where = str(feed.channel.feed_location(feed.index, "fields", fname))
        feed.source_draft(
            "OC-SRC-011",
            f"column '{m.column}' (for '{fname}'): "
            + "; ".join(found[:5])
            + (f" (and {len(found) - 5} more)" if len(found) > 5 else ""),
            field_name=fname,
            samples=[(w, 1) for w in found[: feed.sample_size]] if len(found) > 1 else [],
            location=where,
        )


def bind(
    feed: FeedRun, columns: dict[str, str], reader: Any = None, types: ColumnTypes | None = None
) -> Bound:
    """Resolve every mapped column of ``feed`` against its source ``columns`` (name ->
    type), and build the mapping expressions over aliases ``c0, c1, ...`` of them. With a
    file ``reader`` (``feeds.reader.FeedReader``), columns are resolved per file: per-file
    constants, time zones and columns missing from some files are bound too. ``types``
    gives the columns' own types, which a mapping's ``column_type`` is judged against."""
    b = feed.binding
    out = Bound()
    used: set[str] = set()
    per_file = _file_constants(feed) if reader is not None else {}

    def resolve(name: str) -> tuple[Any, str, str] | None:
        if reader is None:
            return resolve_column(name, columns)
        found = reader.resolve(name)
        return None if found is None else (found, found.type, found.column)

    if types is None and reader is not None:
        types = reader.column_types
    for fname in b.fields:
        _bind_field(feed, out, fname, resolve, per_file.pop(fname, {}), reader, used, columns)
        m = b.fields[fname]
        if m.column_type is not None and fname in out.mapped and not out.mapped[fname].constant:
            _column_type(feed, fname, m, types)
    # constants given per file (and the feed's constant for the other files)
    for fname, parts in per_file.items():
        alias = f"c{len(out.selected)}"
        out.selected[alias] = (None, "VARCHAR")
        fallback = b.constants.get(fname)
        out.constants[alias] = {i: parts.get(i, fallback) for i in range(len(b.source.parts))}
        out.mapped[fname] = map_field(
            fname, feed.contract.fields[fname], FieldMapping(column=alias), alias, "VARCHAR",
            None, None,
        )  # fmt: skip
    for fname, value in b.constants.items():
        if fname not in out.mapped:
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


def _bind_field(
    feed: FeedRun,
    out: Bound,
    fname: str,
    resolve: Any,
    constant_parts: dict[int, Any],
    reader: Any,
    used: set[str],
    columns: dict[str, str],
) -> None:
    """Bind one mapped field: its column (and time-of-day column), per-file constants."""
    m = feed.binding.fields[fname]
    resolved = resolve(m.column)
    if resolved is None and not constant_parts:
        _missing(feed, fname, m.column, columns)
        return
    alias = f"c{len(out.selected)}"
    out.selected[alias] = (resolved[0], resolved[1]) if resolved else (None, "VARCHAR")
    if resolved is not None:
        used.add(resolved[2].lower())
        missing = reader.files_without(resolved[0], set(constant_parts)) if reader else []
        if missing:
            out.partial.append((fname, m.column, missing))
    if constant_parts:
        out.constants[alias] = constant_parts
    time_alias = None
    if m.time_column:  # the time of day in a column of its own
        found = resolve(m.time_column)
        time_alias = f"c{len(out.selected)}"
        out.selected[time_alias] = (found[0] if found else None, "VARCHAR")
        if found is None:
            _missing(feed, fname, m.time_column, columns)
        else:
            used.add(found[2].lower())
    ch, defaults = feed.channel.model, feed.run.project.settings.defaults
    out.mapped[fname] = map_field(
        fname,
        feed.contract.fields[fname],
        m,
        alias,
        out.selected[alias][1] or "VARCHAR",
        m.timezone or ch.timezone or defaults.timezone,
        m.phone_region or ch.phone_region or defaults.phone_region,
        file_zone=column(ZONE_COLUMN) if reader is not None and reader.zones else None,
        time_column=time_alias,
    )


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
        if d.code not in ("OC-SRC-004", "OC-SRC-005", "OC-SRC-011") and not (
            d.code == "OC-SRC-002" and d.message.startswith("cannot read")
        ):
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
    feed.summary.columns_mapped = len([e for e, _t in bound.selected.values() if e is not None])
    feed.summary.fields_supplied = sorted(bound.mapped)
    feed.ok = True
