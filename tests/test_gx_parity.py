"""Great Expectations: the exported suite is a valid GX 1.x suite, and GX's verdicts on
the same canonical rows match omnicontract's own per-feed findings (count, total,
samples, message) for every check both can express (see docs/interop.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_contract
from omnicontract.interop import export
from omnicontract.validators.registry import registry
from tests.conftest import FIXED_NOW, ROOT, write_project

if not os.environ.get("CI"):  # in CI the gx tests must run, never skip
    pytest.importorskip(
        "great_expectations", reason="Great Expectations is not installed: pip install -e '.[gx]'"
    )

GX_CODES = {
    "OC-FLD-001",
    "OC-FLD-003",
    "OC-FLD-004",
    "OC-FLD-005",
    "OC-FLD-006",
    "OC-FLD-007",
    "OC-FLD-008",
    "OC-FLD-009",
    "OC-FLD-010",
    "OC-FLD-011",
    "OC-FLD-012",
    "OC-FLD-015",
    "OC-FLD-016",
}


def _findings(result: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (f.code, f.channel, f.feed, f.field): (
            f.count,
            f.total,
            f.message,
            [(s.value, s.count) for s in f.samples],
        )
        for f in result.findings
    }


def _parity(root: Path) -> set[str]:
    ours = omnicontract.validate(root, now=FIXED_NOW, cross_channel=False)
    theirs = omnicontract.validate(root, now=FIXED_NOW, cross_channel=False, engine="gx")
    assert theirs.engine == "duckdb+gx"
    a, b = _findings(ours), _findings(theirs)
    diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
    assert not diff, diff
    return {k[0] for k in a} & GX_CODES


@pytest.mark.parametrize("name", ["customer.yaml", "interaction.yaml"])
def test_export_is_a_gx_suite(name: str) -> None:
    gx = pytest.importorskip("great_expectations")
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    model = load_contract(ROOT / "contracts" / name).model
    doc = json.loads(export("gx", model))
    suite = gx.ExpectationSuite(name=doc["name"])
    for exp in doc["expectations"]:
        suite.add_expectation_configuration(ExpectationConfiguration(**exp))
    assert len(suite.expectations) == len(doc["expectations"]) > 5
    codes = {c.code for c in registry().all()}
    assert {e["meta"]["omnicontract_code"] for e in doc["expectations"]} <= codes
    not_expressed = doc["meta"]["omnicontract"]["not_expressed"]
    assert all(n["code"] in codes for n in not_expressed)


def test_export_mirrors_the_rules() -> None:
    model = load_contract(ROOT / "contracts" / "interaction.yaml").model
    doc = json.loads(export("gx", model))
    by = {(e["type"], e["kwargs"]["column"]): e for e in doc["expectations"]}
    assert by[("expect_column_values_to_be_unique", "interaction_id")]["meta"] == {
        "omnicontract_code": "OC-FLD-004",
        "field": "interaction_id",
    }
    assert ("expect_column_values_to_not_be_null", "channel") in by
    assert by[("expect_column_values_to_be_in_set", "direction")]["kwargs"]["value_set"] == [
        "inbound",
        "outbound",
    ]
    rng = by[("expect_column_values_to_be_between", "duration_seconds")]["kwargs"]
    assert (rng["min_value"], rng["max_value"]) == (0, 86400)
    assert by[("expect_column_values_to_match_regex", "phone")]["kwargs"]["regex"].startswith("^")
    assert ("expect_column_value_lengths_to_be_between", "case_id") in by


def test_parity_on_the_retail_example() -> None:
    covered = _parity(ROOT / "examples" / "retail")
    assert len(covered) >= 4, covered  # the example plants field defects GX must see too


def test_parity_on_planted_defects(tmp_path: Path) -> None:
    contract = {
        "entity": "thing",
        "primary_key": "id",
        "fields": {
            "id": {"type": "string", "required": True},
            "code": {"type": "string", "unique": True, "pattern": "[A-Z]{3}", "max_length": 3},
            "kind": {"type": "string", "required": True, "enum": ["a", "b"]},
            "n": {"type": "integer", "minimum": 0, "maximum": 10},
            "email": {"type": "string", "format": "email", "pii": True},
            "country": {"type": "string", "format": "iso_country"},
            "ref": {"type": "string", "format": "uuid"},
        },
    }
    rows = (
        "id,code,kind,n,email,country,ref\n"
        "1,ABC,a,1,a@b.co,BR,123e4567-e89b-12d3-a456-426614174000\n"
        "1,ABC, ,11,bad,XX,nope\n"
        ",abcd,c,-1,x@y.z,br,\n"
        "3,DEF,,5,,AR,123e4567-e89b-12d3-a456-42661417400\n"
        " ,DEF,b,,A@B.COM,,\n"
    )
    root = write_project(
        tmp_path / "p",
        contracts=[contract],
        feeds=[{"entity": "thing", "fields": {k: k for k in contract["fields"]}, "rows": rows}],
        project={"identity": {"master": "thing", "id_field": "id", "keys": ["id"]}},
    )
    covered = _parity(root)
    assert covered >= {"OC-FLD-001", "OC-FLD-003", "OC-FLD-004", "OC-FLD-005", "OC-FLD-006"}
    assert covered >= {"OC-FLD-007", "OC-FLD-008", "OC-FLD-009", "OC-FLD-011", "OC-FLD-016"}


def test_cli_engine_gx(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            str(ROOT / "examples" / "retail"),
            "--engine",
            "gx",
            "--per-feed",
            "--no-history",
            "--format",
            "json",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads(out.read_text())["engine"] == "duckdb+gx"
