"""Parquet exports (web and app analytics): typed columns are used as they are."""

from __future__ import annotations

from pathlib import Path

from omnicontract.validators.feeds.csv import FILE


def read_expression(files: list[Path]) -> str:
    from omnicontract.validators.feeds import file_list, sql_string

    return f"read_parquet({file_list(files)}, union_by_name = true, filename = {sql_string(FILE)})"
