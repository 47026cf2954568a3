"""The check case files of tests/cases/, run on Spark (local) and on DuckDB: the same
findings (code, channel, feed, field, count) on both, except where Spark cannot do what
the case asks, listed in SPARK_DIFFERENCES and asserted as such."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnicontract
from omnicontract.validators import run as run_module
from tests.conftest import FIXED_NOW, write_case
from tests.test_check_cases import _load_cases, row_cases

# case id -> (findings only DuckDB gives, findings only Spark gives); each is a row of the
# differences table in docs/engines.md
SPARK_DIFFERENCES: dict[str, tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]] = {}
# cases whose findings still differ and are not explained yet: they must keep failing
# until fixed (strict), so a fix shows
NOT_YET_EQUAL: set[str] = set()


def findings(result: Any) -> set[tuple[Any, ...]]:
    return {(f.code, f.channel, f.feed, f.field, f.count) for f in result.findings}


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_case_on_spark(
    code: str, case: dict[str, Any], tmp_path: Path, spark: Any, request: Any
) -> None:
    case_id = request.node.callspec.id
    if case_id in NOT_YET_EQUAL:
        request.applymarker(pytest.mark.xfail(strict=True, reason="differs on Spark"))
    _agrees_with_duckdb(case_id, case, tmp_path)


def _agrees_with_duckdb(
    case_id: str, case: dict[str, Any], tmp_path: Path, monkeypatch: Any = None
) -> None:
    """The case's findings on Spark are DuckDB's, but for its listed differences; with
    ``monkeypatch``, Spark counts every feed's row checks from its failing rows."""
    root = write_case(tmp_path / "p", case)
    show = case.get("show_pii", True)
    on_duckdb = findings(omnicontract.validate(root, now=FIXED_NOW, show_pii=show))
    if monkeypatch is not None:
        monkeypatch.setattr(run_module, "SMALL_FEED_ROWS", 1)
    on_spark = findings(omnicontract.validate(root, now=FIXED_NOW, show_pii=show, engine="spark"))
    only_duckdb, only_spark = SPARK_DIFFERENCES.get(case_id, (set(), set()))
    assert (on_duckdb - on_spark, on_spark - on_duckdb) == (only_duckdb, only_spark)


def _first_row_case_per_check() -> list[Any]:
    """The first row case of each check: the failing-rows path is shared by all of them,
    and every case runs through it on DuckDB (tests/test_check_cases.py)."""
    seen: set[str] = set()
    out = []
    for param in row_cases():
        if param.values[0] not in seen:
            seen.add(param.values[0])
            out.append(param)
    return out


@pytest.mark.parametrize(("code", "case"), _first_row_case_per_check())
def test_row_case_on_spark_from_failing_rows(
    code: str, case: dict[str, Any], tmp_path: Path, spark: Any, monkeypatch: Any, request: Any
) -> None:
    """On Spark too, a large feed's row checks are counted and sampled from a table of its
    failing rows: the findings of the fused aggregate DuckDB uses for a small feed."""
    _agrees_with_duckdb(request.node.callspec.id, case, tmp_path, monkeypatch)
