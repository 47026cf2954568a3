"""Parquet exports (web and app analytics): typed columns are used as they are."""

from __future__ import annotations

from pathlib import Path

from omnicontract.contracts.model import Source


def read_expression(files: list[Path], source: Source, rejects: str) -> str:
    from omnicontract.validators.feeds import file_list

    return f"read_parquet({file_list(files)}, union_by_name = true)"
