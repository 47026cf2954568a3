"""Feed readers: one module per source format, each turning a ``source:`` block into a
DuckDB table function (a query-builder FROM item) that reads the files in place (nothing
is loaded into Python)."""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import Source
from omnicontract.contracts.paths import Confinement
from omnicontract.validators.feeds import csv, json, parquet

READERS = {
    "csv": csv.read_expression,
    "json": json.read_expression,
    "jsonl": json.read_expression,
    "parquet": parquet.read_expression,
}


def resolve_files(root: Path, source: Source, confinement: Confinement | None = None) -> list[Path]:
    """The files of a source; with ``confinement``, only those inside the allowed folders
    (the loader already refused the others, this holds if a link changed since)."""
    files: list[Path] = []
    for pattern in source.paths:
        if confinement is not None:
            files.extend(confinement.expand(pattern)[0])
            continue
        full = pattern if os.path.isabs(pattern) else str(root / pattern)
        files.extend(Path(p) for p in sorted(glob.glob(full, recursive=True)) if Path(p).is_file())
    seen: set[Path] = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def read_expression(files: list[Path], source: Source, rejects: str) -> Any:
    return READERS[source.resolved_format](files, source, rejects)
