"""The JSON report matches its published schema, and the schema describes every key."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from omnicontract import api
from omnicontract.reports import json as json_report
from omnicontract.validators.result import RESULT_VERSION, RunResult
from tests.conftest import FIXED_NOW, ROOT, write_project

SCHEMA = json.loads(
    files("omnicontract").joinpath("schemas/report.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CUSTOMERS = {
    "entity": "customer",
    "fields": {"customer_id": "id", "email": "e", "phone": {"column": "p", "phone_region": "BR"}},
    "rows": "id,e,p,extra\nC1,a@b.com,11987654321,x\nC1,bad,,y\nC2,maria@x.com,123,z\n",
}
INTERACTIONS = {
    "entity": "interaction",
    "fields": {"interaction_id": "id", "customer_id": "c", "occurred_at": "t"},
    "constants": {"channel": "web", "kind": "message"},
    "rows": "id,c,t\n1,C1,2026-05-01T10:00:00Z\n2,C9,2026-05-02T10:00:00Z\n3,,not a time\n",
}
MISSING = {**CUSTOMERS, "source": {"path": "data/nowhere.csv"}}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    return _documents(tmp_path_factory.mktemp("projects"))


def _documents(tmp_path: Path) -> list[tuple[str, dict[str, Any]]]:
    docs = [("retail", api.validate(ROOT / "examples" / "retail", now=FIXED_NOW))]
    for name, feeds, kw in [
        ("clean", [{**CUSTOMERS, "rows": "id,e,p,extra\nC1,a@b.com,11987654321,x\n"}], {}),
        ("two-channels", [CUSTOMERS, INTERACTIONS], {}),
        ("per-feed", [CUSTOMERS, INTERACTIONS], {"cross_channel": False}),
        ("missing-source", [MISSING, INTERACTIONS], {}),
    ]:
        root = write_project(tmp_path / name, feeds=feeds)
        docs.append((name, api.validate(root, now=FIXED_NOW, **kw)))
    empty = RunResult(project="empty", root="", started_at="2026-06-01T12:00:00+00:00")
    docs.append(("no-channels", empty))
    return [(n, json.loads(json_report.render(r))) for n, r in docs]


def test_schema_is_valid_and_versioned() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["version"] == {
        **SCHEMA["properties"]["version"],
        "const": RESULT_VERSION,
    }
    assert f"/v{RESULT_VERSION}/" in SCHEMA["$id"]
    assert "Versioning" in SCHEMA["description"]


def test_reports_validate_against_the_schema(documents: list[tuple[str, Any]]) -> None:
    for name, doc in documents:
        errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, f"{name}: {errors[0].json_path}: {errors[0].message}"
    covered = {n for n, d in documents if d["findings"]}
    assert {"retail", "two-channels", "missing-source"} <= covered


def _undescribed(doc: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Keys in ``doc`` that the schema does not name (objects left open included)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    out: list[str] = []
    if isinstance(doc, dict) and "properties" in schema:
        for key, value in doc.items():
            if key not in schema["properties"]:
                out.append(f"{path}.{key}")
            else:
                out += _undescribed(value, schema["properties"][key], f"{path}.{key}")
    elif isinstance(doc, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, value in doc.items():
            out += _undescribed(value, schema["additionalProperties"], f"{path}.{key}")
    elif isinstance(doc, list) and "items" in schema:
        for i, item in enumerate(doc):
            out += _undescribed(item, schema["items"], f"{path}[{i}]")
    return out


def test_every_key_of_to_dict_is_described(documents: list[tuple[str, Any]]) -> None:
    for name, doc in documents:
        assert _undescribed(doc, SCHEMA) == [], (
            f"{name}: describe new keys in src/omnicontract/schemas/report.schema.json"
        )


@pytest.mark.parametrize(
    "where", ["top", "summary", "channel", "feed", "finding", "sample", "unified_view"]
)
def test_an_undescribed_key_fails_validation(where: str, documents: list[tuple[str, Any]]) -> None:
    doc = copy.deepcopy(documents[2][1])
    target = {
        "top": doc,
        "summary": doc["summary"],
        "channel": doc["channels"][0],
        "feed": doc["channels"][0]["feeds"][0],
        "finding": doc["findings"][0],
        "sample": next(s for f in doc["findings"] for s in f["samples"]),
        "unified_view": doc["unified_view"]["channels"][0],
    }[where]
    target["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(doc)
    assert any(p.endswith(".surprise") for p in _undescribed(doc, SCHEMA))
