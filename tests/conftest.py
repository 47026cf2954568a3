from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# what a user's own runs leave in a project folder: never part of a test's copy
RUN_STATE = shutil.ignore_patterns(".omnicontract", "out", "__pycache__")


def copy_example(name: str, dest: Path) -> Path:
    """A copy of ``examples/NAME`` without the run state a user's runs left in it (the
    history store, report files), so a test sees the example as the repository has it."""
    return Path(shutil.copytree(ROOT / "examples" / name, dest, ignore=RUN_STATE))


def odcs_document(
    contract_id: str,
    servers: list[dict[str, Any]],
    schema: list[dict[str, Any]],
    api: str = "v3.0.2",
) -> dict[str, Any]:
    """An ODCS data contract with its ``servers`` and ``schema`` objects."""
    return {
        "apiVersion": api,
        "kind": "DataContract",
        "id": contract_id,
        "version": "1.0.0",
        "status": "active",
        "servers": servers,
        "schema": schema,
    }


def write_case(root: Path, case: dict[str, Any]) -> Path:
    """The project of a check case of ``tests/cases/`` (see ``write_project``)."""
    return write_project(
        root, contracts=case.get("contracts"), feeds=case["feeds"], project=case.get("project")
    )


def write_project(
    root: Path,
    *,
    contracts: list[dict[str, Any]] | None = None,
    feeds: list[dict[str, Any]],
    project: dict[str, Any] | None = None,
) -> Path:
    """Write a small project: one channel per feed (``ch0``, ``ch1`` ...), feed ``f``.

    Each feed dict takes ``entity``, ``fields``, optional ``constants``, ``source``
    (extra source options), ``checks`` and ``rows`` (CSV text with a header, or
    ``files``: {name: text}).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    settings: dict[str, Any] = {"project": "case", "channels": ["channels/*.yaml"]}
    if contracts:
        (root / "contracts").mkdir(exist_ok=True)
        for c in contracts:
            body = {"version": "1.0.0", **c}
            (root / "contracts" / f"{c['entity']}.yaml").write_text(
                yaml.safe_dump(body, sort_keys=False)
            )
        settings["contracts"] = ["contracts/*.yaml"]
    else:
        settings["contracts"] = ["builtin:customer", "builtin:interaction"]
    settings.update(project or {})
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    for i, feed in enumerate(feeds):
        name = f"ch{i}"
        source = {"path": f"data/{name}.csv", **feed.get("source", {})}
        if "files" in feed:
            for fname, text in feed["files"].items():
                (root / "data" / fname).parent.mkdir(parents=True, exist_ok=True)
                (root / "data" / fname).write_bytes(
                    text if isinstance(text, bytes) else text.encode()
                )
        else:
            (root / "data" / f"{name}.csv").write_text(feed.get("rows", ""), encoding="utf-8")
        binding = {
            "channel": name,
            "feeds": [
                {
                    "name": "f",
                    "entity": feed["entity"],
                    "source": source,
                    "fields": feed["fields"],
                    **({"constants": feed["constants"]} if "constants" in feed else {}),
                    **({"checks": feed["checks"]} if "checks" in feed else {}),
                    **(
                        {"unexpected_columns": feed["unexpected_columns"]}
                        if "unexpected_columns" in feed
                        else {}
                    ),
                    **{k: feed[k] for k in ("freshness", "volume") if k in feed},
                }
            ],
        }
        (root / "channels" / f"{name}.yaml").write_text(
            yaml.safe_dump(binding, sort_keys=False, allow_unicode=True)
        )
    return root


@pytest.fixture
def project_factory(tmp_path: Path):
    counter = {"n": 0}

    def make(**kwargs: Any) -> Path:
        counter["n"] += 1
        return write_project(tmp_path / f"p{counter['n']}", **kwargs)

    return make


# ---------------------------------------------------------------- PostgreSQL server


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory):
    """Admin URL of a PostgreSQL server: ``OMNICONTRACT_TEST_PG_URL``, or a throwaway
    cluster of this test process (each xdist worker has its own). Skips when PostgreSQL
    is not installed, unless ``OMNICONTRACT_REQUIRE_PG=1`` (CI), where it fails."""
    import glob
    import os
    import shutil
    import subprocess
    import tempfile

    if os.environ.get("OMNICONTRACT_TEST_PG_URL"):
        yield os.environ["OMNICONTRACT_TEST_PG_URL"]
        return
    missing = pytest.fail if os.environ.get("OMNICONTRACT_REQUIRE_PG") == "1" else pytest.skip
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed: pip install -e '.[test]'")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if not initdb:
        missing("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    bindir = Path(initdb).parent
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="oc-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(base / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        missing(f"cannot start PostgreSQL: {exc.stderr.decode(errors='replace')[-500:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def scratch_database(admin_url: str, prefix: str = "oc") -> Iterator[str]:
    """URL of a new, empty database on the server of ``admin_url``, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def postgres_database(postgres_url: str):
    """URL of a fresh, empty database on the test server, dropped afterwards."""
    with scratch_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_shared_database(postgres_url: str):
    """One database for this test process; tests that share it keep to their own schema."""
    with scratch_database(postgres_url, "oc_shared") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every run-store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture(autouse=True)
def _history_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``validate`` records every run: keep the tests' runs out of the repository."""
    monkeypatch.setenv("OMNICONTRACT_HISTORY_URL", f"sqlite:///{tmp_path / 'runs.db'}")
    # the console's width and colour come from the terminal: not from the user's shell here
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


TEST_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


def _spark_or_skip() -> None:
    """Skip where pyspark or Java is missing, unless ``OMNICONTRACT_REQUIRE_SPARK=1`` (CI),
    where the test fails."""
    import importlib.util
    import os

    missing = pytest.fail if os.environ.get("OMNICONTRACT_REQUIRE_SPARK") == "1" else pytest.skip
    if importlib.util.find_spec("pyspark") is None:
        missing("pyspark is not installed (pip install -e '.[test]')")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        missing("Java is not installed (the Spark tests need Java 17 or later)")


def _scratch(prefix: str) -> str:
    """A folder for this test process, removed when it ends."""
    import atexit
    import tempfile

    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def spark_session_or_skip() -> Any:
    """The worker's one local SparkSession (UTC, one-partition shuffles, no UI, its
    catalog's warehouse in a temporary folder): skipped where pyspark or Java is missing,
    unless ``OMNICONTRACT_REQUIRE_SPARK=1`` (CI), where it fails."""
    _spark_or_skip()
    from pyspark.sql import SparkSession

    from omnicontract.validators.engines.spark.session import get_session

    if SparkSession.getActiveSession() is None:
        # tiny inputs: one task per stage and no code generation start jobs fastest
        builder = SparkSession.builder.master("local[1]")
        for key, value in TEST_SPARK_CONF.items():
            builder = builder.config(key, value)
        builder.config("spark.sql.warehouse.dir", _scratch("oc-spark-warehouse-")).getOrCreate()
    return get_session()


@pytest.fixture(scope="session")
def spark() -> Any:
    return spark_session_or_skip()


@pytest.fixture(scope="module")
def spark_connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server (``local[1]``, a Hive metastore in Derby and its warehouse in
    a temporary folder), started from the pyspark package for the module and stopped at its
    end; its URL (``sc://localhost:PORT``). Its Python workers run this interpreter."""
    _spark_or_skip()
    from tests.spark_connect import connect_server

    with connect_server(tmp_path_factory.mktemp("spark-connect")) as url:
        yield url
