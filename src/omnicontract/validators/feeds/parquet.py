"""Parquet exports (web and app analytics): typed columns are used as they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicontract.validators.feeds.csv import FILE


def read_expression(files: list[Path]) -> Any:
    from omnicontract.validators.sqlfuncs import table_function

    return table_function(
        "read_parquet", [str(f) for f in files], union_by_name=True, filename=FILE
    )
