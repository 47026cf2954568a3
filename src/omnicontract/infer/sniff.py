"""How a sample export is written: format, encoding, CSV dialect, and a DuckDB reader.

Only the first bytes of a file are read into Python (to look at the BOM, decode a
sample and count delimiters); rows are always sampled through DuckDB.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import infer_format
from omnicontract.errors import UsageError
from omnicontract.validators.feeds.csv import detect_delimiter

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
    read_path: Path | None = None  # a UTF-8 copy of the sample when it is in another encoding


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


WINDOWS_ONLY = bytes(range(0x80, 0xA0))  # letters and punctuation in Windows-1252 only


LATIN_PUNCTUATION = set("\u201c\u201d\u2018\u2019\u2013\u2014\u20ac\u2026\u00ba\u00aa\u00b0\u00a0")


def _reads_as_latin(head: bytes) -> bool:
    """Most bytes above ASCII read as letters (or quotes, dashes) in Windows-1252: the
    usual Brazilian, Spanish or US Excel export."""
    text = head.decode("cp1252", errors="replace")
    high = [ch for ch in text if ord(ch) > 127]
    good = sum(1 for ch in high if ch.isalpha() or ch in LATIN_PUNCTUATION)
    return bool(high) and good >= 0.8 * len(high)


def _detected(head: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    return codecs.lookup(best.encoding).name if best else "cp1252"


def detect_encoding(head: bytes) -> tuple[str, bool, str | None]:
    """(encoding, has_bom, note): the BOM, else valid UTF-8, else what charset-normalizer
    finds; Windows-1252 and Latin-1 are told apart by the bytes only Windows-1252 uses
    (curly quotes, dashes, the euro sign)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", True, None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True, None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        if not (head and head.count(b"\x00") > len(head) // 4):
            return "utf-8", False, None
    found = "cp1252" if _reads_as_latin(head) else _detected(head)
    single_byte_latin = {"cp1252", "iso8859-1", "iso8859-15"}
    if found in single_byte_latin:
        if any(b in WINDOWS_ONLY for b in head):
            return (
                "cp1252",
                False,
                "not UTF-8; bytes 0x80-0x9F (curly quotes, dashes) say Windows-1252; "
                "check accented words",
            )
        return "latin-1", False, "not UTF-8; read as Latin-1 (ISO-8859-1); check accented words"
    if found.startswith("utf-16") or found.startswith("utf_16"):
        return (
            "utf-16le" if head[1:2] == b"\x00" else "utf-16be",
            False,
            ("UTF-16 without a byte-order mark; check the text"),
        )
    return found, False, f"not UTF-8; detected as {found}; check accented words"


def decode_sample(head: bytes, encoding: str) -> str:
    from omnicontract.validators.feeds.encoding import decoder

    text = decoder(encoding).decode(head, final=False)
    if len(head) >= SAMPLE_BYTES:  # drop the last, probably cut, line
        text = text[: text.rfind("\n") + 1] or text
    return text


def sniff_csv(con, path: Path, dialect: Dialect) -> None:
    """Quote, header and skipped lines from DuckDB's sniffer, given our delimiter."""
    from sqlalchemy import column, select

    from omnicontract.validators.engines.duckdb import execute
    from omnicontract.validators.sqlfuncs import table_function

    sniffed = table_function(
        "sniff_csv",
        str(dialect.read_path or path),
        delim=dialect.delimiter or ",",
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


TRANSCODE_LIMIT = 32 << 20


def _utf8_sample(path: Path, encoding: str, workdir: Path) -> Path:
    """The first 32 MiB of a file in another encoding, as UTF-8 whole lines."""
    from omnicontract.validators.feeds.encoding import chunks

    target = workdir / ("sample" + "".join(path.suffixes[-1:]).replace(".gz", ""))
    written = 0
    with open(target, "wb") as out:
        for text in chunks(path, encoding):
            data = text.encode("utf-8", "surrogateescape")
            if written + len(data) > TRANSCODE_LIMIT:
                data = data[: max(data[: TRANSCODE_LIMIT - written].rfind(b"\n") + 1, 0)]
                out.write(data)
                break
            out.write(data)
            written += len(data)
    return target


def detect(con, path: Path, workdir: Path | None = None) -> Dialect:
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
    from omnicontract.validators.feeds.encoding import is_native

    if not is_native(dialect.encoding) and workdir is not None:
        dialect.read_path = _utf8_sample(path, dialect.encoding, workdir)
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

    file = str(dialect.read_path or path)
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
        delim=dialect.delimiter or ",",
        quote=dialect.quote or None,
        skip=dialect.skip_rows or None,
    )
