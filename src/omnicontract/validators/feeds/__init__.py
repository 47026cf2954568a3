"""Feed readers: one module per source format, each turning files into a DuckDB table
function (a query-builder FROM item) that reads them in place (nothing is loaded into
Python); ``reader`` reads the files of one feed, with their own settings, as one table."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from omnicontract.contracts.model import Source
from omnicontract.contracts.paths import Confinement


def resolve_files(root: Path, source: Source, confinement: Confinement | None = None) -> list[Path]:
    """The files of a source; with ``confinement``, only those inside the allowed folders
    (the loader already refused the others, this holds if a link changed since)."""
    files: list[Path] = []
    for pattern in source.paths:
        files.extend(glob_files(root, pattern, confinement))
    seen: set[Path] = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def glob_files(root: Path, pattern: str, confinement: Confinement | None = None) -> list[Path]:
    if confinement is not None:
        return confinement.expand(pattern)[0]
    full = pattern if os.path.isabs(pattern) else str(root / pattern)
    return [Path(p) for p in sorted(glob.glob(full, recursive=True)) if Path(p).is_file()]


def display_names(paths: dict[str, Path]) -> dict[str, str]:
    """Each file of a feed as reports name it: by its name, or, where files of one name lie
    in several folders (``2024-01/customers.csv``, ``2024-02/customers.csv``), by as many
    of its last path parts as tell it apart."""
    by_name: dict[str, list[str]] = {}
    for key, path in paths.items():
        by_name.setdefault(path.name, []).append(key)
    out: dict[str, str] = {}
    for keys in by_name.values():
        for key in keys:
            parts = paths[key].parts
            n = 1
            while n < len(parts) and any(
                k != key and paths[k].parts[-n:] == parts[-n:] for k in keys
            ):
                n += 1
            out[key] = "/".join(parts[-n:])
    return out


def clean_duckdb_error(exc: Exception) -> str:
    """First meaningful line of a DuckDB error, without its internal prefixes."""
    text = str(exc).strip()
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[0] if lines else "unknown error"
    for ln in lines[1:3]:
        if ln.lower().startswith(("original line", "possible solution")):
            continue
        if "line" in head.lower() and ln and len(head) < 60:
            head += f" ({ln})"
        break
    return head[:300]
