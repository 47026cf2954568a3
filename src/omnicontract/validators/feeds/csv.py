"""CSV (and TSV) exports: delimiter, quoting, header, encodings (UTF-8 with or without
BOM, Latin-1, UTF-16), many files by glob. Rows the parser must reject are kept in a
rejects table with their line numbers instead of failing the whole read."""

from __future__ import annotations

from pathlib import Path

from omnicontract.contracts.model import Source


def read_expression(files: list[Path], source: Source, rejects: str) -> str:
    from omnicontract.validators.feeds import file_list, sql_string

    opts = [
        "all_varchar = true",
        f"header = {'true' if source.header else 'false'}",
        f"encoding = {sql_string(source.encoding)}",
        "store_rejects = true",
        f"rejects_table = {sql_string(rejects)}",
        f"rejects_scan = {sql_string(rejects + '_scan')}",
        "nullstr = [" + ", ".join(sql_string(v) for v in source.null_values) + "]",
    ]
    if source.delimiter is not None:
        opts.append(f"delim = {sql_string(source.delimiter)}")
    if source.quote is not None:
        opts.append(f"quote = {sql_string(source.quote)}")
    if source.escape is not None:
        opts.append(f"escape = {sql_string(source.escape)}")
    if source.skip_rows:
        opts.append(f"skip = {source.skip_rows}")
    return f"read_csv({file_list(files)}, {', '.join(opts)})"
