"""Feeds that are tables of the Spark catalog (``source: {table: db.name}``, read with
``--engine spark``): every check case of tests/cases/ gives the same findings from tables
of a local session's catalog as from its files on DuckDB; typed columns read like the
same values written in a file; a missing table is a finding, a bad name a load error."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, write_case, write_project
from tests.database_feeds import findings_key, same_findings
from tests.spark_tables import (
    create_database,
    drop_database,
    new_database,
    save_table,
    to_catalog,
)
from tests.test_check_cases import _load_cases

# checks whose verdict depends on how values are typed when read: types, parsing, ranges,
# formats, zones, the primary key, references and identity keys (the other checks' logic
# is the same code as on files, where every case runs: tests/test_spark_cases.py)
TABLE_CODES = {"OC-FLD-002", "OC-FLD-004", "OC-FLD-007", "OC-FLD-010", "OC-FLD-013",
               "OC-MAP-001", "OC-REF-001", "OC-IDN-001", "OC-SRC-003"}  # fmt: skip


def _one_case_per_check() -> list[Any]:
    """The first case of each of those checks."""
    seen: set[str] = set()
    params = []
    for param in _load_cases():
        code = param.values[0]
        if code not in TABLE_CODES or code in seen:
            continue
        seen.add(code)
        params.append(param)
    return params


@pytest.mark.parametrize(("code", "case"), _one_case_per_check())
def test_case_gives_the_same_findings_from_spark_tables(
    code: str, case: dict[str, Any], tmp_path: Path, spark: Any
) -> None:
    root = write_case(tmp_path / "p", case)
    on_files = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    database = new_database()
    try:
        try:
            tables = to_catalog(root, spark, database)
        except FileNotFoundError:
            pytest.skip("a feed with no file (or an empty one) cannot become a table")
        on_tables = omnicontract.validate(tables, now=FIXED_NOW, show_pii=True, engine="spark")
    finally:
        drop_database(spark, database)
    same_findings(on_tables, on_files)


# ---------------------------------------------------------------- typed columns
TYPED_SCHEMA = (
    "id int, qty bigint, score double, price decimal(10,2), code decimal(10,2), born date, "
    "seen timestamp, local timestamp_ntz, naive timestamp_ntz, active boolean, flag boolean, "
    "name string"
)
UTC_ = datetime.fromisoformat("2024-03-05T14:07:09+00:00").tzinfo
TYPED_ROWS = [
    (1, 5, 0.5, Decimal("12.50"), Decimal("12.50"), date(1990, 1, 2),
     datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC_), datetime(2024, 3, 5, 14, 7, 9),
     datetime(2024, 3, 5, 14, 7, 9), True, True, "Ana"),
    (10, -3, 2.5, Decimal("0.50"), Decimal("9.99"), date(2099, 1, 1),
     datetime(2099, 1, 1, 0, 0, 0, 250000, tzinfo=UTC_), datetime(2099, 1, 1, 23, 30),
     datetime(2024, 3, 5, 0, 0), False, False, None),
    (2, None, None, None, None, None, None, None, None, None, None, "Bruno"),
]  # fmt: skip
TYPED_CONTRACT = {
    "entity": "thing",
    "fields": {
        "id": {"type": "string", "pattern": "[0-9]", "required": True},
        "qty": {"type": "integer", "minimum": 0},
        "score": {"type": "number", "maximum": 1},
        "price": {"type": "number", "minimum": 1},
        "code": {"type": "string", "enum": ["12.50"]},
        "born": {"type": "date", "not_future": True},
        "seen": {"type": "timestamp", "not_future": True},
        "local": {"type": "timestamp", "not_future": True},
        "naive": {"type": "timestamp"},
        "active": {"type": "boolean", "required": True},
        "flag": {"type": "string", "enum": ["true"]},
        "name": {"type": "string", "required": True},
    },
}
TYPED_FIELDS = {
    **{n: n for n in TYPED_CONTRACT["fields"]},
    "local": {"column": "local", "timezone": "America/Sao_Paulo"},
}


def as_text(value: Any) -> str:
    """A value as an export writes it: ISO dates and times, Python's numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    return str(value)


def write_parquet(path: Path) -> None:
    """The typed rows as a Parquet file with the table's types (pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "int": pa.int32(), "bigint": pa.int64(), "double": pa.float64(),
        "decimal(10,2)": pa.decimal128(10, 2), "date": pa.date32(), "boolean": pa.bool_(),
        "timestamp": pa.timestamp("us", tz="UTC"), "timestamp_ntz": pa.timestamp("us"),
        "string": pa.string(),
    }  # fmt: skip
    columns = [c.split(" ", 1) for c in TYPED_SCHEMA.split(", ")]
    schema = pa.schema([(n, types[t]) for n, t in columns])
    pq.write_table(
        pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in TYPED_ROWS], schema),
        path,
    )


def rebind(root: Path, source: dict[str, Any]) -> None:
    """Point the first feed of channel ch0 at ``source``."""
    channel = root / "channels" / "ch0.yaml"
    binding = yaml.safe_load(channel.read_text(encoding="utf-8"))
    binding["feeds"][0]["source"] = source
    channel.write_text(yaml.safe_dump(binding, sort_keys=False))


def typed_runs(root: Path, session: Any, **spark: Any) -> tuple[Any, Any, Any, Any]:
    """The typed rows as CSV text, as a Parquet file (both on DuckDB), as a table of
    ``session``'s catalog and as a table that does not exist (both on Spark, ``spark``:
    more options of the run): the four results."""
    names = [c.split()[0] for c in TYPED_SCHEMA.split(", ")]
    text = "\n".join([",".join(names), *[",".join(map(as_text, r)) for r in TYPED_ROWS]])
    feed = {"entity": "thing", "fields": TYPED_FIELDS, "rows": text + "\n"}
    root = write_project(root, contracts=[TYPED_CONTRACT], feeds=[feed])
    on_csv = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    write_parquet(root / "data" / "things.parquet")
    rebind(root, {"path": "data/things.parquet"})
    on_parquet = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    database = new_database()
    create_database(session, database)
    try:
        save_table(session, f"{database}.things", session.createDataFrame(TYPED_ROWS, TYPED_SCHEMA))
        rebind(root, {"table": f"{database}.things"})
        on_table = omnicontract.validate(
            root, now=FIXED_NOW, show_pii=True, engine="spark", **spark
        )
        rebind(root, {"table": f"{database}.nothing"})
        no_table = omnicontract.validate(root, now=FIXED_NOW, engine="spark", **spark)
    finally:
        drop_database(session, database)
    return on_csv, on_parquet, on_table, no_table


def check_typed_runs(runs: tuple[Any, Any, Any, Any]) -> None:
    """A typed table gives the findings of the same values written as text in a CSV file
    (codes and counts), and of the same typed values in a Parquet file read by DuckDB
    (samples too: a native timestamp is shown as its instant in UTC, there is no text);
    a table that does not exist is OC-SRC-001."""
    on_csv, on_parquet, on_table, no_table = runs
    assert {f.code for f in on_csv.findings} >= {
        "OC-FLD-001", "OC-FLD-005", "OC-FLD-006", "OC-FLD-007", "OC-FLD-013", "OC-FLD-014"
    }  # fmt: skip
    assert findings_key(on_table) == findings_key(on_csv)
    same_findings(on_table, on_parquet)
    table = on_table.channels[0].feeds[0].source.removeprefix("table:")
    assert [(f.code, f.message) for f in no_table.findings if f.code.startswith("OC-SRC")] == [
        ("OC-SRC-001", f"no table {table.replace('things', 'nothing')} in the Spark catalog")
    ]


def test_typed_columns_read_like_the_same_values_in_a_file(tmp_path: Path, spark: Any) -> None:
    check_typed_runs(typed_runs(tmp_path / "p", spark))


# ---------------------------------------------------------------- names and problems
def _one_feed(root: Path, source: dict[str, Any]) -> Path:
    feed = {"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}
    root = write_project(root, feeds=[feed, {**feed}])
    rebind(root, source)
    return root


def _source_findings(result: Any) -> list[tuple[str, str | None, str]]:
    return [(f.code, f.channel, f.message) for f in result.findings if f.code.startswith("OC-SRC")]


def test_a_missing_table_is_a_finding_at_the_binding(tmp_path: Path, spark: Any) -> None:
    root = _one_feed(tmp_path / "p", {"table": "no_such_db.customers"})
    result = omnicontract.validate(root, now=FIXED_NOW, engine="spark")
    assert _source_findings(result) == [
        ("OC-SRC-001", "ch0", "no table no_such_db.customers in the Spark catalog")
    ]
    missing = next(f for f in result.findings if f.code == "OC-SRC-001")
    assert missing.location is not None
    path, line, _column = missing.location.rsplit(":", 2)  # the line of the table's name
    assert "no_such_db.customers" in Path(path).read_text().splitlines()[int(line) - 1]
    assert result.channels[1].feeds[0].rows == 1  # the other feed was read


def test_a_table_name_the_run_uses_for_a_view_is_the_catalog_table(
    tmp_path: Path, spark: Any
) -> None:
    """The run's own temporary views (``canon_0`` ...) never hide a table of that name."""
    database = spark.catalog.currentDatabase()
    save_table(spark, f"{database}.canon_0", spark.createDataFrame([("C7",), ("C8",)], "id string"))
    try:
        root = _one_feed(tmp_path / "p", {"table": "canon_0"})
        binding = root / "channels" / "ch0.yaml"
        binding.rename(root / "channels" / "ch2.yaml")  # read after the file feed (canon_0)
        result = omnicontract.validate(root, now=FIXED_NOW, engine="spark")
    finally:
        spark.sql("DROP TABLE IF EXISTS IDENTIFIER(:t)", args={"t": f"{database}.canon_0"})
    rows = {f.channel: f.rows for c in result.channels for f in c.feeds}
    assert rows == {"ch1": 1, "ch0": 2}


@pytest.mark.parametrize(
    "name", ["a.b.c.d", "db.tbl; DROP TABLE x", "db.`tbl`", "db..tbl", "tbl name", "db.t'x"]
)
def test_a_table_name_that_is_not_identifier_parts_is_refused_at_load(
    tmp_path: Path, name: str
) -> None:
    root = _one_feed(tmp_path / "p", {"table": name})
    result = CliRunner().invoke(cli, ["validate", str(root), "--engine", "spark"])
    assert result.exit_code == 2, result.output
    assert "ch0.yaml:" in result.output and "catalog.database.name" in result.output


def test_a_catalog_table_on_another_engine_is_a_finding(tmp_path: Path) -> None:
    root = _one_feed(tmp_path / "p", {"table": "sales.customers"})
    result = omnicontract.validate(root, now=FIXED_NOW)
    assert [(c, ch) for c, ch, _m in _source_findings(result)] == [("OC-SRC-002", "ch0")]
    assert "--engine spark" in next(f.hint for f in result.findings if f.code == "OC-SRC-002")
    assert result.channels[1].feeds[0].rows == 1


def test_a_database_feed_on_spark_is_a_finding(tmp_path: Path, spark: Any) -> None:
    """A feed of a connection (SQLite here) is not read by the Spark engine: it says so,
    and the other feeds run."""
    from tests.database_feeds import to_database

    feed = {"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}
    root = to_database(write_project(tmp_path / "p", feeds=[feed, {**feed}]), channels={"ch0"})
    result = omnicontract.validate(root, now=FIXED_NOW, engine="spark")
    assert [(c, ch) for c, ch, _m in _source_findings(result)] == [("OC-SRC-002", "ch0")]
    assert result.channels[1].feeds[0].rows == 1
