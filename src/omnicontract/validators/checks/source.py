"""Source checks (OC-SRC): what can go wrong reading a feed. The feed readers emit them;
they live here so the catalogue, overrides and docs treat them like every other check."""

from __future__ import annotations

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import SourceCheck


class SourceMissing(SourceCheck):
    """No file matches the feed's source path or glob."""

    code = "OC-SRC-001"
    name = "source-missing"
    summary = "source file missing"
    hint = "Check source.path in the channel binding, or deliver the export."


class SourceUnreadable(SourceCheck):
    """The source exists but cannot be read at all: wrong encoding, not CSV/JSON/Parquet,
    or a dialect that does not fit the file."""

    code = "OC-SRC-002"
    name = "source-unreadable"
    summary = "source cannot be read"
    hint = "Declare the right encoding, delimiter or format under source: in the binding."


class ColumnMissing(SourceCheck):
    """A column the mapping reads is not in the source; the canonical field is left empty.
    In a feed of several files, a column that only some files lack is reported with those
    files and their rows; for an optional field that is info (those rows have no value,
    which the contract allows: an older export written before the column existed), for a
    required one an error."""

    code = "OC-SRC-003"
    name = "column-missing"
    summary = "mapped column missing from the source"
    hint = "Fix the column name in the mapping, or ask the channel owner to restore it."


class UnexpectedColumn(SourceCheck):
    """The source has columns no canonical field maps: possibly data the unified view misses."""

    code = "OC-SRC-004"
    name = "unexpected-column"
    summary = "source column not mapped"
    hint = "Map it to a canonical field, or set unexpected_columns: ignore on the feed."
    default_severity = Severity.info


class EmptyFeed(SourceCheck):
    """The source was read and holds no rows."""

    code = "OC-SRC-005"
    name = "empty-feed"
    summary = "feed has no rows"
    hint = "Check the export job of this channel; an empty daily file usually means it failed."


class MalformedRows(SourceCheck):
    """Rows the CSV reader had to reject (too many or too few columns, bad quoting, bad
    bytes); their line numbers are given so the file can be fixed."""

    code = "OC-SRC-006"
    name = "malformed-rows"
    summary = "malformed rows rejected"
    hint = "Fix quoting or delimiters at the listed lines, or declare source.quote/escape."


class ColumnType(SourceCheck):
    """A source that carries types of its own (Parquet, a DuckDB table) holds a column of
    another type than the binding's ``column_type`` declares: an integer where text was
    promised, a list of numbers where the items should be text, a struct without a declared
    field. ``omnicontract validate`` of an ODCS contract declares the type of every
    property read from Parquet, as ODCS tools judge it."""

    code = "OC-SRC-011"
    name = "column-type"
    summary = "source column of another type than declared"
    hint = "Ask the channel owner to restore the column's type, or declare the type it has."


class CannotRunHere(SourceCheck):
    """A check, or the mapping of a field, needs a function the feed's database does not
    have (for example a timestamp format directive outside the portable set, or regular
    expressions on a dialect without them). The check did not run on that feed; this
    finding says so, so a clean report never hides an unchecked rule. The capability
    table in docs/engines.md lists what runs where."""

    code = "OC-SRC-010"
    name = "cannot-run-here"
    summary = "check cannot run on the feed's database"
    hint = "Read the feed as a file or through a dialect that has the function (docs/engines.md)."
    default_severity = Severity.warning


SOURCE_CHECKS = [
    SourceMissing,
    SourceUnreadable,
    ColumnMissing,
    UnexpectedColumn,
    EmptyFeed,
    MalformedRows,
    CannotRunHere,
    ColumnType,
]
