"""Start-up: the whole ``omnicontract validate`` process on a one-row project, against a
hand-written DuckDB script checking that row, run alternately.

    python bench/startup.py [--runs 15] [--omnicontract PATH ...]

The project is ``omnicontract init``'s, cut to its first row. A third row is the floor
under the package's own code: a process that only imports the libraries a run needs
(DuckDB, SQLAlchemy, pydantic, click, PyYAML, phonenumbers) and exits. Each measurement is a fresh
process; the median and the minimum of ``--runs`` are printed (on a shared machine the
minimum is the least disturbed; CPU time is less sensitive to other load than wall
time). Byte code is compiled first (``compileall``), as ``pip install`` does. Several ``--omnicontract`` executables (another checkout's
virtual environment, say) are measured in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HAND_WRITTEN = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET threads = 2")
row = con.execute(
    "SELECT count(*), count_if(id_cliente IS NULL), "
    "count_if(NOT regexp_full_match(email, '[^@ ]+@[^@ ]+[.][^@ ]+')) "
    "FROM read_csv(?, all_varchar = true, delim = ';')",
    [sys.argv[1]],
).fetchone()
print(row)
"""

# The floor any run of the package pays before its own code: the interpreter and the
# libraries every `validate` imports (its query builder, contract models, command line,
# YAML), then an exit that frees nothing, as the command's own.
IMPORTS_ONLY = """
import os
import click, duckdb, phonenumbers, pydantic, sqlalchemy, yaml
os._exit(0)
"""


def one_row_project(exe: str, root: Path) -> Path:
    project = root / "one"
    subprocess.run([exe, "init", str(project)], check=True, capture_output=True)
    export = next((project / "exports").rglob("*.csv"))
    lines = export.read_text().splitlines(keepends=True)
    export.write_text("".join(lines[:2]))
    return project


def wall(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--omnicontract", action="append", metavar="PATH", help="executable(s)")
    args = ap.parse_args(argv)
    exes = args.omnicontract or [
        shutil.which("omnicontract", path=str(Path(sys.executable).parent)) or "omnicontract"
    ]
    import omnicontract

    package = str(Path(omnicontract.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = one_row_project(exes[0], Path(tmp))
        export = next((project / "exports").rglob("*.csv"))
        tools = {
            "hand-written duckdb": [sys.executable, "-c", HAND_WRITTEN, str(export)],
            "its libraries' imports alone": [sys.executable, "-c", IMPORTS_ONLY],
        }
        for exe in exes:
            label = "omnicontract" if len(exes) == 1 else f"omnicontract ({exe})"
            tools[label] = [exe, "validate", str(project), "-q"]
        for cmd in tools.values():  # warm-up: files into the page cache
            wall(cmd)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, cmd in tools.items():
                times[name].append(wall(cmd))
    for name, ts in times.items():
        walls, cpus = [w for w, _c in ts], [c for _w, c in ts]
        print(
            f"{name:<40} wall median {statistics.median(walls):.3f} s, min {min(walls):.3f} s; "
            f"CPU median {statistics.median(cpus):.3f} s ({len(ts)} runs)"
        )


if __name__ == "__main__":
    main()
