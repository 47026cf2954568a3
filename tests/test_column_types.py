"""OC-SRC-011: a source that carries types (Parquet, a DuckDB table) holds a column of
another type than the binding's ``column_type``; an ODCS contract validated on Parquet
declares every property's type, as ODCS tools judge it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, odcs_document, write_project

ROWS = """SELECT * FROM (VALUES
    (1, 'a', 1.5::DECIMAL(5, 2), [1, 2], {'Name': 'x', 'active': true}, DATE '2026-01-02'),
    (2, 'b', 2.0::DECIMAL(5, 2), [3], {'Name': 'y', 'active': false}, DATE '2026-01-03')
) t(id, code, amount, tags, meta, day)"""

CONTRACT = {
    "entity": "thing",
    "fields": {
        name: {"type": "string", "description": name}
        for name in ("id", "code", "amount", "tags", "meta", "day")
    },
}


def _parquet(path: Path) -> None:
    con = duckdb.connect()
    con.sql(ROWS).write_parquet(str(path))
    con.close()


def _run(
    tmp_path: Path, types: dict[str, Any], fmt: str = "parquet", engine: str = "duckdb"
) -> dict[str, Any]:
    fields = {n: {"column": n, "column_type": t} for n, t in types.items()}
    fields |= {n: n for n in CONTRACT["fields"] if n not in fields}
    root = write_project(
        tmp_path / "p",
        contracts=[CONTRACT],
        feeds=[{"entity": "thing", "fields": fields, "source": {"path": f"data/t.{fmt}"}}],
    )
    if fmt == "parquet":
        _parquet(root / "data" / "t.parquet")
    else:
        con = duckdb.connect()
        frame = con.execute(ROWS).fetchall()
        con.close()
        (root / "data" / "t.csv").write_text(
            "id,code,amount,tags,meta,day\n"
            + "".join(f"{r[0]},{r[1]},{r[2]},x,y,z\n" for r in frame)
        )
    result = omnicontract.validate(root, now=FIXED_NOW, engine=engine)
    return {f.field: f for f in result.findings if f.code in ("OC-SRC-011", "OC-SRC-010")}


def test_columns_of_their_declared_types_pass(tmp_path: Path) -> None:
    types = {
        "id": "integer",
        "code": "string",
        "amount": "number",  # a decimal
        "tags": {"array": "number"},  # integers are numbers, as ODCS tools read them
        "meta": {"object": {"name": "string", "active": "boolean"}},  # case forgiven
        "day": "date",
    }
    assert _run(tmp_path, types) == {}


MISTYPED = {
    "id": "string",
    "amount": "integer",  # numbers: accepted both ways
    "tags": {"array": "string"},
    "meta": {"object": {"name": "integer", "active": "boolean", "owner": "any"}},
    "day": "timestamp",
    "code": "any",
}


def _assert_mistyped(found: dict[str, Any]) -> None:
    assert sorted(found) == ["day", "id", "meta", "tags"]
    assert all(f.code == "OC-SRC-011" and f.severity.value == "error" for f in found.values())
    assert "id is integer, the contract says string" in found["id"].message
    assert "tags[] is integer, the contract says string" in found["tags"].message
    meta = [s.value for s in found["meta"].samples]
    assert meta == [
        "meta.name is string, the contract says integer",
        "meta.owner is not in the column",
    ]
    assert "day is date, the contract says timestamp" in found["day"].message
    assert "channels/ch0.yaml" in found["id"].location  # placed at the field's mapping


def test_each_column_of_another_type_is_one_finding_naming_the_place(tmp_path: Path) -> None:
    _assert_mistyped(_run(tmp_path, MISTYPED))


def test_spark_judges_parquet_as_duckdb_does(tmp_path: Path, spark: Any) -> None:
    _assert_mistyped(_run(tmp_path, MISTYPED, engine="spark"))
    assert _run(tmp_path / "csv", MISTYPED, fmt="csv", engine="spark") == {}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_table_is_judged_by_its_column_types(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy import (
        Column,
        Date,
        Integer,
        MetaData,
        Numeric,
        Table,
        Text,
        create_engine,
        insert,
    )

    url = (
        request.getfixturevalue("postgres_database")
        if database == "postgresql"
        else f"sqlite:///{tmp_path / 'p' / 'db.sqlite'}"
    )
    table = Table(
        "things",
        MetaData(),
        Column("id", Integer),
        Column("code", Text),
        Column("amount", Numeric(5, 2)),
        Column("day", Date),
    )
    (tmp_path / "p").mkdir()
    engine = create_engine(url)
    with engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.execute(insert(table), [{"id": 1, "code": "a", "amount": 1.5, "day": None}])
    engine.dispose()
    declared = {"id": "string", "code": "string", "amount": "integer", "day": "timestamp"}
    fields = {n: {"column": n, "column_type": t} for n, t in declared.items()}
    root = write_project(
        tmp_path / "p",
        contracts=[{"entity": "thing", "fields": {n: {"type": "string"} for n in declared}}],
        feeds=[{"entity": "thing", "fields": fields}],
        project={"connections": {"db": url}},
    )
    channel = root / "channels" / "ch0.yaml"
    binding = yaml.safe_load(channel.read_text())
    binding["feeds"][0]["source"] = {"connection": "db", "table": "things"}
    channel.write_text(yaml.safe_dump(binding, sort_keys=False))
    result = omnicontract.validate(root, now=FIXED_NOW)
    found = {f.field: f.message for f in result.findings if f.code == "OC-SRC-011"}
    assert sorted(found) == ["day", "id"], found
    assert "id is integer, the contract says string" in found["id"]
    assert "day is date, the contract says timestamp" in found["day"]


def test_text_sources_are_not_judged(tmp_path: Path) -> None:
    assert _run(tmp_path, {"id": "string", "tags": {"array": "integer"}}, fmt="csv") == {}


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("int", "unknown type 'int'"),
        ({"array": "text"}, "unknown type 'text'"),
        ({"object": {}}, "names its fields"),
        ({"list": "string"}, "unknown type 'list'"),
    ],
)
def test_a_bad_column_type_is_refused_at_its_place(
    tmp_path: Path, declared: Any, message: str
) -> None:
    root = write_project(
        tmp_path / "p",
        contracts=[CONTRACT],
        feeds=[
            {
                "entity": "thing",
                "fields": {"id": {"column": "id", "column_type": declared}},
                "rows": "id\n1\n",
            }
        ],
    )
    result = CliRunner().invoke(cli, ["validate", str(root), "--no-history"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "ch0.yaml:" in result.output


def _odcs(tmp_path: Path, props: list[dict[str, Any]]) -> Path:
    _parquet(tmp_path / "t.parquet")
    server = {"server": "local", "type": "local", "format": "parquet", "path": "t.parquet"}
    doc = odcs_document("types", [server], [{"name": "t", "properties": props}], api="v3.1.0")
    path = tmp_path / "t.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _validate(path: Path) -> tuple[int, dict[str, tuple[str, str]], set[str]]:
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-history", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    found = {
        f["field"]: (f["severity"], f["message"].split(": ", 1)[1])
        for f in findings
        if f["code"] == "OC-SRC-011"
    }
    errors = {f"{f['code']} {f['field']}" for f in findings if f["severity"] == "error"}
    return result.exit_code, found, errors


def test_an_odcs_contract_on_parquet_is_judged_by_its_types(tmp_path: Path) -> None:
    """As ODCS tools judge Parquet: the logicalType of each property, the items of an
    array and the members of an object (a member's physicalType when it has no logical
    one); integer and number accept each other. A column of another type warns; the run
    fails where its values do not read as the property's type, as ODCS tools cast a file
    into the contract's types."""
    props = [
        {"name": "id", "logicalType": "number"},
        {"name": "code", "logicalType": "integer", "physicalType": "VARCHAR"},
        {"name": "amount", "logicalType": "number"},
        {"name": "tags", "logicalType": "array", "items": {"physicalType": "VARCHAR"}},
        {
            "name": "meta",
            "logicalType": "object",
            "properties": [
                {"name": "name", "logicalType": "string"},
                {"name": "active", "logicalType": "integer"},
            ],
        },
        {"name": "day", "physicalType": "TIMESTAMP"},  # no logicalType: not judged
    ]
    code, found, errors = _validate(_odcs(tmp_path, props))
    assert found == {
        "code": ("warning", "code is string, the contract says integer"),
        "tags": ("warning", "tags[] is integer, the contract says string"),
        "meta": ("warning", "meta.active is boolean, the contract says integer"),
    }
    assert (code, errors) == (1, {"OC-FLD-002 code"})  # 'a' and 'b' are no integers


def test_an_odcs_contract_that_matches_its_parquet_passes(tmp_path: Path) -> None:
    props = [
        {"name": "id", "logicalType": "integer"},
        {"name": "code", "logicalType": "string"},
        {"name": "amount", "logicalType": "number"},
        {"name": "tags", "logicalType": "array", "items": {"logicalType": "integer"}},
        {"name": "meta", "logicalType": "object"},
        {"name": "day", "logicalType": "date"},
    ]
    code, found, _errors = _validate(_odcs(tmp_path, props))
    assert (code, found) == (0, {})
