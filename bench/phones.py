"""Phone lookups alone: ``PhoneLookups.build`` on millions of distinct Brazilian numbers,
written as ``generate.py`` writes them, in checkouts run alternately.

    python bench/phones.py [--customers 2000000] [--repeat 1] [--python PATH ...]

A customer has a local number ``(AA) 9XXXX-XXXX`` (read with region BR) and a WhatsApp
number ``55AA9XXXXXXXX`` (read as international): ``2 * --customers`` distinct values,
built once per process in DuckDB (not timed). Each ``--python`` (another checkout's
virtual environment, say; default this interpreter) runs in a fresh process; printed are
the seconds of each ``build``, the valid numbers and a digest of the lookups (equal
across checkouts when every value gets the same E.164), how many items went to
libphonenumber in Python, and the process's peak memory (``ru_maxrss`` from ``os.wait4``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import macros

CHILD = """
import json, sys, time
from sqlalchemy import column, table
from omnicontract.validators import phones
from omnicontract.validators.engines.base import EngineOptions
from omnicontract.validators.engines.duckdb import DuckDBEngine

customers, statements = int(sys.argv[1]), json.loads(sys.argv[2])
engine = DuckDBEngine(EngineOptions())
for statement in statements:
    engine.con.execute(statement)
engine.con.execute(
    "CREATE TABLE crm AS SELECT phone_local(c) AS phone, phone_wa(c) AS wa "
    f"FROM range({customers}) t(c)"
)
to_python = []
batches = phones.normalize_phone_batches

def counted(items, store, total):
    to_python.append(total)
    return batches(items, store, total)

phones.normalize_phone_batches = counted
out = {}
for name, src, region, intl in (("local", "phone", "BR", False), ("wa", "wa", None, True)):
    start = time.perf_counter()
    engine.phones.build(name, table("crm", column(src)), src, region, intl)
    out[name] = round(time.perf_counter() - start, 2)
    out[name + "_valid"], out[name + "_digest"] = engine.con.execute(
        f"SELECT count(e164), sum(hash(raw || '=' || coalesce(e164, '')))::VARCHAR FROM {name}"
    ).fetchone()
out["to_python"] = sum(to_python)
print(json.dumps(out))
"""


def run(python: str, customers: int) -> dict[str, object]:
    args = [python, "-c", CHILD, str(customers), json.dumps(macros(customers))]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{python} failed")
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--python", action="append", help="interpreter of a checkout")
    opts = parser.parse_args()
    pythons = opts.python or [sys.executable]
    for round_ in range(opts.repeat):
        order = pythons if round_ % 2 == 0 else pythons[::-1]
        for python in order:
            print(python, json.dumps(run(python, opts.customers)), flush=True)


if __name__ == "__main__":
    main()
