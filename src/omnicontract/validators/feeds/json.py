"""JSON exports: newline-delimited (``jsonl``) or one array/object per file (``json``),
as messaging and social platforms deliver them. Nested keys are read with dotted
column names (``contact.phone``).

A JSONL line that is not JSON is a finding for that line (OC-SRC-006, with its line
number); the file's other lines are read. A ``json`` document that does not parse is
one unreadable file (OC-SRC-002); the feed's other files are read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omnicontract.validators.feeds.csv import FILE


def read_expression(files: list[Path], fmt: str, *, ignore_errors: bool = False) -> Any:
    from omnicontract.validators.sqlfuncs import table_function

    return table_function(
        "read_json",
        [str(f) for f in files],
        format="newline_delimited" if fmt == "jsonl" else "auto",
        union_by_name=True,
        filename=FILE,
        ignore_errors=True if ignore_errors else None,
    )


def bad_lines(path: Path, limit: int) -> tuple[int, list[int]]:
    """(count, first line numbers) of the lines of a JSONL file that are not JSON."""
    from omnicontract.validators.feeds.encoding import chunks

    count, first, number, buffer = 0, [], 0, ""

    def check(line: str) -> None:
        nonlocal count, number
        number += 1
        if not line.strip():
            return
        try:
            json.loads(line)
        except ValueError:
            count += 1
            if len(first) < limit:
                first.append(number)

    for text in chunks(path, "utf-8"):
        buffer += text
        *whole, buffer = buffer.split("\n")
        for line in whole:
            check(line)
    if buffer:
        check(buffer)
    return count, first
