"""Data-driven check cases: one YAML file per check code under tests/cases/.

Each case writes a tiny project (contracts, feeds, rows), validates it, and compares
the findings of the file's code (or of the codes listed under ``only``) with
``expect``: code, channel, field, count, and the samples when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import omnicontract
from omnicontract.validators import run as run_module
from omnicontract.validators.registry import registry
from tests.conftest import FIXED_NOW, ROOT, write_project

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc.get("cases") or []:
            params.append(pytest.param(doc["code"], case, id=f"{path.stem}:{case['name']}"))
    return params


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    _check_case(code, case, tmp_path)


def row_cases() -> list[Any]:
    """The cases that judge a row check (its own file, or listed under ``only``)."""
    row_codes = {c.code for c in registry().of_kind("row")}
    return [p for p in _load_cases() if row_codes & set(p.values[1].get("only", [p.values[0]]))]


@pytest.mark.parametrize(("code", "case"), row_cases())
def test_row_case_from_failing_rows(
    code: str, case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row checks of a large feed are counted and sampled from a table of its
    failing rows (one scan): the same findings as the fused aggregate of a small one."""
    monkeypatch.setattr(run_module, "SMALL_FEED_ROWS", 1)
    _check_case(code, case, tmp_path)


def _check_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        contracts=case.get("contracts"),
        feeds=case["feeds"],
        project=case.get("project"),
    )
    result = omnicontract.validate(root, now=FIXED_NOW, show_pii=case.get("show_pii", True))
    codes = set(case.get("only", [code]))
    actual = {(f.code, f.channel, f.field): f for f in result.findings if f.code in codes}
    expected = {}
    for e in case["expect"]:
        expected[(e.get("code", code), e.get("channel", "ch0"), e.get("field"))] = e
    assert sorted(actual, key=str) == sorted(expected, key=str), [
        (f.code, f.channel, f.field, f.count, f.message) for f in actual.values()
    ]
    for key, e in expected.items():
        finding = actual[key]
        assert finding.count == e["count"], (key, finding.message, finding.samples)
        if "samples" in e:
            assert [s.value for s in finding.samples] == e["samples"]
        if "severity" in e:
            assert finding.severity.value == e["severity"]


def test_every_check_has_cases() -> None:
    covered = set()
    for path in CASES_DIR.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        elsewhere = doc.get("tested_in")
        assert doc.get("cases") or (elsewhere and (ROOT / elsewhere).exists()), path.name
        covered.add(path.stem)
    missing = sorted(c.code for c in registry().all() if c.code not in covered)
    assert not missing, f"checks without a case file in tests/cases: {missing}"
