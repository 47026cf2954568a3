"""The plain workload's ten checks with pandera on polars, as its documentation suggests:
both files read with polars, one ``DataFrameSchema`` per file validated lazily (every
failure collected), custom checks where pandera has no built-in one.

    python bench/plain_pandera.py PROJECT_DIR [--output FILE]

Needs ``pandera[polars]``; ``run.py``-style runners skip it when it is not installed.
Prints (or writes) ``{"counts": {check: failing rows}, "seconds": ...}``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandera.polars as pa
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plain_generate import CHANNELS, E164_PATTERN, EMAIL_PATTERN, TS_FORMAT, tool_main


def _failures(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame | None:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def _count(failures: pl.DataFrame | None, column: str, check: str) -> int:
    if failures is None:
        return 0
    rows = failures.filter((pl.col("column") == column) & (pl.col("check") == check))
    if check == "field_uniqueness":  # pandera counts empty ids as duplicates too
        rows = rows.filter(pl.col("failure_case").is_not_null())
    return rows.height


def run(project: Path, memory_limit: str | None = None) -> dict:
    """``memory_limit`` is not honoured: polars has no such setting."""
    started = time.perf_counter()
    data = project / "data"
    customers = pl.read_csv(data / "customers.csv", infer_schema=False)
    interactions = pl.read_csv(data / "interactions.csv", infer_schema=False)
    known = customers.get_column("customer_id").drop_nulls().unique().implode()

    customer_schema = pa.DataFrameSchema(
        {
            "customer_id": pa.Column(str, nullable=False),
            "email": pa.Column(str, pa.Check.str_matches(f"^(?:{EMAIL_PATTERN})$"), nullable=True),
            "phone": pa.Column(str, pa.Check.str_matches(f"^(?:{E164_PATTERN})$"), nullable=True),
        }
    )
    interaction_schema = pa.DataFrameSchema(
        {
            "interaction_id": pa.Column(str, nullable=False, unique=True),
            "customer_id": pa.Column(
                str,
                pa.Check(
                    lambda d: d.lazyframe.select(
                        pl.col(d.key).is_null() | pl.col(d.key).is_in(known)
                    ),
                    name="reference",
                ),
                nullable=False,
            ),
            "channel": pa.Column(str, pa.Check.isin(CHANNELS), nullable=True),
            "occurred_at": pa.Column(
                str,
                pa.Check(
                    lambda d: d.lazyframe.select(
                        pl.col(d.key).is_null()
                        | pl.col(d.key)
                        .str.strptime(pl.Datetime, TS_FORMAT, strict=False)
                        .is_not_null()
                    ),
                    name="parseable",
                ),
                nullable=True,
            ),
            "duration_s": pa.Column(
                str,
                pa.Check(
                    lambda d: d.lazyframe.select(
                        pl.col(d.key).cast(pl.Int64, strict=False).fill_null(0) >= 0
                    ),
                    name="range",
                ),
                nullable=True,
            ),
        }
    )
    cf = _failures(customer_schema, customers)
    inf = _failures(interaction_schema, interactions)
    counts = {
        "customers.customer_id not-null": _count(cf, "customer_id", "not_nullable"),
        "customers.email pattern": sum(
            _count(cf, "email", c) for c in _checks(cf, "email") if c != "not_nullable"
        ),
        "customers.phone pattern": sum(
            _count(cf, "phone", c) for c in _checks(cf, "phone") if c != "not_nullable"
        ),
        "interactions.interaction_id not-null": _count(inf, "interaction_id", "not_nullable"),
        "interactions.interaction_id unique": _count(inf, "interaction_id", "field_uniqueness"),
        "interactions.customer_id not-null": _count(inf, "customer_id", "not_nullable"),
        "interactions.customer_id reference": _count(inf, "customer_id", "reference"),
        "interactions.channel enum": sum(
            _count(inf, "channel", c) for c in _checks(inf, "channel") if c.startswith("isin")
        ),
        "interactions.occurred_at parseable": _count(inf, "occurred_at", "parseable"),
        "interactions.duration_s range": _count(inf, "duration_s", "range"),
    }
    return {"counts": counts, "seconds": round(time.perf_counter() - started, 3)}


def _checks(failures: pl.DataFrame | None, column: str) -> list[str]:
    if failures is None:
        return []
    return failures.filter(pl.col("column") == column).get_column("check").unique().to_list()


def main(argv: list[str] | None = None) -> None:
    tool_main(__doc__ or "", run, argv)


if __name__ == "__main__":
    main()
