"""OC-QLT-001: a contract's SQL rules (native `sql_rules:`, ODCS `type: sql`) run over the
feed's rows, and a rule can read nothing but them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, write_project

ORDERS = "id,valor,status\nO1,10,paid\nO2,-5,paid\nO3,7,open\nO3,7,open\n"


def _contract(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "entity": "order",
        "primary_key": "order_id",
        "fields": {
            "order_id": {"type": "string", "required": True},
            "amount": {"type": "number"},
            "status": {"type": "string"},
        },
        "sql_rules": rules,
    }


def _project(tmp_path: Path, rules: list[dict[str, Any]]) -> Path:
    return write_project(
        tmp_path / "p",
        contracts=[_contract(rules)],
        feeds=[
            {
                "entity": "order",
                "fields": {"order_id": "id", "amount": "valor", "status": "status"},
                "rows": ORDERS,
            }
        ],
        project={"policy": {"checks": {"OC-FLD-004": {"enabled": False}}}},
    )


def _rules(root: Path) -> list[Any]:
    result = omnicontract.validate(root, now=FIXED_NOW)
    return [f for f in result.findings if f.code in ("OC-QLT-001", "OC-SRC-010")]


@pytest.mark.parametrize(
    ("rule", "broken"),
    [
        ({"query": "SELECT count(*) FROM order WHERE amount < 0", "must_be": 0}, "1, where"),
        ({"query": "SELECT count(*) FROM order WHERE amount < 0", "must_be": 1}, None),
        ({"query": 'SELECT min(amount) FROM "order"', "must_be_greater_than": 0}, "-5, where"),
        ({"query": "SELECT count(*) FROM order", "must_be_between": [1, 4]}, None),
        ({"query": "SELECT count(*) FROM order", "must_not_be_between": [1, 4]}, "4, where"),
        # the source column name works as well as the canonical field
        ({"query": "SELECT sum(valor) FROM order", "must_be": 19}, None),
        # a CTE and a window: DuckDB's own SQL, over the feed's rows only
        (
            {
                "query": "WITH o AS (SELECT order_id, row_number() OVER (PARTITION BY order_id"
                " ORDER BY amount) AS n FROM order) SELECT count(*) FROM o WHERE n > 1",
                "must_be": 0,
            },
            "1, where",
        ),
        ({"query": "SELECT max(status) FROM order", "must_be": 0}, "not a number"),
        # the table's placeholders, as other tools write them, quoted or not
        ({"query": "SELECT count(*) FROM {model} WHERE amount < 0", "must_be": 0}, "1, where"),
        ({"query": "SELECT count(*) FROM '${table}'", "must_be": 4}, None),
        ({"query": 'SELECT count(*) FROM {schema}."{object}" x', "must_be": 3}, "4, where"),
        # a non-blocking severity is carried to the finding
        (
            {"query": "SELECT count(*) FROM order", "must_be": 3, "severity": "warning"},
            "4, where",
        ),
        ({"query": "SELECT sum(nope) FROM order", "must_be": 0}, "cannot run on this feed"),
    ],
)
def test_a_rule_is_judged_by_its_bound(
    tmp_path: Path, rule: dict[str, Any], broken: str | None
) -> None:
    found = _rules(_project(tmp_path, [{"name": "r", **rule}]))
    if broken is None:
        assert found == []
    else:
        (finding,) = found
        assert finding.code == "OC-QLT-001" and broken in finding.message, finding.message
        assert finding.location and "order.yaml:" in finding.location
        assert finding.severity == rule.get("severity", "error")


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT count(*) FROM read_csv('/etc/passwd')", "not a function or path"),
        ("SELECT count(*) FROM '/etc/passwd'", "not '/etc/passwd'"),
        ("SELECT count(*) FROM order, customers", "not 'customers'"),
        ("SELECT count(*) FROM order; COPY order TO 'x.csv'", "exactly one SELECT"),
        ("COPY (SELECT 1) TO 'x.csv'", "must be a SELECT"),
        ("SELECT getenv('HOME')", "may not call getenv()"),
        ("SELECT current_setting('temp_directory')", "may not call current_setting()"),
        ("SELECT * FROM query('SELECT 1')", "not a function or path"),
        ("SELECT count(*) FROM glob('*')", "not a function or path"),
        ("ATTACH 'x.db'", "must be a SELECT"),
    ],
)
def test_a_rule_that_reads_beyond_its_rows_is_refused_at_load(
    tmp_path: Path, query: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, [{"query": query, "must_be": 0}])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", str(root)])
    assert result.exit_code == 2, result.output
    assert why in result.stderr and "order.yaml:" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # nothing was written


def test_a_runaway_rule_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("omnicontract.contracts.sqlrule.TIME_LIMIT_S", 0.5)
    slow = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 1"
    # range() is a table function: refused; a self-join of the rows is the runaway here
    assert "not a function" in (omnicontract_problem(slow) or "")
    tables = ", ".join(f"order t{i}" for i in range(24))  # 4^24 rows to count
    runaway = f"SELECT count(*) FROM {tables} WHERE t0.amount > t1.amount"
    started = time.monotonic()
    (finding,) = _rules(_project(tmp_path, [{"query": runaway, "must_be": 0}]))
    assert "did not finish" in finding.message
    assert time.monotonic() - started < 30


def omnicontract_problem(query: str) -> str | None:
    from omnicontract.contracts.sqlrule import problem

    return problem(query, "order")


def test_odcs_sql_rules_are_imported_and_run(tmp_path: Path) -> None:
    contract = {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": "orders",
        "version": "1.0.0",
        "status": "active",
        "servers": [{"server": "local", "type": "local", "format": "csv", "path": "o.csv"}],
        "schema": [
            {
                "name": "orders",
                "quality": [
                    {
                        "type": "sql",
                        "description": "amounts are positive",
                        "query": "SELECT MIN(amount) FROM ${model}",
                        "mustBeGreaterThan": 0,
                    },
                ],
                "properties": [
                    {"name": "order_id", "logicalType": "string"},
                    {
                        "name": "amount",
                        "logicalType": "number",
                        "quality": [
                            {
                                "type": "sql",
                                "id": "few_large",
                                "query": "SELECT count(*) FROM orders WHERE amount > 100",
                                "mustBeLessOrEqualTo": 1,
                            }
                        ],
                    },
                ],
            }
        ],
    }
    (tmp_path / "c.odcs.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    (tmp_path / "o.csv").write_text("order_id,amount\n1,500\n2,200\n3,-1\n")
    result = CliRunner().invoke(
        cli, ["validate", str(tmp_path / "c.odcs.yaml"), "--format", "json", "--no-history"]
    )
    assert result.exit_code == 1, result.output
    messages = sorted(
        f["message"] for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-QLT-001"
    )
    assert messages == [
        "rule 'amounts are positive': -1, where the rule wants > 0",
        "rule 'few_large': 2, where the rule wants <= 1",
    ]
    (tmp_path / "o.csv").write_text("order_id,amount\n1,5\n2,200\n")
    clean = CliRunner().invoke(cli, ["validate", str(tmp_path / "c.odcs.yaml"), "--no-history"])
    assert clean.exit_code == 0, clean.output


@pytest.mark.parametrize(
    ("rule", "broken"),
    [
        ({"metric": "nullValues", "mustBeLessThan": 2}, None),  # 1 empty email
        ({"metric": "nullValues", "mustBe": 0}, "required field"),  # zero: the native rule
        ({"metric": "nullValues", "unit": "percent", "mustBeLessThan": 20}, "20, where"),
        (
            {"metric": "missingValues", "arguments": {"missingValues": ["N/A"]}, "mustBe": 0},
            "2, where",
        ),  # the empty one and 'N/A'
        (
            {
                "metric": "invalidValues",
                "arguments": {"validValues": ["a@b.com", "N/A"]},
                "mustBeLessOrEqualTo": 2,
            },
            None,
        ),  # c@d.com twice
        (
            {"metric": "invalidValues", "arguments": {"pattern": "^.+@.+$"}, "mustBe": 0},
            "does not match",
        ),  # zero: the native pattern rule
        (
            {"metric": "invalidValues", "arguments": {"pattern": "^.+@.+$"}, "mustBeLessThan": 1},
            "does not match",
        ),
        ({"metric": "duplicateValues", "mustBeLessOrEqualTo": 1}, None),  # c@d.com: 1 value
        ({"metric": "duplicateValues", "mustBeGreaterThan": 1}, "1, where"),
        ({"metric": "duplicateValues", "mustBe": 0}, "used more than once"),
    ],
)
def test_odcs_library_metrics_with_tolerances(
    tmp_path: Path, rule: dict[str, Any], broken: str | None
) -> None:
    contract = {
        "apiVersion": "v3.1.0",
        "kind": "DataContract",
        "id": "contacts",
        "version": "1.0.0",
        "status": "active",
        "servers": [{"server": "local", "type": "local", "format": "csv", "path": "c.csv"}],
        "schema": [
            {
                "name": "contacts",
                "properties": [
                    {
                        "name": "Email",
                        "logicalType": "string",
                        "quality": [{"type": "library", **rule}],
                    },
                ],
            }
        ],
    }
    (tmp_path / "c.odcs.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    (tmp_path / "c.csv").write_text("Email,n\na@b.com,1\nN/A,2\n,3\nc@d.com,4\nc@d.com,5\n")
    result = CliRunner().invoke(
        cli, ["validate", str(tmp_path / "c.odcs.yaml"), "--format", "json", "--no-history"]
    )
    findings = json.loads(result.stdout)["findings"]
    errors = [f["message"] for f in findings if f["severity"] == "error"]
    assert not [f for f in findings if "quality" in f["message"]]  # honoured, none ignored
    if broken is None:
        assert result.exit_code == 0 and errors == [], errors
    else:
        assert result.exit_code == 1 and any(broken in m for m in errors), errors
