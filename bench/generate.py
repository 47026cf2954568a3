"""Write a complete omnicontract project of a given size: a CRM customer export and one
interaction export per channel (see ``spec.py``), with about 0.1% planted defects.

    python bench/generate.py --customers 200000 --interactions 5000000 --out DIR

The rows are produced by DuckDB itself (``COPY (SELECT ... FROM range(n)) TO file``),
from arithmetic on the row number only, so the same sizes always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spec import (
    CUSTOMERS,
    INTERACTIONS,
    PHONE_REGION,
    TIMEZONE,
    Feed,
    interaction_rows,
)

GENERATOR_VERSION = 2

# Brazilian area codes (DDD); with a leading 9 and eight digits every one is a valid mobile.
AREAS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38]
AREAS += [41, 42, 43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68]
AREAS += [69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95]
AREAS += [96, 97, 98, 99]


def macros(customers: int) -> list[str]:
    areas = "[" + ", ".join(str(a) for a in AREAS) + "]"
    return [
        # a well-mixed pseudo-random integer in [0, 2^25) from row number and salt
        "CREATE MACRO h(i, s) AS ((((i + s * 104729) * 2654435761) % 4294967296) // 128)::BIGINT",
        f"CREATE MACRO cust(i) AS (((i * 2654435761 + 97) % 4294967296) % {customers})::BIGINT",
        "CREATE MACRO cust_id(c) AS 'C' || lpad(c::VARCHAR, 8, '0')",
        f"CREATE MACRO area(c) AS {areas}[1 + (c % {len(AREAS)})::INTEGER]::VARCHAR",
        "CREATE MACRO mobile(c) AS '9' || lpad(((c * 7919 + 12345) % 100000000)::VARCHAR, 8, '0')",
        "CREATE MACRO phone_local(c) AS "
        "'(' || area(c) || ') ' || mobile(c)[1:5] || '-' || mobile(c)[6:9]",
        "CREATE MACRO phone_wa(c) AS '55' || area(c) || mobile(c)",
        "CREATE MACRO ts_at(i, s) AS TIMESTAMP '2024-01-01 00:00:00' "
        "+ to_minutes((h(i, s) % (730 * 1440))::BIGINT)",
    ]


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_feed(con: duckdb.DuckDBPyConnection, feed: Feed, rows: int, out: Path) -> None:
    target = out / feed.path
    target.parent.mkdir(parents=True, exist_ok=True)
    select = ", ".join(f'{c.sql} AS "{c.name}"' for c in feed.columns)
    con.execute(
        f"COPY (SELECT {select} FROM range({rows}) AS r(i) ORDER BY i) "
        f"TO {_sql_string(str(target))} (HEADER, DELIMITER {_sql_string(feed.delimiter)})"
    )


def binding(feed: Feed) -> dict:
    fields: dict[str, object] = {}
    for c in feed.columns:
        fields[c.field] = {"column": c.name, **c.options} if c.options else c.name
    out: dict[str, object] = {
        "name": feed.feed,
        "entity": feed.entity,
        "source": {"path": feed.path, "delimiter": feed.delimiter},
        "fields": fields,
    }
    if feed.constants:
        out["constants"] = dict(feed.constants)
    return out


def write_project(out: Path) -> None:
    project = {
        "project": "bench",
        "description": "Generated benchmark project (bench/generate.py).",
        "contracts": ["builtin:customer", "builtin:interaction"],
        "channels": ["channels/*.yaml"],
        "defaults": {"timezone": TIMEZONE, "phone_region": PHONE_REGION},
    }
    (out / "channels").mkdir(parents=True, exist_ok=True)
    (out / "omnicontract.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    for feed in [CUSTOMERS, *INTERACTIONS]:
        doc = {
            "channel": feed.channel,
            "owner": f"{feed.channel}@example.com",
            "feeds": [binding(feed)],
        }
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        (out / "channels" / f"{feed.channel}.yaml").write_text(text)


def generate(customers: int, interactions: int, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    con = duckdb.connect()
    for m in macros(customers):
        con.execute(m)
    rows = {CUSTOMERS.channel: customers, **interaction_rows(interactions)}
    write_feed(con, CUSTOMERS, customers, out)
    for feed in INTERACTIONS:
        write_feed(con, feed, rows[feed.channel], out)
    con.close()
    write_project(out)
    meta = {
        "generator_version": GENERATOR_VERSION,
        "customers": customers,
        "interactions": interactions,
        "rows": rows,
        "bytes": sum(p.stat().st_size for p in (out / "exports").iterdir()),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / "bench-meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--interactions", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    meta = generate(args.customers, args.interactions, args.out)
    print(
        f"wrote {args.out}: {meta['customers']} customers, {meta['interactions']} interactions, "
        f"{meta['bytes'] / 2**20:.0f} MiB in {meta['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
