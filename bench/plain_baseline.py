"""The plain workload's ten checks as an engineer would write them by hand in DuckDB:
each CSV read once into a table, one ``count_if`` aggregate per table, one duplicate
query and one anti-join.

    python bench/plain_baseline.py PROJECT_DIR [--output FILE] [--memory-limit 2GB]

Prints (or writes) ``{"counts": {check: failing rows}, "seconds": ...}`` with the check
names of ``plain_generate.CHECKS``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plain_generate import CHANNELS, E164_PATTERN, EMAIL_PATTERN, TS_FORMAT, tool_main


def run(project: Path, memory_limit: str | None) -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="plain-baseline-") as tmp:
        con = duckdb.connect(config={"temp_directory": tmp})
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET threads = {os.cpu_count() or 1}")
        if memory_limit:
            con.execute("SET memory_limit = ?", [memory_limit])
        data = project / "data"
        con.execute(
            "CREATE TABLE customers AS SELECT * FROM read_csv(?, all_varchar = true)",
            [str(data / "customers.csv")],
        )
        con.execute(
            "CREATE TABLE interactions AS SELECT * FROM read_csv(?, all_varchar = true)",
            [str(data / "interactions.csv")],
        )
        counts: dict[str, int] = {}
        row = con.execute(
            """SELECT
                 count_if(customer_id IS NULL OR trim(customer_id) = ''),
                 count_if(email IS NOT NULL AND NOT regexp_full_match(email, ?)),
                 count_if(phone IS NOT NULL AND NOT regexp_full_match(phone, ?))
               FROM customers""",
            [EMAIL_PATTERN, E164_PATTERN],
        ).fetchone()
        assert row is not None
        counts["customers.customer_id not-null"] = row[0]
        counts["customers.email pattern"] = row[1]
        counts["customers.phone pattern"] = row[2]
        row = con.execute(
            """SELECT
                 count_if(interaction_id IS NULL OR trim(interaction_id) = ''),
                 count_if(customer_id IS NULL OR trim(customer_id) = ''),
                 count_if(channel IS NOT NULL AND channel NOT IN (SELECT unnest(?::VARCHAR[]))),
                 count_if(occurred_at IS NOT NULL AND try_strptime(occurred_at, ?) IS NULL),
                 count_if(TRY_CAST(duration_s AS BIGINT) < 0)
               FROM interactions""",
            [CHANNELS, TS_FORMAT],
        ).fetchone()
        assert row is not None
        counts["interactions.interaction_id not-null"] = row[0]
        counts["interactions.customer_id not-null"] = row[1]
        counts["interactions.channel enum"] = row[2]
        counts["interactions.occurred_at parseable"] = row[3]
        counts["interactions.duration_s range"] = row[4]
        row = con.execute(
            """SELECT coalesce(sum(n), 0) FROM (
                 SELECT count(*) AS n FROM interactions WHERE interaction_id IS NOT NULL
                 GROUP BY interaction_id HAVING count(*) > 1)"""
        ).fetchone()
        assert row is not None
        counts["interactions.interaction_id unique"] = int(row[0])
        row = con.execute(
            """SELECT count(*) FROM interactions i
               WHERE i.customer_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = i.customer_id)"""
        ).fetchone()
        assert row is not None
        counts["interactions.customer_id reference"] = row[0]
        con.close()
    return {"counts": counts, "seconds": round(time.perf_counter() - started, 3)}


def main(argv: list[str] | None = None) -> None:
    tool_main(__doc__ or "", run, argv)


if __name__ == "__main__":
    main()
