"""CSV (and TSV) exports.

Each file's layout (delimiter, header names) is read from its first bytes, then the file
is read by DuckDB with every option explicit: no guessing per chunk, the same reading
for every file of a feed. Rows are strict: a row whose field count differs from the
header is rejected (OC-SRC-006) with its line, including a row with one extra unquoted
delimiter and an empty last field, which a lenient reader would read shifted. To know
the field count, the reader declares one column more than the header and pads short
rows: a value in the extra column means too many fields, a padded (NULL) last column
too few. Rows the engine rejects itself (bad bytes, a line over the size limit, broken
quoting) are kept in a rejects table with their line numbers. Reading is linear in the
file size: a wide ragged row or a megabyte field costs what its bytes cost.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omnicontract.contracts.model import SourceFile
from omnicontract.validators.feeds.encoding import head_text

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

DELIMITERS = (",", ";", "\t", "|")
EXTRA = "__oc_extra"
FILE = "__oc_file"
NEVER_NULL = "\x01\x02omnicontract-no-null"
MAX_LINE = 8_000_000


@dataclass(frozen=True)
class Layout:
    delimiter: str
    quote: str
    escape: str
    header: bool
    skip: int
    names: tuple[str, ...]
    delimiter_guessed: bool = False


def detect_delimiter(text: str) -> tuple[str, str | None]:
    """The candidate delimiter that splits the sample's lines into the most columns,
    the same number on (nearly) every line."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:200]
    if not lines:
        return ",", "the file is empty; delimiter guessed"
    best: tuple[float, int, str] | None = None
    for delim in DELIMITERS:
        widths = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
        width, hits = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (hits / len(widths), width, delim)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        return ",", "no delimiter splits the lines; the file may have one column"
    consistency, _width, delim = best
    note = None
    if consistency < 0.9:
        note = f"only {consistency:.0%} of the sampled lines have the same number of columns"
    return delim, note


def unique_names(names: list[str]) -> tuple[str, ...]:
    """Header names as the engine would name them: blanks numbered, repeats suffixed."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        name = raw.strip() or f"column{i}"
        base, n = name, 0
        while name.lower() in seen or name.startswith("__oc_"):
            n += 1
            name = f"{base}_{n}"
        seen.add(name.lower())
        out.append(name)
    return tuple(out)


def layout(path: Path, part: SourceFile, utf8: Path | None = None) -> Layout:
    """The layout of one file from its first bytes (``utf8``: its transcoded copy)."""
    text = head_text(utf8 or path, "utf-8" if utf8 else part.encoding)
    quote = part.quote or '"'
    escape = part.escape or quote
    skip = part.skip_rows or 0
    lines = text.splitlines(keepends=True)[skip:]
    if len(text) >= 65_536 and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    guessed = False
    delimiter = part.delimiter
    if delimiter is None:
        delimiter, _note = detect_delimiter("".join(lines))
        guessed = True
    reader = csv.reader(
        io.StringIO("".join(lines)),
        delimiter=delimiter[0],
        quotechar=quote or None,
        escapechar=escape if escape != quote else None,
        doublequote=escape == quote,
    )
    first = next(reader, [])
    header = True if part.header is None else part.header
    names = unique_names(first) if header else tuple(f"column{i}" for i in range(len(first)))
    return Layout(delimiter, quote, escape, header, skip, names or ("column0",), guessed)


def read_expression(files: list[Path], lay: Layout, rejects: str, *, parallel: bool = True) -> Any:
    """``read_csv`` with every option explicit, one column more than the header. Not
    strict: a row with too many fields is cut after the extra column (and rejected by its
    shape) instead of being split field by field, which costs quadratic time on a wide
    ragged row. ``parallel=False`` for files with quoted line breaks, which the parallel
    scanner cannot pad."""
    from omnicontract.validators.sqlfuncs import table_function

    return table_function(
        "read_csv",
        [str(f) for f in files],
        auto_detect=False,
        header=lay.header,
        delim=lay.delimiter,
        quote=lay.quote,
        escape=lay.escape,
        columns=dict.fromkeys([*lay.names, EXTRA], "VARCHAR"),
        null_padding=True,
        nullstr=NEVER_NULL,
        max_line_size=MAX_LINE,
        store_rejects=True,
        rejects_table=rejects,
        rejects_scan=rejects + "_scan",
        rejects_limit=1000,
        filename=FILE,
        skip=lay.skip or None,
        strict_mode=False,
        parallel=None if parallel else False,
    )


def shape_expression(lay: Layout) -> ColumnElement[Any]:
    """Why a row has the wrong number of fields (NULL when it is right). It also names
    every column, so bad bytes are found whichever columns are mapped."""
    from sqlalchemy import String, case, column, func, literal

    extra, last = column(EXTRA), column(lay.names[-1])
    branches: list[Any] = [
        (extra == literal(""), literal("trailing")),
        (extra.is_not(None), literal("too many columns")),
    ]
    if len(lay.names) > 1:  # one column: a blank line is one empty value, not a short row
        branches.append((last.is_(None), literal("too few columns")))
    branches.append((func.concat(*[column(n) for n in lay.names]).is_(None), literal("unreadable")))
    return case(*branches, else_=literal(None, String()))


def lines_at(path: Path, positions: list[int]) -> dict[int, int]:
    """The line (from 1) of the file at each byte offset, in one pass over the bytes
    before the last one."""
    from omnicontract.validators.feeds.encoding import CHUNK, open_binary

    wanted = sorted({p for p in positions if p is not None})
    out: dict[int, int] = {}
    line, seen, i = 1, 0, 0
    with open_binary(path) as fh:
        while i < len(wanted) and (data := fh.read(CHUNK)):
            end = seen + len(data)
            while i < len(wanted) and wanted[i] < end:
                out[wanted[i]] = line + data.count(b"\n", 0, wanted[i] - seen)
                i += 1
            line += data.count(b"\n")
            seen = end
    out.update(dict.fromkeys(wanted[i:], line))
    return out


def bad_lines(path: Path, lay: Layout, limit: int) -> list[tuple[int, int]]:
    """(line, fields) of the first ``limit`` rows whose field count is not the header's;
    read only for a file known to hold such rows, and stopped at the last one needed."""
    from omnicontract.validators.feeds.encoding import chunks

    if limit <= 0:
        return []

    class _Lines:
        def __init__(self) -> None:
            self.buffer = ""
            self.source = chunks(path, "utf-8")

        def __iter__(self):
            for text in self.source:
                self.buffer += text
                *whole, self.buffer = self.buffer.split("\n")
                for line in whole:
                    yield line + "\n"
            if self.buffer:
                yield self.buffer

    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(
        _Lines(),
        delimiter=lay.delimiter[0],
        quotechar=lay.quote or None,
        escapechar=lay.escape if lay.escape != lay.quote else None,
        doublequote=lay.escape == lay.quote,
    )
    out: list[tuple[int, int]] = []
    width = len(lay.names)
    start = lay.skip + (1 if lay.header else 0)
    try:
        for i, row in enumerate(reader):
            if i < start or not row:
                continue
            if len(row) != width:
                out.append((reader.line_num, len(row)))
                if len(out) >= limit:
                    break
    except csv.Error:
        pass
    return out
