"""The Spark engine: statements translated from DuckDB keep their meaning (patterns,
timestamp formats, time zones, parameters), and the bundled example gives the same
findings on Spark as on DuckDB."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from sqlalchemy import DateTime, Float, String, bindparam, cast, extract, func, literal, select

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.validators.engines.duckdb import execute as duckdb_execute
from omnicontract.validators.engines.spark.sql import spark_datetime_pattern, translate
from omnicontract.validators.sqlfuncs import matches, try_cast
from tests.conftest import FIXED_NOW

RETAIL = Path(__file__).resolve().parents[1] / "examples" / "retail"


def _both(spark: Any, stmt: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A statement's rows on DuckDB and on Spark."""
    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.spark import SparkEngine

    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        on_duckdb = [tuple(r) for r in duckdb_execute(con, stmt).fetchall()]
    engine = SparkEngine(EngineOptions())
    try:
        on_spark = engine.fetch(stmt)
    finally:
        engine.close()
    return on_duckdb, on_spark


# ---------------------------------------------------------------- translation, no Spark
def test_parameters_keep_their_values_when_a_rewrite_reorders_arguments() -> None:
    sql = "SELECT '?' AS q, timezone(?, try_strptime(x, ?)) FROM t WHERE y = ? LIMIT ?"
    text, args = translate(sql, ["America/Sao_Paulo", "%d/%m/%Y", "it's", 5])
    assert "'?'" in text  # a question mark inside a string is not a parameter
    assert "TO_UTC_TIMESTAMP(TRY_TO_TIMESTAMP(x, 'd/M/yyyy'), :p0)" in text
    assert args == {"p0": "America/Sao_Paulo", "p2": "it's", "p3": 5}
    assert "it's" not in text  # values are bound, never pasted


def test_a_parameter_count_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="2 parameters for 1 markers"):
        translate("SELECT ?", [1, 2])


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [
        ("%d/%m/%Y %H:%M", "d/M/yyyy H:m"),
        ("%Y-%m-%dT%H:%M:%S", "yyyy-M-d'T'H:m:s"),
        ("%Y%m%d", "yyyyMMdd"),
        ("%d %b %Y", "d MMM yyyy"),
        ("%I:%M %p", "h:m a"),
        ("%Y-%m-%d %H:%M:%S%z", None),  # no exact counterpart: parsed by a UDF
        ("%y-%m-%d", None),
        ("%s", None),
    ],
)
def test_strptime_formats_become_spark_patterns_only_where_they_mean_the_same(
    fmt: str, pattern: str | None
) -> None:
    assert spark_datetime_pattern(fmt) == pattern


# ---------------------------------------------------------------- same meaning on Spark
VALUES = ["abc", "ABC", "ab", "abc\n", "a\nc", "x-1", "1234", "", "é", "a.c", " abc"]
PATTERNS = [
    "abc",
    "a.c",
    "[a-z]+",
    "[Aa][Bb][Cc]",
    r"\d{4}",
    "x-[0-9]",
    "ab|abc",
    "a.*",
    r"\w+",
    "é",
]


def test_pattern_matches_agree_with_duckdb(spark: Any) -> None:
    cols = [
        matches(literal(v, String()), p).label(f"m{i}_{j}")
        for i, v in enumerate(VALUES)
        for j, p in enumerate(PATTERNS)
    ]
    on_duckdb, on_spark = _both(spark, select(*cols))
    assert on_spark == on_duckdb


TIMES = [
    ("%d/%m/%Y %H:%M", "05/03/2024 14:07"),
    ("%d/%m/%Y %H:%M", "5/3/2024 14:07"),
    ("%d/%m/%Y %H:%M", "31/02/2024 14:07"),  # no such day
    ("%d/%m/%Y %H:%M", "05/03/2024"),  # too short
    ("%d/%m/%Y %H:%M", "05/03/2024 14:07 extra"),
    ("%Y%m%d", "20240305"),
    ("%Y-%m-%d %H:%M:%S", "2024-03-05 14:07:09"),
    ("%d %b %Y", "05 Mar 2024"),
    ("%I:%M %p %d/%m/%Y", "02:07 PM 05/03/2024"),
    ("%Y-%m-%d %H:%M:%S%z", "2024-03-05 14:07:09+0200"),
]


def test_timestamp_formats_and_zones_agree_with_duckdb(spark: Any) -> None:
    cols = []
    for i, (fmt, text) in enumerate(TIMES):
        parsed = func.try_strptime(bindparam(f"v{i}", text, String()), literal(fmt, String()))
        cols.append(cast(parsed, String()).label(f"t{i}"))
        if "%z" not in fmt:
            local = func.timezone(literal("America/Sao_Paulo"), parsed)
            cols.append(cast(local, DateTime(timezone=True)).label(f"z{i}"))
    on_duckdb, on_spark = _both(spark, select(*cols))
    assert [str(v)[:19] if v else v for v in on_spark[0]] == [
        str(v)[:19] if v else v for v in on_duckdb[0]
    ]


NUMBERS = ["1.5", "-2", "1e400", "-1e400", "nan", "inf", "x", None]
INSTANTS = ["2024-03-05 14:07:09.250+00", "1969-12-31 23:59:59+00", "2024-03-05 14:07:09+02"]


def test_numbers_and_epochs_agree_with_duckdb(spark: Any) -> None:
    """A number out of a double's range, NaN and infinity are no number on both engines;
    epoch seconds keep their fraction and their sign."""
    cols = [try_cast(literal(v, String()), "DOUBLE").label(f"n{i}") for i, v in enumerate(NUMBERS)]
    for i, text in enumerate(INSTANTS):
        t = cast(literal(text, String()), DateTime(timezone=True))
        cols.append(cast(extract("epoch", t), Float()).label(f"e{i}"))
    on_duckdb, on_spark = _both(spark, select(*cols))
    assert on_spark == on_duckdb
    assert on_duckdb[0][:3] == (1.5, -2.0, None)


# ---------------------------------------------------------------- the example
def _findings(result: Any) -> list[tuple[Any, ...]]:
    return sorted((f.code, f.channel, f.feed, f.field, f.count) for f in result.findings)


@pytest.mark.skipif(
    not os.environ.get("OMNICONTRACT_SPARK_RETAIL"),
    reason="two to three minutes on two shared cores, too long for every run; "
    "set OMNICONTRACT_SPARK_RETAIL=1 to run it",
)
def test_the_retail_example_gives_the_same_findings_on_spark(spark: Any) -> None:
    on_duckdb = omnicontract.validate(RETAIL, now=FIXED_NOW)
    on_spark = omnicontract.validate(RETAIL, now=FIXED_NOW, engine="spark")
    assert on_spark.engine == "spark"
    assert _findings(on_spark) == _findings(on_duckdb)
    assert [c.channel for c in on_spark.channels] == [c.channel for c in on_duckdb.channels]
    rows = {(f.channel, f.feed): f.rows for c in on_duckdb.channels for f in c.feeds}
    assert {(f.channel, f.feed): f.rows for c in on_spark.channels for f in c.feeds} == rows


def test_a_spark_master_needs_the_spark_engine() -> None:
    result = CliRunner().invoke(cli, ["validate", str(RETAIL), "--spark-master", "local[1]"])
    assert result.exit_code == 2
    assert "--engine spark" in result.output


def test_an_unreachable_spark_connect_url_is_a_usage_error(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    result = CliRunner().invoke(
        cli, ["validate", str(RETAIL), "--engine", "spark", "--spark-master", "sc://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "cannot reach the Spark Connect server at sc://127.0.0.1:1" in result.output


RUN_KEYS = (
    "spark.sql.session.timeZone",
    "spark.sql.legacy.javaCharsets",
    "spark.sql.csv.parser.columnPruning.enabled",
)


def test_a_run_puts_back_the_settings_it_changed_on_the_session(tmp_path: Path, spark: Any) -> None:
    """The session may be a user's own (a notebook's): the run's UTC, CSV and charset
    settings hold during the run only."""
    from tests.conftest import write_project

    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Sao_Paulo")
    try:
        before = {k: spark.conf.get(k, None) for k in RUN_KEYS}
        feed = {
            "entity": "customer",
            "fields": {"customer_id": "id", "full_name": "nome"},
            "source": {"encoding": "cp1252"},
            "files": {"ch0.csv": "id,nome\nC1,João\n".encode("cp1252")},
        }
        root = write_project(tmp_path / "p", feeds=[feed])
        result = omnicontract.validate(root, now=FIXED_NOW, engine="spark")
        assert result.channels[0].feeds[0].rows == 1
        assert not [f for f in result.findings if f.code.startswith("OC-SRC")]
        assert {k: spark.conf.get(k, None) for k in RUN_KEYS} == before
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
