"""The engine interface: engines are found through the registry, settings are parsed before
they reach an engine, and what a flag holds never runs as SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnicontract
from omnicontract.contracts.model import parse_size
from omnicontract.errors import UsageError
from omnicontract.validators import engines
from omnicontract.validators.engines.duckdb import DuckDBEngine

RETAIL = Path(__file__).resolve().parents[1] / "examples" / "retail"


class CountingEngine(DuckDBEngine):
    """An engine registered by name, as a plugin would be: counts the queries it runs."""

    name = "counting"
    queries = 0

    def fetch(self, stmt):  # type: ignore[no-untyped-def]
        CountingEngine.queries += 1
        return super().fetch(stmt)


def _findings(result):  # type: ignore[no-untyped-def]
    return sorted((f.code, f.channel, f.feed, f.field, f.count) for f in result.findings)


def test_a_registered_engine_runs_the_checks(monkeypatch):
    monkeypatch.setitem(engines.ENGINES, "counting", f"{__name__}:CountingEngine")
    CountingEngine.queries = 0
    default = omnicontract.validate(RETAIL)
    other = omnicontract.validate(RETAIL, engine="counting")
    assert other.engine == "counting"
    assert CountingEngine.queries > 0
    assert _findings(other) == _findings(default)


def test_an_unknown_engine_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown engine 'nope'"):
        omnicontract.validate(RETAIL, engine="nope")


@pytest.mark.parametrize(
    ("text", "size"),
    [("2GB", 2 * 10**9), ("512 MiB", 512 * 2**20), ("1.5gb", 15 * 10**8), ("100B", 100)],
)
def test_sizes_parse(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(
    "text", ["", "2", "GB", "-1GB", "0GB", "1GB'; ATTACH 'x.db' AS x; --", "1 GB GB", "1e9B"]
)
def test_a_memory_limit_that_is_not_a_size_never_reaches_the_engine(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="is not a size"):
        omnicontract.validate(RETAIL, memory_limit=text)
    assert list(tmp_path.iterdir()) == []
