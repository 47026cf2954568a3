"""The run store: record runs, list them, load one back, and summarize the trend.

SQLite (the default, one file under the project) and PostgreSQL, through SQLAlchemy
Core. Several runs may record into one store at once: SQLite runs in WAL mode, takes
the write lock up front (``BEGIN IMMEDIATE``), waits for a busy store and retries;
PostgreSQL serializes only migrations (an advisory lock).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, and_, create_engine, delete, event, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from omnicontract.history import schema as s
from omnicontract.history.url import HistoryError, mask
from omnicontract.validators.result import RunResult, result_from_dict

T = TypeVar("T")

TREND_LIMIT = 12
BUSY_TIMEOUT_S = 30
RETRIES = 8
MIGRATION_LOCK = 0x6F6D6E69  # pg_advisory_xact_lock key: "omni"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _is_busy(exc: BaseException) -> bool:
    reason = _reason(exc).lower()
    if "locked" in reason or "busy" in reason:
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in ("40001", "40P01", "55P03")  # serialization, deadlock, lock not available


class HistoryStore:
    """A run store at ``url`` (a resolved SQLAlchemy URL; see ``history.url.resolve``)."""

    def __init__(self, url: str, *, password: str | None = None, keep: int | None = None) -> None:
        self.url = url
        self.keep = keep
        self.required = False  # a project whose runs must be recorded (history.required)
        self._password = password
        self.display_url = mask(url, password)
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.path = (
            Path(parsed.database)
            if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:")
            else None
        )
        self._engine: Engine | None = None

    # ------------------------------------------------------------ connection
    def _error(self, action: str, exc: BaseException) -> HistoryError:
        if _is_busy(exc):
            return HistoryError(
                f"the run history at {self.display_url} is locked by another process",
                hint="wait for the other run to finish, or pass --no-history",
            )
        return HistoryError(
            mask(
                f"cannot {action} the run history at {self.display_url}: {_reason(exc)}",
                self._password,
            ),
            hint="check history.url in omnicontract.yaml, --history-url or "
            "$OMNICONTRACT_HISTORY_URL ('validate --no-history' skips recording)",
        )

    def _make_engine(self) -> Engine:
        try:
            if self.dialect == "sqlite":
                engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_S})
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)
            else:
                engine = create_engine(self.url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            from omnicontract.errors import MissingExtraError

            if "psycopg" in str(exc):
                raise MissingExtraError("psycopg", "postgres", "A PostgreSQL run history") from None
            raise HistoryError(
                mask(f"cannot open the run history: {exc}", self._password)
            ) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise self._error("open", exc) from None
        return engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def exists(self) -> bool:
        """False for a SQLite store whose file was never created."""
        return self.path is None or self.path.exists()

    def open(self) -> HistoryStore:
        """Connect, and create or migrate the tables. Returns self."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if self.path.parent.name == ".omnicontract" and not ignore.exists():
                ignore.write_text("# omnicontract run history: not for version control\n*\n")
        version = self._run(_version, write=False, action="open")
        if version is None or version < s.CURRENT_VERSION:
            version = self._write(s.migrate, "create")
        if version > s.CURRENT_VERSION:
            raise HistoryError(
                f"the run history at {self.display_url} was written by a newer omnicontract "
                f"(store version {version}, this one reads up to {s.CURRENT_VERSION})",
                hint="upgrade omnicontract: pip install -U omnicontract",
            )
        return self

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _connect(self, write: bool) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if write:
                conn = conn.execution_options(omnicontract_write=True)
            with conn.begin():
                if write and self.dialect == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
                yield conn

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=False, action="read")

    def _write(self, work: Callable[[Connection], T], action: str = "write to") -> T:
        return self._run(work, write=True, action=action)

    def _run(self, work: Callable[[Connection], T], *, write: bool, action: str) -> T:
        for attempt in range(RETRIES + 1):
            try:
                with self._connect(write) as conn:
                    return work(conn)
            except (DBAPIError, SQLAlchemyError) as exc:
                if attempt < RETRIES and _is_busy(exc):
                    time.sleep(min(1.0, 0.05 * 2**attempt) * (0.5 + random.random()))
                    continue
                raise self._error(action, exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------ writing
    def record(self, result: RunResult) -> str:
        """Store a run; sets and returns ``result.run_id``."""
        from omnicontract.history.changes import figure

        doc = result.to_dict()
        doc["trend"] = []  # derived from the store whenever the run is read back
        doc["changes"] = None
        counts = doc["summary"]["findings"]

        def work(conn: Connection) -> int:
            run_id = conn.execute(
                s.runs.insert().values(
                    project=result.project,
                    started_at=result.started_at,
                    finished_at=result.finished_at,
                    seconds=round(result.seconds, 3),
                    engine=result.engine,
                    fail_on=result.fail_on.value,
                    passed=not result.failed,
                    readiness=doc["unified_view"]["readiness"],
                    errors=counts["error"],
                    warnings=counts["warning"],
                    infos=counts["info"],
                    document="{}",
                    **s.summary_columns(doc),
                )
            ).inserted_primary_key[0]
            doc["run_id"] = str(run_id)
            conn.execute(
                s.runs.update()
                .where(s.runs.c.id == run_id)
                .values(document=json.dumps(doc, ensure_ascii=False))
            )
            checks = [{"run_id": run_id, **figure(f)} for f in result.findings]
            if checks:
                conn.execute(s.check_figures.insert(), checks)
            feeds = s.feed_rows(run_id, doc)
            if feeds:
                conn.execute(s.feed_figures.insert(), feeds)
            if self.keep:
                self._prune(conn, result.project, self.keep)
            return run_id

        result.run_id = str(self._write(work))
        return result.run_id

    def forget(self, run_id: str) -> None:
        """Remove a recorded run (one whose reports could not be written after all)."""
        rid = _as_id(run_id)

        def work(conn: Connection) -> None:
            for table in (s.check_figures, s.feed_figures):
                conn.execute(delete(table).where(table.c.run_id == rid))
            conn.execute(delete(s.runs).where(s.runs.c.id == rid))

        self._write(work)

    def attach_history(self, result: RunResult) -> None:
        """Fill ``result.trend`` (the runs before it) and ``result.changes`` (against the
        run just before it). A run not recorded (no ``run_id``) is compared with the
        project's latest recorded run."""
        from omnicontract.history.changes import compare, figure

        result.trend = self.trend(result.project, before=result.run_id)
        result.changes = None
        if result.trend:
            previous = result.trend[-1]
            result.changes = compare(
                [figure(f) for f in result.findings], self.figures(previous["run_id"]), previous
            )

    @staticmethod
    def _prune(conn: Connection, project: str, keep: int) -> None:
        old = [
            r
            for (r,) in conn.execute(
                select(s.runs.c.id)
                .where(s.runs.c.project == project)
                .order_by(s.runs.c.started_at.desc(), s.runs.c.id.desc())
                .offset(keep)
            )
        ]
        if old:
            for table in (s.check_figures, s.feed_figures):
                conn.execute(delete(table).where(table.c.run_id.in_(old)))
            conn.execute(delete(s.runs).where(s.runs.c.id.in_(old)))

    # ------------------------------------------------------------ reading
    def list_runs(self, project: str, limit: int = 20) -> list[dict[str, Any]]:
        """Runs of ``project``, newest first: the trend summary plus verdict figures."""
        if not self.exists():
            return []
        rows = self._read(
            lambda c: (
                c.execute(
                    select(s.runs)
                    .where(s.runs.c.project == project)
                    .order_by(s.runs.c.started_at.desc(), s.runs.c.id.desc())
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        )
        return [
            {
                **_summary(r),
                "finished_at": r["finished_at"],
                "seconds": r["seconds"],
                "engine": r["engine"],
                "fail_on": r["fail_on"],
                "passed": bool(r["passed"]),
                "contracts": json.loads(r["contracts"] or "{}"),
                "checks_run": r["checks_run"],
                "rows": r["row_count"],
            }
            for r in rows
        ]

    def trend(
        self, project: str, before: str | None = None, limit: int = TREND_LIMIT
    ) -> list[dict[str, Any]]:
        """Summaries of the runs of ``project`` before run ``before`` (all runs when
        None), at most ``limit``, oldest first."""
        if not self.exists():
            return []

        def work(conn: Connection) -> list[Any]:
            query = select(s.runs).where(s.runs.c.project == project)
            if before is not None:
                anchor = conn.execute(
                    select(s.runs.c.started_at, s.runs.c.id).where(s.runs.c.id == _as_id(before))
                ).first()
                if anchor is None:
                    return []
                query = query.where(
                    or_(
                        s.runs.c.started_at < anchor.started_at,
                        and_(s.runs.c.started_at == anchor.started_at, s.runs.c.id < anchor.id),
                    )
                )
            query = query.order_by(s.runs.c.started_at.desc(), s.runs.c.id.desc()).limit(limit)
            return list(conn.execute(query).mappings().all())

        return [_summary(r) for r in reversed(self._read(work))]

    def load(self, run: str = "latest", *, project: str | None = None) -> RunResult:
        """A stored run (``"latest"`` or its id) as a RunResult, with its trend filled in.
        Raises LookupError when there is no such run."""
        if not self.exists():
            raise LookupError(run)

        def work(conn: Connection) -> Any:
            query = select(s.runs.c.id, s.runs.c.project, s.runs.c.document)
            if project is not None:
                query = query.where(s.runs.c.project == project)
            if run == "latest":
                query = query.order_by(s.runs.c.started_at.desc(), s.runs.c.id.desc()).limit(1)
            else:
                query = query.where(s.runs.c.id == _as_id(run))
            return conn.execute(query).first()

        row = self._read(work)
        if row is None:
            raise LookupError(run)
        result = result_from_dict(json.loads(row.document))
        result.run_id = str(row.id)
        self.attach_history(result)
        return result

    def figures(self, run_id: str) -> list[dict[str, Any]]:
        """The recorded findings of one run: code, channel, feed, field, severity, count."""
        c = s.check_figures.c
        query = select(c.code, c.channel, c.feed, c.field, c.severity, c.count, c.total).where(
            c.run_id == _as_id(run_id)
        )
        return [dict(r) for r in self._read(lambda conn: conn.execute(query).mappings().all())]

    def feed_history(
        self, project: str, channel: str, feed: str, limit: int = 30
    ) -> list[dict[str, Any]]:
        """Row counts of one feed in the latest ``limit`` runs, oldest first."""
        if not self.exists():
            return []
        f, r = s.feed_figures, s.runs
        query = (
            select(r.c.id, r.c.started_at, f.c.row_count)
            .join(r, r.c.id == f.c.run_id)
            .where(r.c.project == project, f.c.channel == channel, f.c.feed == feed)
            .order_by(r.c.started_at.desc(), r.c.id.desc())
            .limit(limit)
        )
        rows = self._read(lambda c: c.execute(query).all())
        return [
            {"run_id": str(i), "started_at": started, "rows": n} for i, started, n in reversed(rows)
        ]


# ---------------------------------------------------------------- helpers


def _as_id(run: str | int) -> int:
    try:
        return int(run)
    except (TypeError, ValueError):
        raise LookupError(run) from None


def _version(conn: Connection) -> int | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(select(s.schema_version.c.version)).scalar()


def _summary(row: Any) -> dict[str, Any]:
    """The trend entry of a run: what the reports read."""
    return {
        "run_id": str(row["id"]),
        "started_at": row["started_at"],
        "readiness": row["readiness"],
        "channels": json.loads(row["channel_readiness"] or "{}"),
        "findings": {"error": row["errors"], "warning": row["warnings"], "info": row["infos"]},
    }


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by _sqlite_begin
    cur = dbapi_conn.cursor()
    try:
        # the busy timeout is set by the driver: connect_args={"timeout": BUSY_TIMEOUT_S}
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
    finally:
        cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("omnicontract_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
