"""How a sample export is written: format, encoding, CSV dialect, and a DuckDB reader.

Only the first bytes of a file are read into Python (to look at the BOM, decode a
sample and count delimiters); rows are always sampled through DuckDB.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import infer_format
from omnicontract.errors import UsageError

SAMPLE_BYTES = 65_536
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Dialect:
    """What the draft's ``source:`` block says, with a note for each unsure choice."""

    format: str
    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str | None = None
    quote: str | None = None
    header: bool = True
    skip_rows: int = 0
    notes: dict[str, str] = field(default_factory=dict)


def detect_format(path: Path, head: bytes) -> tuple[str, str | None]:
    """(format, note): by suffix, else by content."""
    try:
        return infer_format(path.name), None
    except ValueError:
        pass
    if head.startswith(b"PAR1"):
        return "parquet", None
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if text.startswith(b"["):
        return "json", None
    if text.startswith(b"{"):
        lines = [ln for ln in head.splitlines() if ln.strip()]
        if len(lines) > 1 and lines[0].rstrip().endswith(b"}"):
            return "jsonl", None
        return "json", None
    return (
        "csv",
        f"the file name does not tell the format; its content looks like csv ({path.name})",
    )


def detect_encoding(head: bytes) -> tuple[str, bool, str | None]:
    """(encoding, has_bom, note) from the BOM, else by decoding the sample."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", True, None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True, None
    if head and head.count(b"\x00") > len(head) // 4:
        return "utf-16", False, "many NUL bytes and no BOM: looks like UTF-16; check the text"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return (
            "latin-1",
            False,
            "not valid UTF-8; read as Latin-1 (Windows-1252 reads the same for letters), "
            "check accented words",
        )
    return "utf-8", False, None


def decode_sample(head: bytes, encoding: str) -> str:
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}[encoding]
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=False)
    if len(head) >= SAMPLE_BYTES:  # drop the last, probably cut, line
        text = text[: text.rfind("\n") + 1] or text
    return text


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


def sniff_csv(con, path: Path, dialect: Dialect) -> None:
    """Quote, header and skipped lines from DuckDB's sniffer, given our delimiter."""
    from sqlalchemy import column, select

    from omnicontract.validators.engines.duckdb import execute
    from omnicontract.validators.sqlfuncs import table_function

    sniffed = table_function(
        "sniff_csv",
        str(path),
        delim=dialect.delimiter or ",",
        encoding=dialect.encoding,
        ignore_errors=True,
    )
    try:
        row = execute(
            con,
            select(column("Quote"), column("HasHeader"), column("SkipRows")).select_from(sniffed),
        ).fetchone()
    except Exception as exc:  # the sniffer gives up on messy files: keep the defaults
        dialect.notes["header"] = f"DuckDB's sniffer failed ({type(exc).__name__}); header assumed"
        return
    quote, has_header, skip = row
    if quote and quote not in ('"', "(empty)", "\x00"):
        dialect.quote = quote
    dialect.header = bool(has_header)
    if not has_header:
        dialect.notes["header"] = "the first line does not look like column names"
    dialect.skip_rows = int(skip or 0)


def detect(con, path: Path) -> Dialect:
    """Format, encoding and CSV dialect of one sample file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    fmt, note = detect_format(path, head)
    dialect = Dialect(format=fmt)
    if note:
        dialect.notes["format"] = note
    if fmt == "parquet":
        return dialect
    dialect.encoding, dialect.bom, enc_note = detect_encoding(head)
    if enc_note:
        dialect.notes["encoding"] = enc_note
    if fmt == "csv":
        text = decode_sample(head, dialect.encoding)
        dialect.delimiter, delim_note = detect_delimiter(text)
        if delim_note:
            dialect.notes["delimiter"] = delim_note
        sniff_csv(con, path, dialect)
    return dialect


def reader(path: Path, dialect: Dialect) -> Any:
    """A DuckDB table function (a FROM item) that reads the sample as the validator would."""
    from omnicontract.validators.sqlfuncs import table_function

    file = str(path)
    if dialect.format == "parquet":
        return table_function("read_parquet", file)
    if dialect.format in ("json", "jsonl"):
        fmt = "newline_delimited" if dialect.format == "jsonl" else "auto"
        return table_function("read_json", file, format=fmt)
    return table_function(
        "read_csv",
        file,
        all_varchar=True,
        ignore_errors=True,
        header=bool(dialect.header),
        encoding=dialect.encoding,
        delim=dialect.delimiter or ",",
        quote=dialect.quote or None,
        skip=dialect.skip_rows or None,
    )
