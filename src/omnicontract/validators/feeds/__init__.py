"""Feed readers: one module per source format, each turning files into a DuckDB table
expression that reads them in place (nothing is loaded into Python); ``reader`` reads
the files of one feed, with their own settings, as one table of rows."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from omnicontract.contracts.model import Source


def resolve_files(root: Path, source: Source) -> list[Path]:
    files: list[Path] = []
    for pattern in source.paths:
        files.extend(glob_files(root, pattern))
    seen: set[Path] = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def glob_files(root: Path, pattern: str) -> list[Path]:
    full = pattern if os.path.isabs(pattern) else str(root / pattern)
    return [Path(p) for p in sorted(glob.glob(full, recursive=True)) if Path(p).is_file()]


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_list(files: list[Path]) -> str:
    return "[" + ", ".join(sql_string(str(f)) for f in files) + "]"
