"""The run store: on SQLite and on a real PostgreSQL server (``store_url``)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from omnicontract.contracts.model import Severity
from omnicontract.history import HistoryError, store_for
from omnicontract.history.schema import CURRENT_VERSION
from omnicontract.history.store import HistoryStore
from omnicontract.validators.result import ChannelSummary, FeedSummary, Finding, RunResult

TREND_KEYS = {"run_id", "started_at", "readiness", "channels", "findings"}


def make_result(
    project: str = "shop", *, day: int = 1, crm_rows: int = 100, orphans: int = 0
) -> RunResult:
    findings = []
    if orphans:
        findings.append(
            Finding(
                code="OC-IDN-001",
                check="orphan",
                severity=Severity.error,
                message=f"{orphans} rows match no customer",
                channel="web",
                feed="events",
                count=orphans,
                total=50,
            )
        )
    findings.append(
        Finding(
            code="OC-FLD-001",
            check="required",
            severity=Severity.warning,
            message="missing",
            channel="crm",
            feed="customers",
            field="email",
            count=1,
            total=crm_rows,
        )
    )
    return RunResult(
        project=project,
        root="/nowhere",
        started_at=f"2026-05-{day:02d}T10:00:00+00:00",
        finished_at=f"2026-05-{day:02d}T10:00:01+00:00",
        seconds=1.0,
        contracts={"customer": "1.0.0"},
        channels=[
            ChannelSummary(
                "crm", "crm-team", [FeedSummary("crm", "customers", "customer", "x", rows=crm_rows)]
            ),
            ChannelSummary(
                "web", None, [FeedSummary("web", "events", "interaction", "y", rows=50)]
            ),
        ],
        findings=findings,
        checks_run=7,
        entities={"customer": ["customer_id", "email"]},
    )


def open_store(url: str, keep: int | None = None) -> HistoryStore:
    return HistoryStore(url, keep=keep).open()


def test_record_load_and_trend(store_url: str) -> None:
    with open_store(store_url) as store:
        ids = [
            store.record(make_result(day=d, orphans=10 - 5 * i)) for i, d in enumerate((1, 2, 3))
        ]
        assert len(set(ids)) == 3
        store.record(make_result("other", day=9))
        runs = store.list_runs("shop")
        assert [r["run_id"] for r in runs] == ids[::-1]
        assert runs[0]["passed"] and not runs[2]["passed"]
        assert runs[0]["contracts"] == {"customer": "1.0.0"}

        trend = store.trend("shop", before=ids[2])
        assert [t["run_id"] for t in trend] == ids[:2]  # oldest first, the run itself excluded
        assert all(set(t) == TREND_KEYS for t in trend)
        assert trend[0]["channels"] == {"crm": 100.0, "web": 80.0}
        assert trend[0]["findings"] == {"error": 1, "warning": 1, "info": 0}
        assert trend[1]["readiness"] > trend[0]["readiness"]

        latest = store.load("latest", project="shop")
        assert latest.run_id == ids[2]
        assert [t["run_id"] for t in latest.trend] == ids[:2]
        original = make_result(day=3, orphans=0)
        assert latest.unified_view() == original.unified_view()
        assert [f.sort_key() for f in latest.findings] == [f.sort_key() for f in original.findings]
        assert store.load(ids[0]).findings[0].count == 10
        with pytest.raises(LookupError):
            store.load("999999", project="shop")
        with pytest.raises(LookupError):
            store.load(ids[0], project="other")


def test_feed_history_and_retention(store_url: str) -> None:
    with open_store(store_url, keep=3) as store:
        for day, rows in enumerate((100, 110, 90, 120, 80), start=1):
            store.record(make_result(day=day, crm_rows=rows))
        assert [h["rows"] for h in store.feed_history("shop", "crm", "customers")] == [90, 120, 80]
        assert len(store.list_runs("shop")) == 3
        assert store.feed_history("shop", "crm", "nope") == []


def _v1_store(url: str) -> None:
    """A store as version 1 wrote it: DDL and rows written by hand, not by today's code."""
    engine = create_engine(url)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    doc = make_result(day=1, orphans=5).to_dict()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1)"))
        conn.execute(
            text(
                f"CREATE TABLE runs (id {serial} PRIMARY KEY, project VARCHAR(200) NOT NULL,"
                " started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40), seconds FLOAT,"
                " engine VARCHAR(40), fail_on VARCHAR(10), passed BOOLEAN, readiness FLOAT,"
                " errors INTEGER, warnings INTEGER, infos INTEGER, document TEXT NOT NULL)"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE check_figures (run_id INTEGER NOT NULL REFERENCES runs (id),"
                " code VARCHAR(20) NOT NULL, channel VARCHAR(100), feed VARCHAR(100),"
                " field VARCHAR(100), severity VARCHAR(10) NOT NULL, count INTEGER, total INTEGER)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO runs (project, started_at, finished_at, seconds, engine, fail_on,"
                " passed, readiness, errors, warnings, infos, document) VALUES ('shop',"
                " '2026-04-01T10:00:00+00:00', '2026-04-01T10:00:01+00:00', 1.0, 'duckdb',"
                " 'error', false, :readiness, 1, 1, 0, :doc)"
            ),
            {"readiness": doc["unified_view"]["readiness"], "doc": json.dumps(doc)},
        )
    engine.dispose()


def test_a_version_1_store_is_migrated_and_its_runs_stay_readable(store_url: str) -> None:
    _v1_store(store_url)
    with open_store(store_url) as store:
        old = store.load("latest", project="shop")
        assert old.findings[0].code == "OC-IDN-001" and old.run_id == "1"
        assert store.feed_history("shop", "crm", "customers")[0]["rows"] == 100  # back-filled
        new_id = store.record(make_result(day=2))
        (before,) = store.trend("shop", before=new_id)
        assert before["channels"] == {"crm": 100.0, "web": 90.0}
        assert store.list_runs("shop")[1]["contracts"] == {"customer": "1.0.0"}
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version")).scalar() == CURRENT_VERSION
    engine.dispose()


def test_a_newer_store_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = 99"))
    engine.dispose()
    with pytest.raises(HistoryError, match="newer omnicontract"):
        open_store(store_url)


def _record_many(url: str, project: str, n: int) -> list[str]:
    with HistoryStore(url).open() as store:
        return [store.record(make_result(project, day=1 + i % 28)) for i in range(n)]


def test_concurrent_processes_lose_nothing(store_url: str) -> None:
    """Fresh store: the processes also race to create the tables."""
    with ProcessPoolExecutor(4, mp_context=get_context("spawn")) as pool:
        jobs = [pool.submit(_record_many, store_url, "shop", 15) for _ in range(4)]
        ids = [i for job in jobs for i in job.result()]
    assert len(set(ids)) == 60
    with open_store(store_url) as store:
        assert len(store.list_runs("shop", limit=1000)) == 60


def test_concurrent_threads_lose_nothing(store_url: str) -> None:
    open_store(store_url).close()
    ids: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            ids.extend(_record_many(store_url, "shop", 10))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with open_store(store_url) as store:
        assert len(store.list_runs("shop", limit=1000)) == len(set(ids)) == 60


# ---------------------------------------------------------------- URLs and credentials


def test_default_store_lives_under_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMNICONTRACT_HISTORY_URL")
    with store_for(tmp_path).open() as store:
        store.record(make_result())
    assert (tmp_path / ".omnicontract" / "history.db").exists()
    assert (tmp_path / ".omnicontract" / ".gitignore").read_text().strip().endswith("*")


def test_relative_sqlite_paths_and_env_expansion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMNICONTRACT_HISTORY_URL")
    monkeypatch.setenv("RUNS_FILE", "runs.sqlite")
    store = store_for(tmp_path, configured="sqlite:///qa/runs.sqlite")
    assert store.path == tmp_path / "qa" / "runs.sqlite"
    # only the password comes from the environment: elsewhere a variable could carry a
    # secret to a host or a file the URL names
    for url in ("sqlite:///qa/${RUNS_FILE}", "postgresql://u:p@${RUNS_FILE}/db"):
        with pytest.raises(HistoryError, match="only the password"):
            store_for(tmp_path, configured=url)
    with pytest.raises(HistoryError, match=r"\$\{NOT_SET_ANYWHERE\}, which is not set"):
        store_for(tmp_path, configured="postgresql://u:${NOT_SET_ANYWHERE}@h/db")


def test_passwords_never_appear_in_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OC_SECRET", "hunter2pw")
    store = store_for(tmp_path, url="postgresql://qa:${OC_SECRET}@127.0.0.1:1/qa")
    assert "hunter2pw" not in store.display_url and "***" in store.display_url
    with pytest.raises(HistoryError) as exc:
        store.open()
    assert "hunter2pw" not in str(exc.value) and "cannot open the run history" in str(exc.value)
    with pytest.raises(HistoryError) as exc:
        store_for(tmp_path, url="not a url://qa:hunter2pw@x")
    assert "hunter2pw" not in str(exc.value)


def test_postgres_url_with_password_works_and_stays_masked(postgres_database: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(postgres_database).set(password="s3cr3t-pw", drivername="postgresql")
    store = store_for(Path("."), url=url.render_as_string(hide_password=False))
    assert store.url.startswith("postgresql+psycopg://")  # psycopg 3, not psycopg2
    with store.open():
        store.record(make_result())
    assert "s3cr3t-pw" not in store.display_url
