"""The Spark session a run uses: local, a cluster master, or Spark Connect.

``local[2]`` (the default) starts Spark inside this process's JVM; ``spark://``,
``yarn``, ``k8s://`` name a cluster master; ``sc://host:15002`` reaches a Spark Connect
server. A session that already exists (``spark-submit``, a notebook, Databricks) is used
as it is. A run sets the session time zone to UTC, as the DuckDB engine does, and the
few other settings it needs (``RunSettings``), and puts back their values when it ends.
"""

from __future__ import annotations

import os
from typing import Any

from omnicontract.errors import UsageError

DEFAULT_MASTER = "local[2]"
# A run's settings: small shuffles for small projects (the cluster's own settings win
# where the session already exists), no UI, UTC.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.memory": "1g",
}


def _import_pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise UsageError(
            "the Spark engine needs pyspark",
            hint="pip install 'omnicontract[spark]' (Java 17 or later must be installed)",
        ) from exc
    return pyspark


def get_session(master: str | None = None) -> Any:
    """The SparkSession for ``master`` (or the active one, or ``local[2]``)."""
    _import_pyspark()
    from pyspark.sql import SparkSession

    master = master or os.environ.get("OMNICONTRACT_SPARK_MASTER")
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        session = active
    elif master and master.startswith("sc://"):
        _reachable(master)
        session = SparkSession.builder.remote(master).getOrCreate()
    else:
        if not (os.environ.get("JAVA_HOME") or _which("java")):
            raise UsageError(
                "the Spark engine needs Java (17 or later)",
                hint="install a JDK and set JAVA_HOME, or point --spark-master at a cluster",
            )
        builder = SparkSession.builder.master(master or DEFAULT_MASTER).appName("omnicontract")
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        # the run reports its own problems; Spark's warnings would drown the report
        session.sparkContext.setLogLevel("ERROR")
    return session


# What a run sets on its session: UTC, as on DuckDB; a CSV row with more fields than the
# header is malformed even when the query reads only some columns (Spark skips the check
# on pruned columns otherwise)
RUN_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.csv.parser.columnPruning.enabled": "false",
}
# pyspark's loggers that print an error the run reports itself (as a finding)
QUIET_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


class RunSettings:
    """The settings a run changes on a session that may be a user's own (a notebook's,
    ``spark-submit``'s): each value before the run is kept, and put back at ``restore``."""

    def __init__(self, session: Any):
        self.session = session
        self.before: dict[str, str | None] = {}
        self.levels: dict[Any, int] = {}

    def set(self, key: str, value: str) -> None:
        if key not in self.before:
            self.before[key] = self.session.conf.get(key, None)
        self.session.conf.set(key, value)

    def quiet(self) -> None:
        """Silence pyspark's printing of errors the run catches and reports."""
        import logging

        try:
            from pyspark.logger import PySparkLogger
        except ImportError:  # pyspark 3.5 prints none of them
            return
        for name in QUIET_LOGGERS:
            logger = PySparkLogger.getLogger(name)
            self.levels.setdefault(logger, logger.level)
            logger.setLevel(logging.CRITICAL)

    def restore(self) -> None:
        import contextlib

        for key, value in self.before.items():
            with contextlib.suppress(Exception):  # a stopped session has nothing to restore
                if value is None:
                    self.session.conf.unset(key)
                else:
                    self.session.conf.set(key, value)
        self.before.clear()
        for logger, level in self.levels.items():
            logger.setLevel(level)
        self.levels.clear()


CONNECT_PORT = 15002  # Spark Connect's default
CONNECT_TIMEOUT_S = 15


def _reachable(url: str) -> None:
    """Refuse a Spark Connect URL whose server does not answer (the client would retry
    for minutes before saying so)."""
    import socket
    from urllib.parse import urlsplit

    from omnicontract.redact import redact

    shown = redact(url)
    try:
        where = urlsplit(url.split(";", 1)[0])
        host, port = where.hostname, where.port or CONNECT_PORT
    except ValueError:
        host = None
    if not host:
        raise UsageError(
            f"{shown} is not a Spark Connect URL", hint="write sc://host:port (port 15002)"
        )
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise UsageError(
            f"cannot reach the Spark Connect server at {shown}: {exc.strerror or exc}",
            hint="check that the server runs and that --spark-master names its host and port",
        ) from None


def is_local(session: Any) -> bool:
    """Whether the session's executors run inside this process's JVM (``local[N]``)."""
    try:
        return str(session.conf.get("spark.master", "")).startswith("local")
    except Exception:  # a Spark Connect session may not say
        return False


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)
