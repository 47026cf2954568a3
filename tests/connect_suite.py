"""Run by tests/test_spark_connect.py in a process of its own.

The Spark engine over Spark Connect (``--spark-master sc://...``), on a real Connect
server started from the pyspark package for this module (``tests/spark_connect.py``):
check cases that use what differs over Connect (the pandas UDFs for phones and formats,
cached tables, CSV rows set aside, Java charsets, several files) give DuckDB's findings;
tables of the server's Hive metastore read like files; the CLI takes the URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import String, bindparam, cast, func, literal, select

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, write_case
from tests.database_feeds import findings_key, same_findings
from tests.spark_tables import drop_database, new_database, to_catalog
from tests.test_check_cases import _load_cases
from tests.test_spark_cases import findings
from tests.test_spark_engine import TIMES

# case files and how many of their cases run over Connect (the first ones)
CONNECT_CASES = {
    "OC-FLD-010": 1,  # phones: the pandas UDF on the server's Python workers
    "OC-IDN-003": 1,  # identity keys that join only after normalization
    "OC-CNS-001": 1,  # the consent state: the deepest subqueries
    "OC-MAP-001": 1,  # a timestamp format
    "OC-SRC-002": 2,  # bytes that are not text; a Windows-1252 file (Java charsets)
    "OC-SRC-006": 1,  # malformed CSV rows set aside
    "OC-SRC-009": 1,  # a key in two files of one feed
}


def _connect_cases() -> list[Any]:
    taken: dict[str, int] = {}
    out = []
    for param in _load_cases():
        code = param.values[0]
        if taken.get(code, 0) < CONNECT_CASES.get(code, 0):
            taken[code] = taken.get(code, 0) + 1
            out.append(param)
    return out


@pytest.fixture(scope="module")
def remote(spark_connect: str) -> Any:
    """The test's own client session of the server (to create tables)."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(spark_connect).getOrCreate()


@pytest.mark.parametrize(("code", "case"), _connect_cases())
def test_case_over_spark_connect(
    code: str, case: dict[str, Any], tmp_path: Path, spark_connect: str
) -> None:
    root = write_case(tmp_path / "p", case)
    show = case.get("show_pii", True)
    on_duckdb = omnicontract.validate(root, now=FIXED_NOW, show_pii=show)
    on_connect = omnicontract.validate(
        root, now=FIXED_NOW, show_pii=show, engine="spark", spark_master=spark_connect
    )
    assert on_connect.engine == "spark"
    assert findings(on_connect) == findings(on_duckdb)


def test_formats_and_zones_agree_with_duckdb_over_connect(spark_connect: str) -> None:
    """Every timestamp format, those parsed by the strptime UDF on the server included."""
    import duckdb

    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.duckdb import execute as duckdb_execute
    from omnicontract.validators.engines.spark import SparkEngine

    cols = []
    for i, (fmt, text) in enumerate(TIMES):
        parsed = func.try_strptime(bindparam(f"v{i}", text, String()), literal(fmt, String()))
        cols.append(cast(parsed, String()).label(f"t{i}"))
    stmt = select(*cols)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        on_duckdb = [tuple(r) for r in duckdb_execute(con, stmt).fetchall()]
    engine = SparkEngine(EngineOptions(master=spark_connect))
    try:
        on_connect = engine.fetch(stmt)
    finally:
        engine.close()
    assert [str(v)[:19] if v else v for v in on_connect[0]] == [
        str(v)[:19] if v else v for v in on_duckdb[0]
    ]


def test_metastore_tables_over_connect_read_like_files(
    tmp_path: Path, spark_connect: str, remote: Any
) -> None:
    """A case with phones and identity keys, its feeds saved as tables of the server's
    Hive metastore: the findings of its files on DuckDB."""
    case = next(p.values[1] for p in _load_cases() if p.values[0] == "OC-IDN-003")
    root = write_case(tmp_path / "p", case)
    on_files = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    database = new_database()
    try:
        tables = to_catalog(root, remote, database)
        on_tables = omnicontract.validate(
            tables, now=FIXED_NOW, show_pii=True, engine="spark", spark_master=spark_connect
        )
    finally:
        drop_database(remote, database)
    same_findings(on_tables, on_files)


def test_typed_metastore_table_over_connect(
    tmp_path: Path, spark_connect: str, remote: Any
) -> None:
    from tests.test_spark_tables import check_typed_runs, typed_runs

    check_typed_runs(typed_runs(tmp_path / "p", remote, spark_master=spark_connect))


def test_the_cli_takes_a_spark_connect_url(tmp_path: Path, spark_connect: str) -> None:
    case = next(p.values[1] for p in _load_cases() if p.values[0] == "OC-FLD-010")
    root = write_case(tmp_path / "p", case)
    on_duckdb = omnicontract.validate(root, now=FIXED_NOW)
    out = tmp_path / "run.json"
    args = ["validate", str(root), "--engine", "spark", "--spark-master", spark_connect]
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--output", str(out)])
    assert result.exit_code == on_duckdb.exit_code, result.output
    assert "Traceback" not in result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["engine"] == "spark"
    got = sorted(
        (f["code"], f["channel"], f["feed"], f["field"] or "", f["count"]) for f in doc["findings"]
    )
    assert got == findings_key(on_duckdb, ignore=set())
