"""Where an omnicontract run spends its time: every DuckDB statement (queries, DDL,
CHECKPOINT, ALTER, ATTACH, SET, ...) timed, with the fetch of its rows, and charged to the
check (or engine step) that issued it; what is left is Python (phone normalization, SQL
compilation, reports).

    python bench/profile.py PROJECT_DIR [--top N] [--per-feed] [--memory-limit 1GB]

Wraps every DuckDB connection opened during one ``omnicontract.validate`` call (by
replacing ``duckdb.connect``); nothing is changed on disk.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TIMINGS: list[list[Any]] = []  # [seconds, charged to, SQL]
# charged to their caller instead
HELPERS = {"fetch", "scalar", "compile", "run", "top_values", "create_table", "create_view"}
# the run and its engine: a statement is charged to the check that asked, if any
ENGINE_FILES = ("duckdb.py", "run.py", "binding.py", "api.py", "queries.py")
# connection methods that run SQL or read data in the engine
ENGINE_CALLS = ("execute", "executemany", "sql", "query", "read_csv", "read_json", "read_parquet")
FETCHES = ("fetchall", "fetchone", "fetchmany", "fetchnumpy", "fetchdf", "arrow", "df", "pl")


def charged_to() -> str:
    """The first omnicontract frame outside the engine and shared query helpers (the check
    that asked), else the engine step."""
    frame = sys._getframe(2)
    engine_fn = None
    while frame is not None:
        path = frame.f_code.co_filename
        if "omnicontract" in path:
            name = f"{os.path.basename(path)}:{frame.f_code.co_name}"
            if os.path.basename(path) not in ENGINE_FILES:
                return name
            if frame.f_code.co_name not in HELPERS:
                engine_fn = engine_fn or name
        frame = frame.f_back
    return engine_fn or "?"


class Timed:
    """A DuckDB connection (or a result it returned) whose every engine call is timed.

    Every statement is charged when it runs, whatever it is (SELECT, CREATE, CHECKPOINT,
    ALTER, ATTACH, SET, ...); fetching its rows later adds to the same statement's time.
    """

    def __init__(self, target: Any, entry: list[Any] | None = None):
        self._target = target
        self._entry = entry  # the statement whose result this is

    def __enter__(self) -> Timed:
        self._target.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._target.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr) or name not in ENGINE_CALLS + FETCHES:
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            entry = self._entry
            if name in ENGINE_CALLS:
                sql = args[0] if args and isinstance(args[0], str) else f"<{name}>"
                entry = [0.0, charged_to(), sql]
                TIMINGS.append(entry)
            started = time.perf_counter()
            try:
                out = attr(*args, **kwargs)
            finally:
                if entry is not None:
                    entry[0] += time.perf_counter() - started
            # results are connections or relations: their fetches belong to this statement
            if name in ENGINE_CALLS and out is not None:
                return Timed(out, entry)
            return out

        return timed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--top", type=int, default=0, help="also print the N slowest statements")
    ap.add_argument(
        "--per-feed", action="store_true", help="each feed on its own, as validate --per-feed"
    )
    ap.add_argument("--memory-limit", help="as validate --memory-limit (e.g. 1GB)")
    args = ap.parse_args(argv)

    import duckdb

    import omnicontract

    connect = duckdb.connect

    def timed_connect(*a: Any, **k: Any) -> Any:
        return Timed(connect(*a, **k))

    duckdb.connect = timed_connect  # every connection the run opens, from its first SET
    started = time.perf_counter()
    omnicontract.validate(
        args.project, cross_channel=not args.per_feed, memory_limit=args.memory_limit
    )
    total = time.perf_counter() - started
    in_sql = sum(t for t, _w, _s in TIMINGS)
    print(
        f"validate(): {total:.2f} s; DuckDB statements {in_sql:.2f} s ({len(TIMINGS)}); "
        f"Python {total - in_sql:.2f} s"
    )
    spent: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for t, who, _sql in TIMINGS:
        spent[who] += t
        count[who] += 1
    for who, t in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{t:8.2f} s {count[who]:4d}  {who}")
    for t, who, sql in sorted(TIMINGS, key=lambda x: -x[0])[: args.top]:
        print(f"--- {t:.2f} s  {who}\n{' '.join(sql.split())[:600]}")


if __name__ == "__main__":
    main()
