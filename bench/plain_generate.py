"""The plain workload: one customer file and one interaction file, ten checks that every
data-quality tool can express, so tools can be compared on equal terms.

    python bench/plain_generate.py --interactions 5000000 --out DIR   # 200k customers

Writes ``DIR/data/customers.csv`` and ``DIR/data/interactions.csv`` (rows from DuckDB
arithmetic on the row number, so a size always gives the same bytes) and an omnicontract
project holding exactly the ten rules below. Each check has its planted defects on one
residue of ``i % 10000`` (0.01% of the rows), so its failing count is known.

| check | rule | planted |
| --- | --- | --- |
| customers.customer_id not-null | required | residue 17 of customers |
| customers.email pattern | e-mail regex | residue 23 of customers |
| customers.phone pattern | E.164 regex | residue 29 of customers |
| interactions.interaction_id not-null | required | residue 11 |
| interactions.interaction_id unique | unique | residue 13 repeats the previous row's id |
| interactions.customer_id not-null | required | residue 19 |
| interactions.customer_id reference | present in customers | residue 37 |
| interactions.channel enum | one of seven values | residue 41 |
| interactions.occurred_at parseable | ``%Y-%m-%dT%H:%M:%S%z`` | residue 43 |
| interactions.duration_s range | ``>= 0`` | residue 47 |
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import yaml

GENERATOR_VERSION = 1
CUSTOMERS_PER_INTERACTION = 25  # 5M interactions -> 200k customers, 50M -> 2M

CHANNELS = ["email", "whatsapp", "sms", "call_center", "web", "app", "store"]
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
E164_PATTERN = r"\+[1-9][0-9]{1,14}"
TS_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

# check name -> (file, column, rule, residue of i % 10000 that plants its defects)
CHECKS: dict[str, tuple[str, str, str, int]] = {
    "customers.customer_id not-null": ("customers", "customer_id", "required", 17),
    "customers.email pattern": ("customers", "email", "pattern", 23),
    "customers.phone pattern": ("customers", "phone", "pattern", 29),
    "interactions.interaction_id not-null": ("interactions", "interaction_id", "required", 11),
    "interactions.interaction_id unique": ("interactions", "interaction_id", "unique", 13),
    "interactions.customer_id not-null": ("interactions", "customer_id", "required", 19),
    "interactions.customer_id reference": ("interactions", "customer_id", "reference", 37),
    "interactions.channel enum": ("interactions", "channel", "enum", 41),
    "interactions.occurred_at parseable": ("interactions", "occurred_at", "parseable", 43),
    "interactions.duration_s range": ("interactions", "duration_s", "range", 47),
}


def customers_for(interactions: int) -> int:
    return max(interactions // CUSTOMERS_PER_INTERACTION, 1)


def _customers_sql(n: int) -> str:
    mobile = "lpad(((i * 7919 + 12345) % 100000000)::VARCHAR, 8, '0')"
    return f"""
        SELECT
          CASE WHEN i % 10000 = 17 THEN NULL ELSE 'C' || lpad(i::VARCHAR, 8, '0') END
            AS customer_id,
          CASE WHEN i % 10000 = 23 THEN 'user' || i || '.example.com'
               ELSE 'user' || i || '@example.com' END AS email,
          CASE WHEN i % 10000 = 29 THEN '(11) 9' || {mobile}[1:4] || '-' || {mobile}[5:8]
               ELSE '+55' || (11 + i % 89)::VARCHAR || '9' || {mobile} END AS phone
        FROM range({n}) AS r(i) ORDER BY i"""


def _interactions_sql(n: int, customers: int) -> str:
    # a well-mixed customer number that never lands on a customer planted without an id
    cust = f"(((i * 2654435761 + 97) % 4294967296) % {customers})"
    cust = f"(CASE WHEN {cust} % 10000 = 17 THEN ({cust} + 1) % {customers} ELSE {cust} END)"
    at = "(TIMESTAMP '2024-01-01 00:00:00' + to_seconds(((i * 40503) % 63072000)::BIGINT))"
    channels = "[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    return f"""
        SELECT
          CASE WHEN i % 10000 = 11 THEN NULL
               WHEN i % 10000 = 13 THEN 'I' || lpad((i - 1)::VARCHAR, 10, '0')
               ELSE 'I' || lpad(i::VARCHAR, 10, '0') END AS interaction_id,
          CASE WHEN i % 10000 = 19 THEN NULL
               WHEN i % 10000 = 37 THEN 'X' || lpad({cust}::VARCHAR, 8, '0')
               ELSE 'C' || lpad({cust}::VARCHAR, 8, '0') END AS customer_id,
          CASE WHEN i % 10000 = 41 THEN 'fax'
               ELSE {channels}[1 + ((i * 31) % 7)::INTEGER] END AS channel,
          CASE WHEN i % 10000 = 43 THEN strftime({at}, '%d/%m/%Y %H:%M')
               ELSE strftime({at}, '%Y-%m-%dT%H:%M:%S') || '-0300' END AS occurred_at,
          CASE WHEN i % 10000 = 47 THEN -(1 + i % 60) ELSE (i * 13) % 3600 END AS duration_s
        FROM range({n}) AS r(i) ORDER BY i"""


def expected_counts(interactions: int) -> dict[str, int]:
    """The planted failing count of every check (rows), for the data of this size."""
    customers = customers_for(interactions)

    def hits(rows: int, residue: int) -> int:
        return rows // 10000 + (1 if rows % 10000 > residue else 0)

    out = {}
    for name, (file, _col, rule, residue) in CHECKS.items():
        rows = customers if file == "customers" else interactions
        # a repeated id involves the row that repeats it and the row it repeats
        out[name] = hits(rows, residue) * (2 if rule == "unique" else 1)
    return out


CUSTOMER_CONTRACT = {
    "kind": "entity",
    "entity": "customer",
    "version": "1.0.0",
    "description": "A customer of the plain workload.",
    "fields": {
        "customer_id": {"type": "string", "required": True, "description": "Customer key."},
        "email": {
            "type": "string",
            "pattern": EMAIL_PATTERN,
            "pii": True,
            "description": "E-mail address.",
        },
        "phone": {
            "type": "string",
            "pattern": E164_PATTERN,
            "pii": True,
            "description": "Phone number in E.164.",
        },
    },
}
INTERACTION_CONTRACT = {
    "kind": "entity",
    "entity": "interaction",
    "version": "1.0.0",
    "description": "One contact with a customer, on one of seven channels.",
    "fields": {
        "interaction_id": {
            "type": "string",
            "required": True,
            "unique": True,
            "description": "Key of the interaction.",
        },
        "customer_id": {
            "type": "string",
            "required": True,
            "references": "customer.customer_id",
            "description": "The customer contacted.",
        },
        "channel": {"type": "string", "enum": CHANNELS, "description": "Where it happened."},
        "occurred_at": {"type": "timestamp", "description": "When it happened."},
        "duration_s": {"type": "integer", "minimum": 0, "description": "Length in seconds."},
    },
}


def write_project(out: Path) -> None:
    project = {
        "project": "plain",
        "description": "The plain workload of bench/: ten checks on two CSV files.",
        "contracts": ["contracts/*.yaml"],
        "channels": ["channels/*.yaml"],
        # the interactions carry no other key than the customer id
        "identity": {"keys": ["customer_id"]},
    }
    channels = {
        "crm": {
            "channel": "crm",
            "feeds": [
                {
                    "name": "customers",
                    "entity": "customer",
                    "source": {"path": "data/customers.csv"},
                    "fields": {f: f for f in CUSTOMER_CONTRACT["fields"]},
                }
            ],
        },
        "events": {
            "channel": "events",
            "feeds": [
                {
                    "name": "interactions",
                    "entity": "interaction",
                    "source": {"path": "data/interactions.csv"},
                    "fields": {
                        "interaction_id": "interaction_id",
                        "customer_id": "customer_id",
                        "channel": "channel",
                        "occurred_at": {"column": "occurred_at", "format": TS_FORMAT},
                        "duration_s": "duration_s",
                    },
                }
            ],
        },
    }
    for sub in ("contracts", "channels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    (out / "omnicontract.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    for name, doc in (("customer", CUSTOMER_CONTRACT), ("interaction", INTERACTION_CONTRACT)):
        (out / "contracts" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    for name, doc in channels.items():
        (out / "channels" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def generate(interactions: int, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    started = time.perf_counter()
    customers = customers_for(interactions)
    con = duckdb.connect()
    for name, sql in (
        ("customers", _customers_sql(customers)),
        ("interactions", _interactions_sql(interactions, customers)),
    ):
        target = str(out / "data" / f"{name}.csv").replace("'", "''")
        con.execute(f"COPY ({sql}) TO '{target}' (HEADER)")
    con.close()
    write_project(out)
    meta = {
        "generator_version": GENERATOR_VERSION,
        "customers": customers,
        "interactions": interactions,
        "expected": expected_counts(interactions),
        "bytes": sum(p.stat().st_size for p in (out / "data").iterdir()),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / "bench-meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def tool_main(doc: str, run: Callable[..., dict], argv: list[str] | None = None) -> None:
    """Command line of a plain-workload tool: ``PROJECT_DIR [--output FILE] [--memory-limit
    SIZE]``; writes the JSON ``run(project, memory_limit)`` returns."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--output", type=Path)
    ap.add_argument("--memory-limit", default=None, help="engine memory limit, e.g. 2GB")
    args = ap.parse_args(argv)
    text = json.dumps(run(args.project, args.memory_limit), indent=2) + "\n"
    if args.output:
        args.output.write_text(text)
    else:
        print(text, end="")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interactions", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    meta = generate(args.interactions, args.out)
    print(
        f"wrote {args.out}: {meta['customers']} customers, {meta['interactions']} interactions, "
        f"{meta['bytes'] / 2**20:.0f} MiB in {meta['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
