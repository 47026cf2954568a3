"""The DuckDB engine (the default): in-process, reads CSV/JSON/Parquet in place, spills to
disk past its memory limit.

Per feed, the source is read once, straight into the canonical table: one statement
applies the mapping to the columns of the read (the union of the files' reads), so every
check scans parsed values and no second table of the read exists beside it. Rows the
reader rejects (wrong field count, lines that are not JSON) are deleted from that table
before any check runs, and the reader's own columns dropped. Phone numbers are normalized
on their distinct values, gathered by a first pass over the read of that column only (see
``validators/phones.py``), and joined into the same statement through a lookup table.
Rows are told apart by the table's own ``rowid``. Tables that live to the end of the run
(identity resolution) are kept compressed in memory.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

import duckdb
from sqlalchemy import column, func, insert, select, table

from omnicontract.validators import binding
from omnicontract.validators.engines.base import Engine, EngineOptions, table_of
from omnicontract.validators.feeds import clean_duckdb_error
from omnicontract.validators.phones import PhoneLookups
from omnicontract.validators.sqlfuncs import create_table_as, drop_column, drop_table

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import Select, TableClause

    from omnicontract.validators.run import FeedRun

PACKED = "packed"  # the attached in-memory database for tables kept to the end of the run
# connections whose run is over, left for the process's end (``EngineOptions.process_ends``)
LEFT_TO_PROCESS_END: list[Any] = []


def dialect() -> Any:
    from omnicontract.validators.dialect import duckdb_dialect

    return duckdb_dialect()


def _unreadable(feed: FeedRun, what: str, exc: Exception) -> None:
    feed.source_draft(
        "OC-SRC-002",
        f"{what}: {clean_duckdb_error(exc)}",
        location=str(feed.channel.feed_location(feed.index, "source")),
    )


def execute(con: Any, stmt: Any) -> Any:
    """Run a query-builder statement on a DuckDB connection (for tools that open their own,
    such as ``infer``); returns DuckDB's result."""
    compiled = stmt.compile(dialect=dialect(), compile_kwargs={"render_postcompile": True})
    params = [compiled.params[k] for k in (compiled.positiontup or [])]
    return con.execute(str(compiled), params)


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, options: EngineOptions):
        super().__init__(options)
        self.tmpdir = tempfile.TemporaryDirectory(prefix="omnicontract-")
        config: dict[str, Any] = {
            "temp_directory": self.tmpdir.name,
            "preserve_insertion_order": False,
            "threads": options.threads or os.cpu_count() or 1,
        }
        if options.memory_limit:
            config["memory_limit"] = f"{int(options.memory_limit)}B"
        self.con = duckdb.connect(config=config)
        self.con.execute("SET TimeZone = 'UTC'")  # needs ICU, which loads after connect
        self._packed = False  # the compressed database, attached on first use
        self._dialect = dialect()
        self.attached: list[str] = []  # database files read by feeds, by their names here
        self.phones = PhoneLookups(self)

    @property
    def dialect(self) -> Any:
        return self._dialect

    def run(self, stmt: Any, *, literal: bool = False) -> Any:
        sql, params = self.compile(stmt, literal=literal)
        return self.con.execute(sql, params)

    def fetch(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        return self.run(stmt).fetchall()  # type: ignore[no-any-return]

    def frame(self, stmt: Select[Any]) -> Any:
        return self.run(stmt).df()

    # ------------------------------------------------------------ tables
    def create_table(self, name: str, stmt: Select[Any], *, keep: bool = False) -> TableClause:
        # Tables kept to the end of the run are compressed when memory is bounded (the
        # compression costs a pass over the table; unbounded, spilling is cheaper).
        packed = keep and self.options.memory_limit is not None
        if packed and not self._packed:  # derived tables kept to the end, compressed
            self.con.execute("ATTACH ':memory:' AS packed (COMPRESS)")
            self._packed = True
        target = table_of(name, stmt, schema=PACKED if packed else None)
        self.run(create_table_as(target, stmt, temporary=not packed))
        if packed:
            self.con.execute("CHECKPOINT packed")
        return target

    def create_view(self, name: str, stmt: Select[Any]) -> TableClause:
        target = table_of(name, stmt)
        # a view keeps no parameters: its values are rendered as escaped literals
        self.run(create_table_as(target, stmt, view=True), literal=True)
        return target

    def append(self, target: TableClause, stmt: Select[Any]) -> None:
        names = [c.key for c in stmt.selected_columns]
        self.run(insert(table(target.name, *[column(n) for n in names])).from_select(names, stmt))

    def drop(self, name: str) -> None:
        self.run(drop_table(table(name)))

    def drop_columns(self, name: str, columns: list[str]) -> None:
        for col in columns:
            self.run(drop_column(table(name), col))

    def close(self) -> None:
        if self.options.process_ends:
            # Closing frees the database block by block (a few milliseconds, tens for a
            # large run); the process's end discards it whole. Nothing is written on close.
            LEFT_TO_PROCESS_END.append(self.con)
        else:
            self.con.close()
        self.tmpdir.cleanup()

    # ------------------------------------------------------------ feeds
    def load_feed(self, feed: FeedRun) -> None:
        """Read the source once, straight into the canonical table."""
        from omnicontract.validators.feeds.reader import FeedReader

        b, n = feed.binding, feed.number
        project = feed.run.project
        reader = FeedReader(
            self,
            project.root,
            b.source,
            prefix=f"f{n}",
            samples=feed.sample_size,
            confinement=project.confinement,
        )
        if not binding.source_files(feed, reader.files, reader.empty):
            return
        for found in reader.problems:
            binding.problem(feed, found)
        if not reader.groups:
            return
        bound = binding.bind(feed, reader.columns, reader)
        before = len(reader.problems)
        selected = {alias: res for alias, (res, _t) in bound.selected.items()}
        feed.view_name = f"canon_{n}"
        lookups: list[str] = []
        try:
            canon = reader.load(
                feed.view_name,
                selected,
                bound.constants,
                lambda rows: self._canonical_table(feed, bound, rows, reader.kept(rows), lookups),
            )
        except duckdb.Error as exc:
            _unreadable(feed, "cannot read source", exc)
            return
        finally:
            for name in lookups:
                self.drop(name)
        for found in reader.problems[before:]:
            binding.problem(feed, found)
        malformed = reader.malformed()
        if malformed is not None:
            binding.problem(feed, malformed)
        feed.files = reader.file_names
        binding.partial_columns(feed, bound, lambda files: reader.rows_from(canon, files))
        # keys spanning files are told apart by file (OC-SRC-009)
        reader.finish(canon, keep_file=len(set(feed.files.values())) > 1)
        rows = self.fetch(select(func.count()).select_from(table(feed.view_name)))[0][0]
        binding.loaded(feed, int(rows), bound)

    def _canonical_table(
        self,
        feed: FeedRun,
        bound: binding.Bound,
        rows: Any,
        kept: list[Any],
        lookups: list[str],
    ) -> TableClause:
        """Create the canonical table from ``rows`` (the read of the source): the mapping
        applied once, phones looked up, plus the ``kept`` columns of the reader."""
        src_from: Any = rows
        for mf in bound.mapped.values():
            if mf.transform != "phone" or not mf.source_column:
                continue
            name = f"phones_{feed.number}_{len(lookups)}"
            self.drop(name)  # from an earlier attempt at reading
            lookups.append(name)
            intl = bool(mf.mapping and mf.mapping.phone_international)
            # a first pass over the read for the distinct numbers only
            lookup = self.phones.build(name, rows, mf.source_column, mf.phone_region, intl)
            alias = lookup.alias(f"j{len(lookups)}")
            src_from = src_from.outerjoin(alias, rows.c[mf.source_column] == alias.c.raw)
            mf.value = alias.c.e164
        stmt = select(*binding.canonical_columns(bound.mapped), *kept).select_from(src_from)
        if not lookups:
            return self.create_table(feed.view_name, stmt)
        # The read's size is unknown to the planner (a guess of a few rows), which would
        # hash the whole read to probe it with each lookup; the lookups are the build side.
        self.con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            return self.create_table(feed.view_name, stmt)
        finally:
            self.con.execute("RESET disabled_optimizers")

    # ------------------------------------------------------------ contract SQL rules
    def rule_value(self, sql: str, timeout_s: float) -> Any:
        import threading

        timer = threading.Timer(timeout_s, self.con.interrupt)
        timer.start()
        try:
            row = self.con.execute(sql).fetchone()
        except duckdb.InterruptException:
            raise TimeoutError(f"stopped after {timeout_s:g} s") from None
        finally:
            timer.cancel()
        return row[0] if row else None
