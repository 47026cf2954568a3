"""CSV (and TSV) exports: delimiter, quoting, header, encodings (UTF-8 with or without
BOM, Latin-1, UTF-16), many files by glob. Rows the parser must reject are kept in a
rejects table with their line numbers instead of failing the whole read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicontract.contracts.model import Source


def read_expression(files: list[Path], source: Source, rejects: str) -> Any:
    from omnicontract.validators.sqlfuncs import table_function

    return table_function(
        "read_csv",
        [str(f) for f in files],
        all_varchar=True,
        header=bool(source.header),
        encoding=source.encoding,
        store_rejects=True,
        rejects_table=rejects,
        rejects_scan=rejects + "_scan",
        nullstr=list(source.null_values),
        delim=source.delimiter,
        quote=source.quote,
        escape=source.escape,
        skip=source.skip_rows or None,
    )
