"""One meaning everywhere: the constructs a mapping compiles to (timestamp grammars, time
zones, numbers, booleans, regular expressions) give the same value on DuckDB, PostgreSQL
and SQLite for the same text, including the awkward texts. Each value is computed by the
engine itself from a bound parameter; the expected value is DuckDB's (the default engine)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pytest
from sqlalchemy import String, create_engine, event, literal, select

from omnicontract.contracts.model import FieldMapping, FieldSpec, LogicalType
from omnicontract.validators.mapping import map_field
from omnicontract.validators.sqlite_functions import register
from omnicontract.validators.timeparse import as_instant

TIMESTAMP_TEXTS = [
    "01/02/2024 10:00",
    "1/2/2024 9:05",
    " 01/02/2024 10:00 ",
    "01/02/2024  10:00",
    "31/02/2024 10:00",
    "29/02/2024 23:59",
    "29/02/2023 10:00",
    "01/13/2024 10:00",
    "01/02/2024 24:00",
    "01/02/2024 10:60",
    "01/02/2024",
    "01/02/2024 10:00:00",
    "001/02/2024 10:00",
    "01/02/24 10:00",
    "",
    "abc",
    None,
]
ISO_TEXTS = [
    "2024-01-02",
    "2024-1-2",
    "2024-01-02 10:00",
    "2024-01-02T10:00:00Z",
    "2024-01-02 10:00:00+03",
    "2024-01-02 10:00:00-03:00",
    "2024-01-02 10:00:00+0530",
    "2024-01-02 10:00:00.123456",
    "2024-01-02 10:00:00.1234567",
    "2024-01-02  10:00",
    " 2024-01-02 10:00 ",
    "2024-02-30",
    "2024-01-02 24:00:00",
    "2024-01-02 10",
    "2024-01-02T10:00:00z",
    "2024-01-02 10:00:00 UTC",
    "20240102",
    "02/01/2024",
    "0000-01-01",
    "yesterday",
    None,
]
MAPPINGS = [
    ("timestamp", {"format": "%d/%m/%Y %H:%M"}, None, TIMESTAMP_TEXTS),
    ("timestamp", {"format": "%d/%m/%Y %H:%M"}, "America/Sao_Paulo", TIMESTAMP_TEXTS),
    ("timestamp", {"format": "%d/%m/%y %H:%M"}, None, TIMESTAMP_TEXTS),
    ("timestamp", {"format": "%Y-%m-%d %H:%M:%S%z"}, None, ISO_TEXTS),
    (
        "timestamp",
        {"format": "%Y-%m-%dT%H:%M:%S.%f"},
        None,
        [
            "2024-01-02T10:00:00.5",
            "2024-01-02T10:00:00.123456",
            "2024-01-02T10:00:00.1234567",
            "2024-01-02T10:00:00",
            None,
        ],
    ),
    (
        "timestamp",
        {"format": "%d %b %Y %I:%M %p"},
        "Europe/Lisbon",
        [
            "01 Feb 2024 10:00 PM",
            "01 feb 2024 12:00 AM",
            "01 Feb 2024 13:00 PM",
            "01 February 2024 10:00 PM",
            "31 Mar 2024 01:30 AM",
            None,
        ],
    ),
    ("timestamp", {}, None, ISO_TEXTS),
    ("timestamp", {}, "America/Sao_Paulo", ISO_TEXTS),
    (
        "timestamp",
        {"format": "epoch_s"},
        None,
        [
            "0",
            "1700000000",
            "1700000000.5",
            "-86400",
            "1e9",
            "1e20",
            "abc",
            "",
            None,
        ],
    ),
    ("timestamp", {"format": "epoch_ms"}, None, ["1700000000123", "12", "x", None]),
    ("date", {"format": "%d/%m/%Y"}, None, [*TIMESTAMP_TEXTS, "29/02/2024", "30/04/2024"]),
    ("date", {}, None, ISO_TEXTS),
    (
        "integer",
        {},
        None,
        [
            "1",
            " 12 ",
            "+12",
            "-0",
            "012",
            "2.5",
            "1e3",
            "1_000",
            "0x10",
            "abc",
            "",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            None,
        ],
    ),
    (
        "number",
        {},
        None,
        [
            "1.5",
            " 1.5 ",
            "1.",
            ".5",
            "-3",
            "1e5",
            "1E-5",
            "1e400",
            "inf",
            "nan",
            "NaN",
            "1_000",
            "1,5",
            "0x10",
            "abc",
            "",
            "1e999",
            None,
        ],
    ),
    ("number", {"decimal_separator": ","}, None, ["1.234,5", "1,5", "1.5", "abc", None]),
    ("boolean", {}, None, ["yes", "Sim", " TRUE ", "0", "n", "maybe", "", None]),
    ("boolean", {"true_values": ["ok"], "false_values": ["ko"]}, None, ["OK", "ko", "yes", None]),
]


def _cases() -> list[Any]:
    out = []
    for kind, mapping, zone, texts in MAPPINGS:
        label = f"{kind}-{mapping.get('format', '') or 'plain'}-{zone or 'UTC'}"
        out.append(pytest.param(kind, mapping, zone, texts, id=label))
    return out


def _plain(value: Any) -> Any:
    """Values compared across engines: instants as UTC text, dates as ISO, numbers as float."""
    if isinstance(value, datetime) or (
        isinstance(value, str) and value[:4].isdigit() and "-" in value
    ):
        instant = as_instant(value)
        return instant.strftime("%Y-%m-%d %H:%M:%S.%f") if instant else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _statement(kind: str, mapping: dict[str, Any], zone: str | None, text: str | None) -> Any:
    spec = FieldSpec(type=LogicalType(kind))
    mf = map_field("v", spec, FieldMapping(column="v", **mapping), "v", "VARCHAR", zone, None)
    source = select(literal(text, String()).label("v")).subquery("src")
    return select(mf.value.label("value")).select_from(source)


def _on_duckdb(stmts: list[Any]) -> list[Any]:
    from duckdb_engine import Dialect

    dialect = Dialect(paramstyle="qmark")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    out = []
    for stmt in stmts:
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        params = [compiled.params[k] for k in (compiled.positiontup or [])]
        out.append(_plain(con.execute(str(compiled), params).fetchone()[0]))
    return out


def _on(url: str, stmts: list[Any]) -> list[Any]:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda c, _r: register(c))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TIME ZONE 'UTC'")
            return [_plain(conn.execute(s).scalar()) for s in stmts]
    finally:
        engine.dispose()


@pytest.mark.parametrize(("kind", "mapping", "zone", "texts"), _cases())
def test_mapping_means_the_same_on_every_engine(
    kind: str, mapping: dict[str, Any], zone: str | None, texts: list[str | None], postgres_url: str
) -> None:
    stmts = [_statement(kind, mapping, zone, t) for t in texts]
    expected = _on_duckdb(stmts)
    for url in ("sqlite://", postgres_url):
        got = _on(url, stmts)
        diff = [(t, e, g) for t, e, g in zip(texts, expected, got, strict=True) if e != g]
        assert not diff, (url.split(":")[0], diff)


def test_the_grammar_is_the_reference_for_sqlite() -> None:
    from omnicontract.validators.timeparse import ISO, compile_format, parse

    assert parse("29/02/2024 23:59", compile_format("%d/%m/%Y %H:%M")) == datetime(
        2024, 2, 29, 23, 59
    )
    assert parse("31/02/2024 10:00", compile_format("%d/%m/%Y %H:%M")) is None
    assert parse("2024-01-02 10:00:00+03", ISO) == datetime(2024, 1, 2, 7, 0, tzinfo=UTC)
    assert parse("2024-01-02 10:00:00+03", ISO, apply_offset=False) == datetime(2024, 1, 2, 10, 0)


BLANK_TEXTS = ["", " ", "   ", "\u00a0", "\u3000", "\u2003 ", "\t", "\n", " \t ", "\x7f",
               "\x01", " a", "a ", "a", "~", "!", "é", " é", "I0000000001", None]  # fmt: skip


def test_blank_is_what_trim_leaves_empty() -> None:
    """``blank`` skips the ``trim`` for texts starting with printable ASCII on DuckDB:
    the same verdict as ``trim(x) = ''`` there, for every kind of space; the other
    engines run the ``trim`` itself."""
    from sqlalchemy import func
    from sqlalchemy.dialects import postgresql

    from omnicontract.validators.sqlfuncs import blank

    def text(t: str | None) -> Any:
        return literal(t, String())

    expected = _on_duckdb([select(func.trim(text(t)) == "") for t in BLANK_TEXTS])
    assert _on_duckdb([select(blank(text(t))) for t in BLANK_TEXTS]) == expected
    assert expected[:6] == [True] * 6 and not any(expected[6:-1]) and expected[-1] is None
    assert "ascii" not in str(select(blank(text("a"))).compile(dialect=postgresql.dialect()))


def test_number_casts_of_other_columns_or_types_compile_apart() -> None:
    """A cached compilation (a database feed's statements) is reused only for the same
    cast: the column and the type are both part of the cache key."""
    from sqlalchemy import column, select

    from omnicontract.validators.sqlfuncs import try_cast

    def key(name: str, kind: str) -> object:
        return select(try_cast(column(name), kind))._generate_cache_key()

    assert key("a", "BIGINT") == key("a", "BIGINT")
    assert key("a", "BIGINT") != key("b", "BIGINT")
    assert key("a", "BIGINT") != key("a", "DOUBLE")
