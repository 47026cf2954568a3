"""Where an omnicontract run spends its time: every DuckDB statement timed and charged to
the check (or engine step) that issued it; what is left is Python (phone normalization,
SQL compilation, reports).

    python bench/profile.py PROJECT_DIR [--top N]

Wraps the engine's DuckDB connection for the duration of one ``omnicontract.validate``
call; nothing is changed on disk. Relies on the DuckDB engine keeping its connection in
``run.engine.con``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TIMINGS: list[tuple[float, str, str]] = []  # (seconds, charged to, SQL)
DDL = ("CREATE", "DROP", "SET", "INSERT")
HELPERS = {"fetch", "scalar", "compile", "run", "top_values", "create_table", "create_view"}
ENGINE_FILES = (
    "duckdb.py",
    "run.py",
    "binding.py",
    "api.py",
    "queries.py",
)  # charged to their caller instead


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


class TimedResult:
    def __init__(self, result: Any, sql: str, started: float, who: str):
        self._result, self._sql, self._started, self._who = result, sql, started, who

    def _done(self) -> None:
        TIMINGS.append((time.perf_counter() - self._started, self._who, self._sql))

    def fetchall(self) -> Any:
        rows = self._result.fetchall()
        self._done()
        return rows

    def fetchone(self) -> Any:
        row = self._result.fetchone()
        self._done()
        return row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


class TimedConnection:
    def __init__(self, con: Any):
        self._con = con

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        who = charged_to()
        started = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        if sql.lstrip()[:6].upper() in DDL:
            TIMINGS.append((time.perf_counter() - started, who, sql))
            return result
        return TimedResult(result, sql, started, who)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--top", type=int, default=0, help="also print the N slowest statements")
    args = ap.parse_args(argv)

    import omnicontract
    from omnicontract.validators import run

    original_init = run.Run.__init__

    def init(self: Any, *a: Any, **k: Any) -> None:
        original_init(self, *a, **k)
        self.engine.con = TimedConnection(self.engine.con)

    run.Run.__init__ = init  # type: ignore[method-assign]
    started = time.perf_counter()
    omnicontract.validate(args.project)
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
