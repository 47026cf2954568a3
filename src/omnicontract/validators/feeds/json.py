"""JSON exports: newline-delimited (``jsonl``) or one array/object per file (``json``),
as messaging and social platforms deliver them. Nested keys are read with dotted
column names (``contact.phone``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicontract.contracts.model import Source


def read_expression(files: list[Path], source: Source, rejects: str) -> Any:
    from omnicontract.validators.sqlfuncs import table_function

    fmt = "newline_delimited" if source.resolved_format == "jsonl" else "auto"
    return table_function("read_json", [str(f) for f in files], format=fmt, union_by_name=True)
