"""`blank_is_missing: false`: only a null is missing for `required` and the primary key.
Every export keeps that meaning, so the tools it feeds accept blank text where
omnicontract does, and refuse it where omnicontract does."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest
from jsonschema import Draft202012Validator

from omnicontract.contracts.model import EntityContract
from omnicontract.interop import export
from omnicontract.interop.gx import suite_dict
from omnicontract.interop.pandera import schema


def contract(blank_is_missing: bool) -> EntityContract:
    return EntityContract.model_validate(
        {
            "entity": "thing",
            "version": "1.0.0",
            "primary_key": "id",
            "fields": {
                "id": {"type": "string", "blank_is_missing": blank_is_missing},
                "name": {"type": "string", "required": True, "blank_is_missing": blank_is_missing},
            },
        }
    )


ROWS = [{"id": "a", "name": "x"}, {"id": " ", "name": ""}, {"id": "c", "name": "  "}]


@pytest.mark.parametrize("blank_is_missing", [True, False])
def test_json_schema(blank_is_missing: bool) -> None:
    v = Draft202012Validator(json.loads(export("jsonschema", contract(blank_is_missing), {})))
    refused = [r for r in ROWS if not v.is_valid(r)]
    assert refused == (ROWS[1:] if blank_is_missing else [])
    assert not v.is_valid({"id": "d", "name": None})  # a null is missing either way


@pytest.mark.parametrize("blank_is_missing", [True, False])
def test_pandera(blank_is_missing: bool) -> None:
    import pandera.errors

    s = schema(contract(blank_is_missing), backend="polars")
    frame = pl.DataFrame(ROWS)
    if blank_is_missing:
        with pytest.raises(pandera.errors.SchemaError):
            s.validate(frame)
    else:
        assert s.validate(frame).height == len(ROWS)


@pytest.mark.parametrize("blank_is_missing", [True, False])
def test_ddl_on_duckdb(blank_is_missing: bool) -> None:
    con = duckdb.connect()
    for stmt in export("ddl", contract(blank_is_missing), {"dialect": "duckdb"}).split(";\n"):
        if stmt.strip():
            con.execute(stmt)
    con.execute("INSERT INTO thing VALUES ('a', 'x')")
    accepted = 0
    for row in ROWS[1:]:
        try:
            con.execute("INSERT INTO thing VALUES (?, ?)", [row["id"], row["name"]])
            accepted += 1
        except duckdb.ConstraintException:
            pass
    assert accepted == (0 if blank_is_missing else 2)


@pytest.mark.parametrize("blank_is_missing", [True, False])
def test_great_expectations_suite(blank_is_missing: bool) -> None:
    suite = suite_dict(contract(blank_is_missing))
    blank_tests = [
        e for e in suite["expectations"] if e["type"].endswith("values_to_not_match_regex")
    ]
    assert {e["kwargs"]["column"] for e in blank_tests} == (
        {"id", "name"} if blank_is_missing else set()
    )
