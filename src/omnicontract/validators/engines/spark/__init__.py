"""The Spark engine (``--engine spark``): every check runs as Spark jobs.

Where it runs: ``local[2]`` by default, a cluster master URL, a Spark Connect URL
(``sc://``), or the session that already exists (``spark-submit``, a notebook, Databricks);
see ``session``. What differs from DuckDB lives in this package and nowhere else:

- sources are read by Spark's own readers with the binding's options (``read``);
- phone numbers are normalized by a pandas UDF on the executors, batch by batch on the
  distinct values of each batch (``udfs``), never collected to the driver;
- the run's tables are DataFrames registered as temporary views; tables are cached
  (on a local master, checkpointed locally: later plans start from the stored rows);
- statements are compiled for DuckDB, the reference dialect, and translated to Spark SQL
  by sqlglot with the rules that keep their meaning (``sql``); values stay bound
  parameters, which Spark binds itself.

Only counts and capped samples come back to the driver.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import column, literal_column, select, table

from omnicontract.validators import binding
from omnicontract.validators import feeds as feed_readers
from omnicontract.validators.engines.base import Engine, EngineOptions, table_of
from omnicontract.validators.engines.duckdb import dialect as duckdb_dialect
from omnicontract.validators.engines.spark import read as spark_read
from omnicontract.validators.engines.spark.session import (
    RUN_CONF,
    RunSettings,
    get_session,
    is_local,
)
from omnicontract.validators.engines.spark.sql import translate

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import Select, TableClause

    from omnicontract.validators.run import FeedRun


def _first_line(exc: Exception) -> str:
    """The message of a Spark error without its class tag and JVM stack."""
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
    return text[:300]


def _file_path(uri: str) -> Path:
    """The path in a path or URI as Spark's ``input_file_name`` gives it."""
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(uri).path) if "://" in uri or uri.startswith("file:") else uri)


class SparkEngine(Engine):
    name = "spark"
    takes_database_feeds = False  # Spark binds no list parameter holding a NULL

    def __init__(self, options: EngineOptions):
        super().__init__(options)
        self.session = get_session(options.master)
        self.settings = RunSettings(self.session)
        for key, value in RUN_CONF.items():
            self.settings.set(key, value)
        self.settings.quiet()
        self.local = is_local(self.session)
        from omnicontract.validators.engines.spark.udfs import register

        register(self.session)
        self._dialect = duckdb_dialect()
        self.cached: dict[str, Any] = {}
        self.views: set[str] = set()

    @property
    def dialect(self) -> Any:
        return self._dialect

    # ------------------------------------------------------------ compiling and running
    def query(self, stmt: Any, *, literal: bool = False) -> Any:
        """The DataFrame of a query-builder statement (lazy: nothing runs yet)."""
        sql, params = self.compile(stmt, literal=literal)
        text, args = translate(sql, params)
        return self.session.sql(text, args=args or None)

    def fetch(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        frame = self.query(stmt)
        rows = [tuple(r) for r in frame.collect()]
        if any(isinstance(v, datetime) for r in rows for v in r):
            # pyspark gives an instant (TIMESTAMP) as a naive time of this process's zone;
            # DuckDB gives it in UTC, with its zone: so does this engine
            from pyspark.sql.types import TimestampType

            zoned = [isinstance(f.dataType, TimestampType) for f in frame.schema.fields]
            rows = [
                tuple(v.astimezone(UTC) if z and isinstance(v, datetime) else v
                      for v, z in zip(r, zoned, strict=True))
                for r in rows
            ]  # fmt: skip
        return rows

    def frame(self, stmt: Select[Any]) -> Any:
        return self.query(stmt).toPandas()

    # ------------------------------------------------------------ tables
    def register(self, name: str, frame: Any, *, cache: bool) -> Any:
        """Make ``frame`` the temporary view ``name`` (cached: computed once, on first use)."""
        if cache and self.local:
            # the table's plan is cut where it is computed: later queries are planned
            # against the stored rows, not the whole lineage (checks ran 30-40% faster);
            # on a cluster the lineage is kept, so a lost executor's part is recomputed
            frame = frame.localCheckpoint(eager=False)
        elif cache:
            from pyspark import StorageLevel

            frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        old = self.cached.pop(name, None)
        if cache:
            self.cached[name] = frame
        frame.createOrReplaceTempView(name)
        if old is not None:
            old.unpersist()
        self.views.add(name)
        return frame

    def create_table(self, name: str, stmt: Select[Any], *, keep: bool = False) -> TableClause:
        self.register(name, self.query(stmt), cache=True)
        return table_of(name, stmt)

    def create_view(self, name: str, stmt: Select[Any]) -> TableClause:
        self.register(name, self.query(stmt, literal=True), cache=False)
        return table_of(name, stmt)

    def drop(self, name: str) -> None:
        frame = self.cached.pop(name, None)
        if frame is not None:
            frame.unpersist()
        self.session.catalog.dropTempView(name)
        self.views.discard(name)

    def close(self) -> None:
        try:
            for name in list(self.views):
                self.drop(name)
        finally:
            self.settings.restore()

    # ------------------------------------------------------------ feeds
    def load_feed(self, feed: FeedRun) -> None:
        """Read the source once (cached), map it, and create the canonical table."""
        from pyspark.sql import functions as F

        b, n = feed.binding, feed.number
        project = feed.run.project
        if b.source.is_database or b.source.files:
            what = "database sources" if b.source.is_database else "per-file settings (files:)"
            feed.source_draft(
                "OC-SRC-002",
                f"{what} are not supported on the Spark engine; the feed was not read",
                location=str(feed.channel.feed_location(feed.index, "source")),
            )
            return
        found = feed_readers.resolve_files(project.root, b.source, project.confinement)
        empty = [f for f in found if f.stat().st_size == 0]
        if not binding.source_files(feed, found, empty):
            return
        files = [f for f in found if f not in empty]
        if spark_read.needs_java_charsets(b.source):
            self.settings.set("spark.sql.legacy.javaCharsets", "true")
        try:
            read = spark_read.read_source(self.session, [str(f) for f in files], b.source, files[0])
        except Exception as exc:  # Spark raises analysis and JVM errors alike
            self._unreadable(feed, f"cannot read {b.source.resolved_format}", exc)
            return
        typed = b.source.resolved_format == "parquet"  # CSV and JSON carry no types
        bound = binding.bind(feed, read.columns, types=read.column_types if typed else None)
        raw = self._raw(feed, read, bound)
        if raw is None:
            return
        frame, per_file = raw
        styled = self._trailing_style(feed, [str(f) for f in files], per_file)
        if styled:  # read again: those files with one more column
            self.drop(f"raw_{n}")
            local = [str(f) for f in files]
            read = spark_read.read_source(self.session, local, b.source, files[0], styled)
            raw = self._raw(feed, read, bound)
            if raw is None:
                return
            frame, per_file = raw
        kinds: dict[str | None, int] = {}
        for _file, kind, count in per_file:
            kinds[kind] = kinds.get(kind, 0) + int(count)
        rows = kinds.pop(None, 0)
        # the file each row came from, by the name Spark gives it (a URI)
        feed.files = feed_readers.display_names(
            {str(f): _file_path(str(f)) for f, _k, _c in per_file if f}
        )
        accepted = F.col(spark_read.REJECT).isNull()
        self._report_rejects(feed, frame.where(~accepted), kinds)
        good = frame.where(accepted)
        self._canonical_table(feed, good.drop(spark_read.REJECT), bound)
        self.drop(f"raw_{n}")
        binding.loaded(feed, rows, bound)

    def load_table(self, feed: FeedRun) -> None:
        """A table of the session's catalog (a metastore table, Unity Catalog, a
        temporary view of the session): read where it lives, its columns with their
        types, mapped and cached like a file feed's."""
        b = feed.binding
        where = str(feed.channel.feed_location(feed.index, "source", "table"))
        assert b.source.table is not None
        parts = b.source.table.split(".")
        if len(parts) == 1 and parts[0].lower() in self.views:
            # a name the run itself uses for a view: the catalog's table is meant
            parts = [self.session.catalog.currentDatabase(), parts[0]]
        try:
            read = spark_read.read_table(self, parts)
        except spark_read.NoSuchTable:
            feed.source_draft(
                "OC-SRC-001", f"no table {b.source.table} in the Spark catalog", location=where
            )
            feed.drafts[-1].hint = "Check source.table in the channel binding (catalog.db.name)."
            return
        except Exception as exc:  # Spark raises analysis and JVM errors alike
            self._unreadable(feed, f"cannot read table {b.source.table}", exc, where)
            return
        feed.files = {}
        bound = binding.bind(feed, read.columns, types=read.column_types)
        raw = self._raw(feed, read, bound)
        if raw is None:
            return
        frame, per_file = raw
        rows = sum(int(count) for _f, _k, count in per_file)
        self._canonical_table(feed, frame.drop(spark_read.REJECT), bound)
        self.drop(f"raw_{feed.number}")
        binding.loaded(feed, rows, bound)

    def _trailing_style(
        self, feed: FeedRun, local: list[str], per_file: list[Any]
    ) -> frozenset[str]:
        """CSV files whose every row ends with a delimiter the header has not (Spark
        finds every row of such a file corrupt): accepted as the file's style, as on
        DuckDB. Looked for only where every row of a file was set aside."""
        if feed.binding.source.resolved_format != "csv":
            return frozenset()
        kinds_of: dict[str, set[str | None]] = {}
        for file, kind, _count in per_file:
            kinds_of.setdefault(spark_read.local_path(str(file)), set()).add(kind)
        wrong = {spark_read.WRONG_WIDTH}
        suspects = {f for f, k in kinds_of.items() if k - {spark_read.BAD_BYTES} == wrong}
        paths = [p for p in local if spark_read.local_path(p) in suspects]
        if not paths:
            return frozenset()
        return spark_read.trailing_style(self.session, paths, feed.binding.source, Path(local[0]))

    def _raw(
        self, feed: FeedRun, read: spark_read.Read, bound: binding.Bound
    ) -> tuple[Any, list[Any]] | None:
        """The mapped source columns of a feed, cached as ``raw_N``, and its rows counted
        by file and by why they were set aside (None: read)."""
        from pyspark.sql import functions as F

        n = feed.number
        source = f"src_{n}"
        self.register(source, read.frame, cache=False)
        projection = [expr.label(alias) for alias, (expr, _t) in bound.selected.items()]
        kept = [column(spark_read.REJECT), column(spark_read.FILE)]
        stmt = select(*(projection or [literal_column("1").label("c_dummy")]), *kept)
        try:
            frame = self.query(stmt.select_from(table(source)))
            frame = frame.withColumn("__row", F.monotonically_increasing_id())
            frame = self.register(f"raw_{n}", frame, cache=True)
            per_file = frame.groupBy(spark_read.FILE, spark_read.REJECT).count().collect()
        except Exception as exc:
            self._unreadable(feed, "cannot read source", exc)
            return None
        finally:
            self.drop(source)
        return frame, per_file

    def _unreadable(
        self, feed: FeedRun, what: str, exc: Exception, location: str | None = None
    ) -> None:
        feed.source_draft(
            "OC-SRC-002",
            f"{what}: {_first_line(exc)}",
            location=location or str(feed.channel.feed_location(feed.index, "source")),
        )

    def _report_rejects(self, feed: FeedRun, rejected: Any, kinds: dict[str, int]) -> None:
        """Rows set aside while reading: invalid bytes and JSON documents that do not
        parse (OC-SRC-002), the wrong number of fields and JSON lines that are not JSON
        (one OC-SRC-006), as on DuckDB. Spark's readers give no line numbers: samples name
        the files."""
        from pyspark.sql import functions as F

        unreadable = (spark_read.BAD_BYTES, spark_read.NOT_JSON_DOCUMENT)
        shapes = [k for k in kinds if k not in unreadable]
        encoding = feed.binding.source.encoding
        groups = [("OC-SRC-002", [k]) for k in unreadable] + [("OC-SRC-006", shapes)]
        for code, which in groups:
            count = sum(kinds.get(k, 0) for k in which)
            if not count:
                continue
            per_file = (
                rejected.where(F.col(spark_read.REJECT).isin(which))
                .groupBy(spark_read.FILE, spark_read.REJECT)
                .count()
                .orderBy(F.desc("count"), spark_read.FILE)
                .limit(max(feed.sample_size, 1))
                .collect()
            )
            first = str(per_file[0][0]) if per_file else ""
            samples = [(f"{Path(str(p)).name}: {k}", int(c)) for p, k, c in per_file]
            if which == [spark_read.NOT_JSON_DOCUMENT]:
                names = ", ".join(sorted({Path(str(p)).name for p, _k, _c in per_file}))
                message = f"cannot read {names} as json: not a JSON document"
            elif code == "OC-SRC-002":
                message = (
                    f"{Path(first).name} is not {encoding}: {count} row(s) with invalid bytes "
                    "were skipped"
                )
            else:
                message = (
                    f"{count} row(s) rejected (first: {samples[0][0] if samples else '?'}): "
                    "a row must have the header's fields and parse"
                )
            feed.source_draft(
                code,
                message,
                count=count,
                samples=samples[: feed.sample_size],
                location=first or None,
            )
            if which == [spark_read.BAD_BYTES]:
                feed.drafts[
                    -1
                ].hint = "Declare the file's encoding, e.g. source: {encoding: latin-1}."

    def _canonical_table(self, feed: FeedRun, raw: Any, bound: binding.Bound) -> None:
        from pyspark.sql import functions as F

        from omnicontract.validators.engines.spark.udfs import phone_udf

        n = feed.number
        for mf in bound.mapped.values():
            if mf.transform != "phone" or not mf.source_column:
                continue
            intl = bool(mf.mapping and mf.mapping.phone_international)
            name = f"{mf.source_column}__e164"
            udf = phone_udf(mf.phone_region, intl)
            raw = raw.withColumn(name, udf(F.col(mf.source_column).cast("string")))
            mf.value = column(name)
        mapped = f"mapped_{n}"
        self.register(mapped, raw, cache=False)
        cols = [column("__row")]
        if len(set(feed.files.values())) > 1:  # keys spanning files are told apart (OC-SRC-009)
            cols.append(column(spark_read.FILE).label("__file"))
        stmt = select(*cols, *binding.canonical_columns(bound.mapped))
        feed.view_name = f"canon_{n}"
        # cached and computed now, from the cached copy of the source columns, which is then
        # released: timestamps are parsed and phones normalized a single time
        self.create_table(feed.view_name, stmt.select_from(table(mapped)))
        self.cached[feed.view_name].count()
        self.drop(mapped)
