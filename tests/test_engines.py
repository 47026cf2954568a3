"""The engine interface: engines are found through the registry, settings are parsed before
they reach an engine, and what a flag holds never runs as SQL."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

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
    [("2GB", 2 * 10**9), ("512 MiB", 512 * 2**20), ("1.5gb", 15 * 10**8)],
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


def test_a_per_feed_run_builds_no_identity_index(monkeypatch) -> None:
    """The identity index serves the cross-channel checks only: a per-feed run never pays
    for it, and finds what the full run finds per feed."""
    from omnicontract.validators import identity
    from omnicontract.validators.registry import registry

    full = omnicontract.validate(RETAIL)
    across = {c.code for c in registry().of_kind("project") if c.cross_channel}  # type: ignore[attr-defined]

    def refuse(self, run):  # type: ignore[no-untyped-def]
        raise AssertionError("identity index built in a per-feed run")

    monkeypatch.setattr(identity.IdentityIndex, "__init__", refuse)
    per_feed = omnicontract.validate(RETAIL, cross_channel=False)
    assert across and _findings(per_feed) == [f for f in _findings(full) if f[0] not in across]


@pytest.mark.parametrize("declared", [True, False])
def test_raw_texts_no_feed_check_reads_go_before_the_feed_checks(monkeypatch, declared) -> None:
    """A large feed's raw texts are read by its row checks; the feed checks that say they
    do not read them (every built-in but one field's of ``invalid-document``) run after
    they are dropped, with less memory held. A check that does not say keeps them all."""
    from omnicontract.validators import run as run_module
    from omnicontract.validators.checks.unique import Unique

    seen: dict[str, list[str]] = {}
    original = Unique.run

    def recording(self, feed):  # type: ignore[no-untyped-def]
        columns = feed.run.engine.con.table(feed.view_name).columns
        seen[feed.name] = [c for c in columns if c.endswith("__raw")]
        return original(self, feed)

    monkeypatch.setattr(Unique, "run", recording)
    monkeypatch.setattr(run_module, "SMALL_FEED_ROWS", 1)
    if not declared:
        monkeypatch.setattr(Unique, "raw_texts", True)
    result = omnicontract.validate(RETAIL, cross_channel=False)
    assert _findings(result) == _findings(omnicontract.validate(RETAIL, cross_channel=False))
    raw = {c for columns in seen.values() for c in columns}
    identity = {"email__raw", "phone__raw", "customer_id__raw"}  # kept for cross-channel
    assert raw - identity if not declared else not raw - identity, seen


class RecordingEngine(DuckDBEngine):
    """Records, before closing, the rows of every table the run kept to its end."""

    name = "recording"
    kept: ClassVar[dict[str, tuple[int, int]]] = {}
    canonical: ClassVar[dict[str, int]] = {}

    def close(self):  # type: ignore[no-untyped-def]
        from sqlalchemy import column, func, select, table

        from omnicontract.validators.engines.duckdb import PACKED

        for db, name in self.con.execute(
            "SELECT database_name, table_name FROM duckdb_tables()"
        ).fetchall():
            schema = PACKED if db == PACKED else None
            t = table(name, column("__rows"), schema=schema)
            if name.startswith("res_"):
                count, rows = self.fetch(select(func.count(), func.sum(t.c["__rows"])))[0]
                RecordingEngine.kept[name] = (int(count), int(rows))
            elif name.startswith("canon_"):
                RecordingEngine.canonical[name] = int(
                    self.fetch(select(func.count()).select_from(t))[0][0]
                )
        super().close()


def test_a_feed_is_resolved_once_per_distinct_key_tuple(monkeypatch) -> None:
    """Resolution costs what the keys cost: a resolved feed's table holds one row per
    distinct tuple of its key values (fewer than its rows, where customers come back), and
    together they stand for every row of the feed."""
    monkeypatch.setitem(engines.ENGINES, "recording", f"{__name__}:RecordingEngine")
    RecordingEngine.kept.clear()
    RecordingEngine.canonical.clear()
    result = omnicontract.validate(RETAIL, engine="recording", memory_limit="1GB")
    assert _findings(result) == _findings(omnicontract.validate(RETAIL))
    assert RecordingEngine.kept
    for name, (tuples, rows) in RecordingEngine.kept.items():
        n = name.removeprefix("res_").removesuffix("_k")
        assert rows == RecordingEngine.canonical[f"canon_{n}"]
        assert tuples <= rows
    assert any(tuples < rows for tuples, rows in RecordingEngine.kept.values())


PAYLOADS = [
    "x'); COPY (SELECT 42) TO 'pwned.csv'; --",
    "x' || (SELECT 1) || '",
    "x\"; ATTACH 'pwned.db' AS p; --",
    "x'); INSTALL httpfs; --",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_consent_channel_name_is_a_value_never_sql(payload, tmp_path, monkeypatch):
    """A key of consent.channels reached SQL as text once; it is a bound value now: the run
    validates, treats the name as a channel like any other, and writes nothing."""
    from tests.conftest import copy_example

    root = copy_example("retail", tmp_path / "retail")
    project_file = root / "omnicontract.yaml"
    text = project_file.read_text(encoding="utf-8")
    old = "channels: {email: consent_email,"
    assert old in text
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    project_file.write_text(
        text.replace(old, f'channels: {{"{quoted}": consent_email, email: consent_email,')
    )
    monkeypatch.chdir(tmp_path)
    before = {p for p in tmp_path.rglob("*")}
    from omnicontract.errors import ContractError

    try:
        result = omnicontract.validate(root)
    except ContractError as exc:  # refused at load, with its place in the file
        assert "omnicontract.yaml" in str(exc.location)
    else:
        assert result.findings  # or the run went through with the name as a plain value
    created = {p for p in tmp_path.rglob("*")} - before
    assert not [p for p in created if "pwned" in p.name]
    assert not (tmp_path / "pwned.csv").exists() and not (root / "pwned.csv").exists()


@pytest.mark.parametrize("process_ends", [False, True])
def test_a_closed_engine_leaves_its_database_only_to_an_ending_process(process_ends) -> None:
    """Closed, the DuckDB engine removes its spill folder; its in-memory database is
    closed, or, when the process ends right after (the command line), left for the
    process's end to discard."""
    import duckdb

    from omnicontract.validators.engines import duckdb as duckdb_engine
    from omnicontract.validators.engines.base import EngineOptions

    engine = DuckDBEngine(EngineOptions(process_ends=process_ends))
    con, spill = engine.con, Path(engine.tmpdir.name)
    con.execute("CREATE TEMP TABLE t AS SELECT 1 AS x")
    engine.close()
    assert not spill.exists()
    left = duckdb_engine.LEFT_TO_PROCESS_END
    if process_ends:
        assert left[-1] is con and con.execute("SELECT x FROM t").fetchall() == [(1,)]
        left.remove(con)
        con.close()
    else:
        assert con not in left
        with pytest.raises(duckdb.ConnectionException):
            con.execute("SELECT 1")
