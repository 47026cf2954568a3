"""The DuckDB engine: read each feed once, map it onto its entity, run the checks.

Per feed: the mapped source columns are copied once into a temporary table (one scan
of the files); phone numbers are normalized on their distinct values; a canonical view
applies the mapping; every row check of the feed is fused into a single aggregate
query, and only checks that fail run a second, capped query for their samples.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import String, func, literal_column, select, table
from sqlalchemy.sql.expression import ColumnElement, Select

from omnicontract.contracts.loader import LoadedChannel, Project
from omnicontract.contracts.model import EntityContract, FeedBinding, duration_seconds
from omnicontract.validators import feeds as feed_readers
from omnicontract.validators.checks.base import Check, Draft, FieldContext, RowCheck
from omnicontract.validators.identity import IdentityIndex
from omnicontract.validators.mapping import MappedField, constant_field, map_field
from omnicontract.validators.normalize import normalize_phones
from omnicontract.validators.registry import registry
from omnicontract.validators.result import FeedSummary

Progress = Callable[[str, int, int], None]


def _dialect() -> Any:
    from duckdb_engine import Dialect

    return Dialect(paramstyle="qmark")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def clean_duckdb_error(exc: Exception) -> str:
    """First meaningful line of a DuckDB error, without its internal prefixes."""
    text = str(exc).strip()
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[0] if lines else "unknown error"
    for ln in lines[1:3]:
        if ln.lower().startswith(("original line", "possible solution")):
            continue
        if "line" in head.lower() and ln and len(head) < 60:
            head += f" ({ln})"
        break
    return head[:300]


@dataclass
class FeedRun:
    """One feed during a run: its canonical view and the helpers checks query it with."""

    run: Run
    channel: LoadedChannel
    index: int
    binding: FeedBinding
    contract: EntityContract
    view_name: str = ""
    rows: int = 0
    fields: dict[str, FieldContext] = field(default_factory=dict)
    drafts: list[Draft] = field(default_factory=list)
    summary: FeedSummary | None = None
    ok: bool = False
    selected: bool = True

    @property
    def name(self) -> str:
        return self.binding.name

    @property
    def channel_name(self) -> str:
        return self.channel.model.channel

    @property
    def sample_size(self) -> int:
        return self.run.sample_size

    @property
    def view(self) -> Any:
        return table(self.view_name)

    def fetch(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        return self.run.fetch(stmt)

    def scalar(self, stmt: Select[Any]) -> int:
        rows = self.fetch(stmt)
        return int(rows[0][0] or 0) if rows else 0

    def draft(
        self,
        check: Check | type[Check],
        f: FieldContext | None,
        count: int,
        samples: list[tuple[Any, int]],
        message: str,
    ) -> Draft:
        return Draft(
            check.code,
            message,
            channel=self.channel_name,
            feed=self.name,
            field=f.name if f else None,
            count=count,
            total=self.rows,
            samples=samples,
            pii=bool(f and f.spec.pii),
        )

    def source_draft(
        self,
        code: str,
        message: str,
        *,
        count: int = 0,
        field_name: str | None = None,
        samples: list[tuple[Any, int]] | None = None,
        location: str | None = None,
    ) -> None:
        self.drafts.append(
            Draft(
                code,
                message,
                channel=self.channel_name,
                feed=self.name,
                field=field_name,
                count=count,
                total=self.rows,
                samples=samples or [],
                location=location,
            )
        )


class Run:
    """A validation run on DuckDB: owns the connection and the per-feed state."""

    def __init__(
        self,
        project: Project,
        *,
        sample_size: int,
        now: datetime | None = None,
        memory_limit: str | None = None,
        threads: int | None = None,
        progress: Progress | None = None,
        feed_history: Callable[[str, str], list[int]] | None = None,
    ):
        self.project = project
        # recent row counts of a feed, most recent first (from the history store), if any
        self.feed_history = feed_history
        self.sample_size = sample_size
        self.now = now or datetime.now(UTC)
        self.progress = progress
        # optional hook running a feed's field checks elsewhere (``--engine gx``): it appends
        # its drafts to the feed and returns the (code, field) pairs it covered
        self.row_engine: Callable[[FeedRun], set[tuple[str, str]]] | None = None
        self.tmpdir = tempfile.TemporaryDirectory(prefix="omnicontract-")
        self.con = duckdb.connect(config={"temp_directory": self.tmpdir.name})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET threads = {threads or os.cpu_count() or 1}")
        # Derived tables that live to the end of the run are kept compressed in memory.
        self.con.execute("ATTACH ':memory:' AS packed (COMPRESS)")
        self.dialect = _dialect()
        self.feeds: list[FeedRun] = []
        self._key_tables: dict[tuple[str, str], str | None] = {}
        self.checks_run = 0
        self.tolerance_s = duration_seconds(project.settings.policy.future_tolerance)
        self._identity: IdentityIndex | None = None

    def identity(self) -> IdentityIndex:
        """The cross-channel identity index, built on first use."""
        if self._identity is None:
            self._identity = IdentityIndex(self)
        return self._identity

    def release_raw(self, feed: FeedRun) -> None:
        """Drop the raw-text columns of a feed once its own checks are done; only identity
        keys keep theirs (the cross-channel checks compare raw and normalized keys)."""
        identity = self.project.settings.identity
        keep = {k.field_for(feed.binding.entity) for k in identity.keys}
        for f in feed.fields.values():
            if f.name in keep:
                continue
            if f.raw is not None:
                self.con.execute(f'ALTER TABLE {feed.view_name} DROP COLUMN "{f.name}__raw"')
                f.raw = None
            if f.naive is not None:
                self.con.execute(f'ALTER TABLE {feed.view_name} DROP COLUMN "{f.name}__naive"')
                f.naive = None

    def pack(self, name: str, select_sql: str) -> str:
        """Create ``packed.name`` from a query and compress it; return its qualified name."""
        self.con.execute(f"CREATE TABLE packed.{name} AS {select_sql}")
        self.con.execute("CHECKPOINT packed")
        return f"packed.{name}"

    def close(self) -> None:
        self.con.close()
        self.tmpdir.cleanup()

    # ------------------------------------------------------------------ SQL
    def compile(self, stmt: Any) -> tuple[str, list[Any]]:
        compiled = stmt.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        params = [compiled.params[k] for k in (compiled.positiontup or [])]
        return str(compiled), params

    def fetch(self, stmt: Any) -> list[tuple[Any, ...]]:
        sql, params = self.compile(stmt)
        return self.con.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ feeds
    def prepare_feed(self, feed: FeedRun) -> None:
        """Read the source once, map it, and create the canonical view."""
        b, n = feed.binding, len(self.feeds)
        files = feed_readers.resolve_files(self.project.root, b.source, self.project.confinement)
        feed.summary = FeedSummary(
            channel=feed.channel_name,
            feed=b.name,
            entity=b.entity,
            source=b.source.display,
            files=len(files),
        )
        if not files:
            feed.source_draft(
                "OC-SRC-001",
                f"no file matches {', '.join(b.source.paths)}",
                location=str(feed.channel.feed_location(feed.index, "source", "path")),
            )
            return
        empty = [f for f in files if f.stat().st_size == 0]
        if empty:
            files = [f for f in files if f not in empty]
            feed.source_draft(
                "OC-SRC-005",
                f"{len(empty)} of {len(empty) + len(files)} source file(s) are empty (0 bytes)"
                if files
                else "the source is an empty file (0 bytes)",
                count=len(empty),
                samples=[(f.name, 1) for f in empty[: self.sample_size]],
            )
            if not files:
                feed.summary.rows = 0
                return
        rejects = f"rejects_{n}"
        reader = feed_readers.read_expression(files, b.source, rejects)
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        except duckdb.Error as exc:
            feed.source_draft(
                "OC-SRC-002",
                f"cannot read {b.source.resolved_format}: {clean_duckdb_error(exc)}",
                location=str(feed.channel.feed_location(feed.index, "source")),
            )
            return
        columns = {row[0]: str(row[1]) for row in described}
        self._map_and_load(feed, n, reader, columns, files)

    def _resolve_column(self, name: str, columns: dict[str, str]) -> tuple[str, str] | None:
        """(SQL expression, type) of a source column; dotted names reach into JSON objects."""
        if name in columns:
            return _quote(name), columns[name]
        lowered = {c.lower(): c for c in columns}
        if name.lower() in lowered:  # case differences are forgiven, not silently wrong
            real = lowered[name.lower()]
            return _quote(real), columns[real]
        head, _, rest = name.partition(".")
        if rest and head in columns and columns[head].upper().startswith("STRUCT"):
            path = ".".join(_quote(p) for p in [head, *rest.split(".")])
            return path, "VARCHAR"
        return None

    def _map_and_load(
        self, feed: FeedRun, n: int, reader: str, columns: dict[str, str], files: list[Path]
    ) -> None:
        b, ch = feed.binding, feed.channel.model
        defaults = self.project.settings.defaults
        contract = feed.contract
        selected: dict[str, tuple[str, str]] = {}  # raw column alias -> (expr, type)
        mapped: dict[str, MappedField] = {}
        used_columns: set[str] = set()
        for fname, m in b.fields.items():
            resolved = self._resolve_column(m.column, columns)
            if resolved is None:
                feed.source_draft(
                    "OC-SRC-003",
                    f"column '{m.column}' (for '{fname}') is not in the source",
                    field_name=fname,
                    samples=[(c, 1) for c in sorted(columns)][: self.sample_size]
                    if self.sample_size
                    else [],
                    location=str(feed.channel.feed_location(feed.index, "fields", fname)),
                )
                continue
            expr, st = resolved
            used_columns.add(expr.strip('"').split('"."')[0])
            alias = f"c{len(selected)}"
            selected[alias] = (expr, st)
            tz = m.timezone or ch.timezone or defaults.timezone
            region = m.phone_region or ch.phone_region or defaults.phone_region
            mapped[fname] = map_field(
                fname, contract.fields[fname], m, alias, st if st else "VARCHAR", tz, region
            )
        for fname, value in b.constants.items():
            mapped[fname] = constant_field(fname, contract.fields[fname], value)

        unexpected = [
            c
            for c in columns
            if c not in used_columns and c.lower() not in {u.lower() for u in used_columns}
        ]
        if unexpected and b.unexpected_columns != "ignore":
            feed.source_draft(
                "OC-SRC-004",
                f"{len(unexpected)} source column(s) not mapped: {', '.join(unexpected[:8])}"
                + (" ..." if len(unexpected) > 8 else ""),
                count=len(unexpected),
                samples=[(c, 1) for c in unexpected[: self.sample_size]],
            )
            feed.drafts[-1].total = len(columns)

        raw_table = f"raw_{n}"
        projection = (
            ", ".join(f"{expr} AS {alias}" for alias, (expr, _t) in selected.items())
            or "1 AS c_dummy"
        )
        try:
            self.con.execute(f"CREATE TEMP TABLE {raw_table} AS SELECT {projection} FROM {reader}")
        except duckdb.Error as exc:
            feed.source_draft(
                "OC-SRC-002",
                f"cannot read source: {clean_duckdb_error(exc)}",
                location=str(feed.channel.feed_location(feed.index, "source")),
            )
            return
        feed.rows = int(self.con.execute(f"SELECT count(*) FROM {raw_table}").fetchone()[0])
        for d in feed.drafts:
            if d.code != "OC-SRC-004":
                d.total = feed.rows
        if b.source.resolved_format == "csv":
            self._collect_rejects(feed, f"rejects_{n}", files)
        if feed.rows == 0:
            feed.source_draft("OC-SRC-005", "the source has no rows")
        self._create_view(feed, n, raw_table, mapped)
        assert feed.summary is not None
        feed.summary.rows = feed.rows
        feed.summary.columns_mapped = len(selected)
        feed.summary.fields_supplied = sorted(mapped)
        feed.ok = True

    def _collect_rejects(self, feed: FeedRun, rejects: str, files: list[Path]) -> None:
        """Rows the CSV reader rejected: bad bytes (encoding) and malformed rows."""
        try:
            per_kind = self.con.execute(
                f"SELECT error_type = 'INVALID ENCODING' AS enc, count(DISTINCT (file_id, line)) "
                f"FROM {rejects} GROUP BY ALL"
            ).fetchall()
        except duckdb.Error:
            return
        for is_encoding, count in sorted(per_kind, reverse=True):
            rows = self.con.execute(
                f"SELECT s.file_path, r.line, r.error_type, r.error_message FROM {rejects} r "
                f"JOIN {rejects}_scan s USING (scan_id, file_id) "
                f"WHERE (r.error_type = 'INVALID ENCODING') = ? "
                f"ORDER BY s.file_path, r.line LIMIT ?",
                [is_encoding, max(self.sample_size, 1)],
            ).fetchall()
            path, line = rows[0][0], rows[0][1]
            samples = [
                (f"{Path(p).name}:{ln}: {etype.lower().replace('_', ' ')}", 1)
                for p, ln, etype, _m in rows
            ][: self.sample_size]
            if is_encoding:
                enc = feed.binding.source.encoding
                feed.source_draft(
                    "OC-SRC-002",
                    f"{Path(path).name} is not {enc}: {count} row(s) with invalid bytes "
                    f"(first at line {line}) were skipped",
                    count=int(count),
                    samples=samples,
                    location=f"{path}:{line}",
                )
                feed.drafts[
                    -1
                ].hint = "Declare the file's encoding, e.g. source: {encoding: latin-1}."
            else:
                reason = rows[0][3].split(".")[0]
                feed.source_draft(
                    "OC-SRC-006",
                    f"{count} row(s) rejected by the CSV reader (first: line {line}, {reason})",
                    count=int(count),
                    samples=samples,
                    location=f"{path}:{line}",
                )

    def _create_view(
        self, feed: FeedRun, n: int, raw_table: str, mapped: dict[str, MappedField]
    ) -> None:
        joins: list[tuple[str, str, str]] = []  # (lookup table, raw column alias, output alias)
        for mf in mapped.values():
            if mf.transform == "phone":
                lookup = f"phones_{n}_{mf.name}"
                region = mf.phone_region
                src = mf.source_column
                distinct = self.con.execute(
                    f"SELECT DISTINCT CAST({src} AS VARCHAR) FROM {raw_table} WHERE {src} IS NOT NULL"
                ).fetchall()
                raws = [r[0] for r in distinct]
                intl = bool(mf.mapping and mf.mapping.phone_international)
                normalized = normalize_phones(raws, region, intl)
                self.con.execute(
                    f"CREATE TEMP TABLE {lookup} AS SELECT unnest(?::VARCHAR[]) AS raw, "
                    "unnest(?::VARCHAR[]) AS e164",
                    [raws, normalized],
                )
                joins.append((lookup, src or "", f"j_{mf.name}"))
                mf.value = literal_column(f"j_{mf.name}.e164", String())
        cols: list[ColumnElement[Any]] = [literal_column(f"{raw_table}.rowid").label("__row")]
        for mf in mapped.values():
            cols.append(mf.value.label(mf.name))
            if mf.raw is not None:
                cols.append(mf.raw.label(f"{mf.name}__raw"))
            if mf.naive is not None:
                cols.append(mf.naive.label(f"{mf.name}__naive"))
        stmt = select(*cols)
        from_sql = raw_table
        for lookup, src, alias in joins:
            from_sql += f" LEFT JOIN {lookup} AS {alias} ON {raw_table}.{src} = {alias}.raw"
        body = str(stmt.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
        feed.view_name = f"canon_{n}"
        body = f"{body} FROM {from_sql}"
        # Materialized once: timestamps are parsed and phones looked up a single time, and
        # the copy of the source columns is released.
        self.con.execute(f"CREATE TEMP TABLE {feed.view_name} AS {body}")
        self.con.execute(f"DROP TABLE {raw_table}")
        for lookup, _src, _alias in joins:
            self.con.execute(f"DROP TABLE {lookup}")
        for mf in mapped.values():
            feed.fields[mf.name] = FieldContext(
                name=mf.name,
                spec=mf.spec,
                mapping=mf.mapping,
                value=literal_column(_quote(mf.name)),
                raw=literal_column(_quote(f"{mf.name}__raw")) if mf.raw is not None else None,
                transform=mf.transform,
                naive=literal_column(_quote(f"{mf.name}__naive")) if mf.naive is not None else None,
                constant=mf.constant,
                primary_key=feed.contract.primary_key == mf.name,
                now=self.now,
                future_tolerance_s=self.tolerance_s,
            )

    # ------------------------------------------------------------------ checks
    def run_row_checks(
        self, feed: FeedRun, checks: list[RowCheck], skip: set[tuple[str, str]] | None = None
    ) -> None:
        plan: list[tuple[RowCheck, FieldContext, ColumnElement[bool]]] = []
        for f in feed.fields.values():
            for check in checks:
                if check.applies(f) and (check.code, f.name) not in (skip or set()):
                    plan.append((check, f, check.failing(f)))
        self.checks_run += len(plan)
        if not plan or feed.rows == 0:
            return
        view = feed.view
        stmt = select(
            *[func.count().filter(cond).label(f"k{i}") for i, (_c, _f, cond) in enumerate(plan)]
        ).select_from(view)
        counts = self.fetch(stmt)[0]
        for (check, f, cond), count in zip(plan, counts, strict=True):
            if not count:
                continue
            samples: list[tuple[Any, int]] = []
            if self.sample_size:
                value = check.sample(f)
                sample_stmt = (
                    select(value.label("v"), func.count().label("n"))
                    .select_from(view)
                    .where(cond)
                    .group_by(value)
                    .order_by(func.count().desc(), value)
                    .limit(self.sample_size)
                )
                samples = [(r[0], int(r[1])) for r in self.fetch(sample_stmt)]
            feed.drafts.append(
                feed.draft(check, f, int(count), samples, check.message(f, int(count)))
            )

    def key_table(self, entity: str, field_name: str) -> str | None:
        """Distinct values of ``entity.field`` across every feed of that entity."""
        key = (entity, field_name)
        if key not in self._key_tables:
            sources = [
                f"SELECT CAST({_quote(field_name)} AS VARCHAR) AS k FROM {f.view_name}"
                for f in self.feeds
                if f.ok and f.binding.entity == entity and field_name in f.fields
            ]
            if not sources:
                self._key_tables[key] = None
            else:
                name = f"keys_{len(self._key_tables)}"
                self.con.execute(
                    f"CREATE TEMP TABLE {name} AS SELECT DISTINCT k FROM ({' UNION ALL '.join(sources)}) WHERE k IS NOT NULL"
                )
                self._key_tables[key] = name
        return self._key_tables[key]

    def anti_join(
        self, feed: FeedRun, value: ColumnElement[Any], keys: str
    ) -> tuple[int, list[tuple[Any, int]]]:
        body = (
            f"SELECT v, count(*) AS n, sum(count(*)) OVER () AS total FROM "
            f"(SELECT CAST({value.compile(dialect=self.dialect)} AS VARCHAR) AS v FROM {feed.view_name}) t "
            f"WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.k = t.v) "
            f"GROUP BY v ORDER BY n DESC, v LIMIT ?"
        )
        rows = self.con.execute(body, [max(self.sample_size, 1)]).fetchall()
        self.checks_run += 1
        if not rows:
            return 0, []
        return int(rows[0][2]), [(r[0], int(r[1])) for r in rows[: self.sample_size]]


def _feeds_to_read(
    project: Project, selected_channels: set[str] | None
) -> list[tuple[LoadedChannel, int, FeedBinding, bool]]:
    """(channel, index, feed, selected): unselected feeds are still read when they hold a
    referenced (master) entity, so references and identities resolve."""
    referenced = {
        spec.references.split(".")[0]
        for c in project.contracts.values()
        for spec in c.model.fields.values()
        if spec.references
    } | {project.settings.identity.master}
    todo = [
        (ch, i, fb, selected_channels is None or ch.model.channel in selected_channels)
        for ch, i, fb in project.iter_feeds()
    ]
    return [t for t in todo if t[3] or t[2].entity in referenced]


def _project_checks(project: Project, cross_channel: bool) -> list[Any]:
    from omnicontract.validators.policy import resolve_override

    return [
        c()
        for c in registry().of_kind("project")
        # switched off for the whole project: not run at all
        if resolve_override(project, c, None, None).enabled
        and (cross_channel or not c.cross_channel)  # type: ignore[attr-defined]
    ]


def execute(
    project: Project,
    run: Run,
    selected_channels: set[str] | None = None,
    *,
    cross_channel: bool = True,
) -> list[Draft]:
    """Run every check of ``project`` on ``run``'s engine; return the raw drafts."""
    reg = registry()
    drafts: list[Draft] = []
    for check_cls in reg.of_kind("static"):
        drafts.extend(check_cls().lint(project))  # type: ignore[attr-defined]
    row_checks = [c() for c in reg.of_kind("row")]
    feed_checks = [c() for c in reg.of_kind("feed")]
    todo = _feeds_to_read(project, selected_channels)
    for step, (ch, i, fb, selected) in enumerate(todo, start=1):
        started = time.perf_counter()
        if run.progress:
            run.progress(f"{ch.model.channel}/{fb.name}", step, len(todo))
        feed = FeedRun(run, ch, i, fb, project.contracts[fb.entity].model, selected=selected)
        run.prepare_feed(feed)
        run.feeds.append(feed)
        if feed.ok and selected:
            delegated = run.row_engine(feed) if run.row_engine else set()
            run.run_row_checks(feed, row_checks, skip=delegated)
            for fc in feed_checks:
                feed.drafts.extend(d for d in fc.run(feed) if (d.code, d.field) not in delegated)
                run.checks_run += 1
        if feed.ok:
            run.release_raw(feed)
        if feed.summary:
            feed.summary.seconds = round(time.perf_counter() - started, 3)
        if selected:
            drafts.extend(feed.drafts)
    for pc in _project_checks(project, cross_channel):
        drafts.extend(pc.run(run))
    index = run.identity()
    for res in index.resolutions() if cross_channel else []:
        if res.feed.summary is not None:
            res.feed.summary.resolution, res.feed.summary.resolved_by = index.stats(res)
    return drafts
