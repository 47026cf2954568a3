"""Feeds that are tables of DuckDB database files (`source: {path: x.duckdb, table: t}`,
an ODCS server of `type: duckdb`): read read-only, base tables only, typed columns as
they are."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, write_project


def _database(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE orders (order_id VARCHAR, total INTEGER, placed TIMESTAMPTZ)")
    con.execute(
        "INSERT INTO orders VALUES ('o1', 100, '2024-03-01 10:00:00+00'), "
        "('o2', 200, '2024-03-02 11:30:00+00'), ('o2', -7, NULL), (NULL, 50, NULL)"
    )
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.orders (order_id VARCHAR, total INTEGER, placed TIMESTAMPTZ)")
    con.execute("INSERT INTO sales.orders VALUES ('s1', 100, NULL), ('s2', 200, NULL)")
    # a view's SQL would run with the run's rights: it must never be read
    con.execute("CREATE VIEW peek AS SELECT * FROM read_text('secret.txt')")
    con.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ORDER = {
    "entity": "order",
    "primary_key": "order_id",
    "fields": {
        "order_id": {"type": "string", "required": True},
        "total": {"type": "integer", "minimum": 0},
        "placed": {"type": "timestamp"},
    },
}


def _project(tmp_path: Path, table: str) -> Path:
    root = write_project(
        tmp_path / "p",
        contracts=[ORDER],
        feeds=[
            {
                "entity": "order",
                "fields": {"order_id": "order_id", "total": "total", "placed": "placed"},
                "source": {"path": "data/shop.duckdb", "table": table},
            }
        ],
    )
    _database(root / "data" / "shop.duckdb")
    return root


def _counts(root: Path) -> dict[tuple[str, str | None], int]:
    result = omnicontract.validate(root, now=FIXED_NOW)
    return {(f.code, f.field): f.count for f in result.findings if f.severity != "info"}


def test_a_table_of_a_database_file_is_a_feed(tmp_path: Path) -> None:
    root = _project(tmp_path, "orders")
    before = _digest(root / "data" / "shop.duckdb")
    counts = _counts(root)
    # the key twice and once missing (3 rows), the negative total: read from typed columns
    assert counts == {("OC-FLD-004", "order_id"): 3, ("OC-FLD-007", "total"): 1}
    assert _digest(root / "data" / "shop.duckdb") == before  # opened read-only


def test_a_table_in_a_schema_and_names_in_any_case(tmp_path: Path) -> None:
    assert _counts(_project(tmp_path, "SALES.Orders")) == {}


@pytest.mark.parametrize(
    ("table", "why"),
    [("nowhere", "there is no table 'nowhere'"), ("peek", "'peek' is a view")],
)
def test_what_is_not_a_table_is_not_read(tmp_path: Path, table: str, why: str) -> None:
    root = _project(tmp_path, table)
    (root / "secret.txt").write_text("do not read")
    result = omnicontract.validate(root, now=FIXED_NOW)
    (unreadable,) = [f for f in result.findings if f.code == "OC-SRC-002"]
    assert why in unreadable.message and "shop.duckdb" in unreadable.message
    assert "do not read" not in repr([f.samples for f in result.findings])


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ({"path": "data/shop.duckdb"}, "read by table"),
        ({"path": "data/ch0.csv", "table": "orders"}, "needs a connection, a DuckDB database"),
        ({"path": "data/shop.duckdb", "table": "orders; DROP TABLE x"}, "name or schema.name"),
        ({"path": "data/shop.duckdb", "table": "a.b.c"}, "name or schema.name"),
    ],
)
def test_a_database_file_source_is_checked_at_load(
    tmp_path: Path, source: dict[str, Any], why: str
) -> None:
    root = _project(tmp_path, "orders")
    binding = root / "channels" / "ch0.yaml"
    data = yaml.safe_load(binding.read_text())
    data["feeds"][0]["source"] = source
    binding.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", str(root), "--no-history"])
    assert result.exit_code == 2, result.output
    assert why in result.output and "ch0.yaml:" in result.output


def _odcs(tmp_path: Path, server: dict[str, Any], rules: list[dict[str, Any]]) -> Path:
    _database(tmp_path / "shop.duckdb")
    doc = {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": "shop",
        "version": "1.0.0",
        "status": "active",
        "servers": [{"server": "db", "type": "duckdb", **server}],
        "schema": [
            {
                "name": "orders",
                "properties": [
                    {"name": "order_id", "logicalType": "string"},
                    {"name": "total", "logicalType": "integer", "physicalType": "INTEGER"},
                ],
                "quality": rules,
            }
        ],
    }
    path = tmp_path / "shop.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("server", "rule", "exit_code"),
    [
        ({"database": "shop.duckdb"}, {"query": "SELECT count(*) FROM orders", "mustBe": 4}, 0),
        ({"database": "shop.duckdb"}, {"query": "SELECT count(*) FROM orders", "mustBe": 2}, 1),
        (
            {"database": "shop.duckdb", "schema": "sales"},
            {"query": "SELECT count(*) FROM orders WHERE NOT list_contains([100, 200], total)",
             "mustBe": 0},
            0,
        ),
        # a statement that would write is refused unrun, and fails the contract
        ({"database": "shop.duckdb"}, {"query": "DELETE FROM orders", "mustBe": 0}, 1),
    ],
)  # fmt: skip
def test_an_odcs_duckdb_server_reads_its_tables(
    tmp_path: Path, server: dict[str, Any], rule: dict[str, Any], exit_code: int
) -> None:
    path = _odcs(tmp_path, server, [{"type": "sql", **rule}])
    before = _digest(tmp_path / "shop.duckdb")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--no-history"])
    assert result.exit_code == exit_code, result.output
    assert _digest(tmp_path / "shop.duckdb") == before
    rows = json.loads(result.stdout)["summary"]["rows"]
    assert rows == (2 if server.get("schema") else 4)


def test_an_odcs_duckdb_server_without_a_database_is_refused(tmp_path: Path) -> None:
    path = _odcs(tmp_path, {}, [])
    result = CliRunner().invoke(cli, ["validate", str(path), "--no-history"])
    assert result.exit_code == 2
    assert "names no database file" in result.output and "shop.odcs.yaml:" in result.output
