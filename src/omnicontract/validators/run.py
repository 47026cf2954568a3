"""A validation run: read each feed once on the run's engine, map it onto its entity,
and run the checks (see ``validators/engines`` for what an engine does).

Per feed, every row check shares one scan of the canonical table: a table of the rows
failing any check (each check's verdict and sample value), from which every check is
counted and its capped samples read. A database feed, a small feed or a run without
samples fuses the checks into a single aggregate query instead, and only checks that fail
run a second, capped query for their samples.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, column, exists, func, or_, select, table, union_all
from sqlalchemy.sql.expression import ColumnElement, Select, TableClause

from omnicontract.contracts.loader import LoadedChannel, Project
from omnicontract.contracts.model import EntityContract, FeedBinding, duration_seconds
from omnicontract.validators.checks.base import Check, Draft, FeedCheck, FieldContext, RowCheck
from omnicontract.validators.engines import engine_class
from omnicontract.validators.engines.base import Engine, EngineOptions
from omnicontract.validators.identity import IdentityIndex
from omnicontract.validators.key_match import key_figures
from omnicontract.validators.period import record_event_period
from omnicontract.validators.queries import most_frequent
from omnicontract.validators.registry import registry
from omnicontract.validators.result import FeedSummary
from omnicontract.validators.sqlfuncs import Unsupported, count_where

if TYPE_CHECKING:
    from omnicontract.validators.database import Database, RemoteView

# progress(label, step, total): label is "<stage> <what>", stage "feed" or "cross-channel"
Progress = Callable[[str, int, int], None]


# below this many rows a feed is small: its row checks run as the fused aggregate and a
# query per failing check (fewer statements than a table of its failing rows), and the
# raw columns it no longer needs stay in its table (dropping them frees next to nothing)
SMALL_FEED_ROWS = 20_000

# a row check of a feed: the check, the field and the condition of a failing row
Planned = tuple[RowCheck, FieldContext, ColumnElement[bool]]


@dataclass
class FeedRun:
    """One feed during a run: its canonical view and the helpers checks query it with."""

    run: Run
    channel: LoadedChannel
    index: int
    binding: FeedBinding
    contract: EntityContract
    view_name: str = ""
    number: int = 0  # position in the run, for names of its tables
    rows: int = 0
    fields: dict[str, FieldContext] = field(default_factory=dict)
    drafts: list[Draft] = field(default_factory=list)
    summary: FeedSummary | None = None
    ok: bool = False
    selected: bool = True
    # a table or query of a database: its own checks run there, until its keys are local
    remote: RemoteView | None = None
    # the file each row came from: engine path -> file name (several files: OC-SRC-009)
    files: dict[str, str] = field(default_factory=dict)

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
        """The canonical table of the feed (columns are referenced by name); for a
        database feed, its canonical query inside that database."""
        if self.remote is not None:
            return self.remote.view
        return table(self.view_name)

    def fetch(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        if self.remote is not None:
            return self.remote.fetch(stmt)
        return self.run.fetch(stmt)

    def top_values(self, stmt: Select[Any]) -> tuple[int, list[tuple[Any, int]]]:
        return self.run.top_values(stmt, self.fetch)

    def unsupported(self, expr: Any) -> str | None:
        """Why this feed's database cannot compute ``expr``, or None when it can."""
        return self.remote.unsupported(expr) if self.remote is not None else None

    def cannot_run(self, check: Check | type[Check], f: FieldContext | None, why: str) -> None:
        """Say that ``check`` could not run on this feed's database (never skip silently)."""
        where = f"'{f.name}'" if f else "this feed"
        self.source_draft(
            "OC-SRC-010",
            f"{check.code} ({check.name}) cannot run on {where}: {why}",
            field_name=f.name if f else None,
        )

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
    """A validation run: the project, its engine, and the per-feed state. Checks ask it
    for data with query-builder statements (``fetch``); the engine runs them."""

    def __init__(
        self,
        project: Project,
        *,
        sample_size: int,
        now: datetime | None = None,
        memory_limit: int | None = None,
        threads: int | None = None,
        progress: Progress | None = None,
        feed_history: Callable[[str, str], list[int]] | None = None,
        engine: str = "duckdb",
        master: str | None = None,
        process_ends: bool = False,
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
        options = EngineOptions(
            memory_limit=memory_limit, threads=threads, master=master, process_ends=process_ends
        )
        self.engine: Engine = engine_class(engine)(options)
        self.feeds: list[FeedRun] = []
        self._key_tables: dict[tuple[str, str], TableClause | None] = {}
        self.checks_run = 0
        self.tolerance_s = duration_seconds(project.settings.policy.future_tolerance)
        self._identity: IdentityIndex | None = None
        self._consent: Any = ""  # the consent state table, once built (None: none)
        self.databases: dict[str, Database | str] = {}  # connection -> open database, or why not
        self.cross_channel = True  # False: each feed on its own (references still run)

    def identity(self) -> IdentityIndex:
        """The cross-channel identity index, built on first use."""
        if self._identity is None:
            self._identity = IdentityIndex(self)
        return self._identity

    def release_raw(self, feed: FeedRun, keep: set[str] | None = None) -> None:
        """Drop the raw-text columns of a feed that no check reads any more (those of
        ``keep`` stay for now); only identity keys keep theirs to the end (the
        cross-channel checks compare raw and normalized keys)."""
        identity = self.project.settings.identity
        keep = (keep or set()) | {k.field_for(feed.binding.entity) for k in identity.keys}
        drop: list[str] = []
        for f in feed.fields.values():
            if f.name in keep:
                continue
            if f.raw is not None:
                drop.append(f"{f.name}__raw")
                f.raw = None
            if f.naive is not None:
                drop.append(f"{f.name}__naive")
                f.naive = None
        if drop and feed.rows >= SMALL_FEED_ROWS:
            self.engine.drop_columns(feed.view_name, drop)

    def close(self) -> None:
        for db in self.databases.values():
            if not isinstance(db, str):
                db.close()
        self.engine.close()

    # ------------------------------------------------------------------ SQL
    def fetch(self, stmt: Any) -> list[tuple[Any, ...]]:
        return self.engine.fetch(stmt)

    def top_values(
        self, stmt: Select[Any], fetch: Callable[[Any], list[tuple[Any, ...]]] | None = None
    ) -> tuple[int, list[tuple[Any, int]]]:
        """``stmt`` selects ``(value, count)`` rows; return the total of the counts and the
        ``sample_size`` most frequent values (ties by value)."""
        rows = (fetch or self.fetch)(most_frequent(stmt, self.sample_size))
        if not rows:
            return 0, []
        return int(rows[0][2]), [(r[0], int(r[1])) for r in rows[: self.sample_size]]

    # ------------------------------------------------------------------ feeds
    def prepare_feed(self, feed: FeedRun) -> None:
        """Read the source once, map it, and create the canonical table (on the engine)."""
        b = feed.binding
        feed.number = len(self.feeds)
        feed.summary = FeedSummary(
            channel=feed.channel_name,
            feed=b.name,
            entity=b.entity,
            source=b.source.display,
        )
        if b.source.is_database and self.engine.takes_database_feeds:
            # checked where it lives (validators/database.py)
            from omnicontract.validators.database import prepare_database_feed

            prepare_database_feed(self, feed)
            return
        if b.source.is_catalog:  # a table of the engine's catalog (Spark)
            self.engine.load_table(feed)
            return
        self.engine.load_feed(feed)

    # ------------------------------------------------------------------ checks
    def run_row_checks(
        self, feed: FeedRun, checks: list[RowCheck], skip: set[tuple[str, str]] | None = None
    ) -> None:
        plan: list[Planned] = []
        for f in feed.fields.values():
            for check in checks:
                if check.applies(f) and (check.code, f.name) not in (skip or set()):
                    cond = check.failing(f)
                    why = feed.unsupported(cond)
                    if why is not None:
                        feed.cannot_run(check, f, why)
                        continue
                    plan.append((check, f, cond))
        self.checks_run += len(plan)
        if not plan or feed.rows == 0:
            return
        failing_rows = self._failing_rows(feed, plan)
        if failing_rows is not None:  # every check counted from the failing rows
            source, values, conds = failing_rows
            stmt = select(*[count_where(c).label(f"k{i}") for i, c in enumerate(conds)])
            counts = list(feed.fetch(stmt.select_from(source))[0])
        else:
            source = feed.view
            stmt = select(
                *[count_where(cond).label(f"k{i}") for i, (_c, _f, cond) in enumerate(plan)]
            ).select_from(source)
            try:
                counts = list(feed.fetch(stmt)[0])
            except Unsupported:  # a database refused the fused query: find the check it was
                plan, counts = self._one_by_one(feed, plan)
            values, conds = [c.sample(f) for c, f, _ in plan], [c for _c, _f, c in plan]
        for i, ((check, f, _cond), count) in enumerate(zip(plan, counts, strict=True)):
            if not count:
                continue
            samples: list[tuple[Any, int]] = []
            if self.sample_size:
                sample_stmt = (
                    select(values[i].label("v"), func.count().label("n"))
                    .select_from(source)
                    .where(conds[i])
                    .group_by(values[i])
                    .order_by(func.count().desc(), values[i])
                    .limit(self.sample_size)
                )
                samples = [(r[0], int(r[1])) for r in feed.fetch(sample_stmt)]
            count = int(count)
            feed.drafts.append(feed.draft(check, f, count, samples, check.message(f, count)))
        if failing_rows is not None:
            self.engine.drop(source.name)

    def _failing_rows(
        self, feed: FeedRun, plan: list[Planned]
    ) -> tuple[TableClause, list[ColumnElement[Any]], list[ColumnElement[Any]]] | None:
        """One scan of the canonical table for every row check of a feed: a table of the
        rows failing any of them, with each check's verdict (``c<i>``) and the sample
        values they show (``v<j>``, one column per distinct value: checks of one field
        share theirs). Each check is then counted, and sampled, from that table: empty
        for a clean feed, at worst (every row failing) the checked columns of the feed.
        Returns the table and, per check of the plan, its value and verdict columns; None
        where the fused aggregate reads the feed instead: a database feed (the run
        writes nothing there), a run without samples (the aggregate is one scan too), a
        feed too small for a table to pay."""
        if feed.remote is not None or not self.sample_size or feed.rows < SMALL_FEED_ROWS:
            return None
        slots: dict[int, str] = {}  # id of a sample expression -> its column
        cols: list[ColumnElement[Any]] = []
        shown: list[str] = []  # per check, the column of its sample value
        for i, (check, f, cond) in enumerate(plan):
            value = check.sample(f)
            if id(value) not in slots:
                slots[id(value)] = f"v{len(slots)}"
                cols.append(value.label(slots[id(value)]))
            shown.append(slots[id(value)])
            cols.append(cond.label(f"c{i}"))
        stmt = select(*cols).select_from(feed.view).where(or_(*(c for _c, _f, c in plan)))
        failing = self.engine.create_table(f"failing_{feed.number}", stmt)
        return (
            failing,
            [failing.c[v] for v in shown],
            [failing.c[f"c{i}"] for i in range(len(plan))],
        )

    def _one_by_one(self, feed: FeedRun, plan: list[Planned]) -> tuple[list[Planned], list[int]]:
        kept, counts = [], []
        for check, f, cond in plan:
            try:
                count = feed.fetch(select(count_where(cond)).select_from(feed.view))
            except Unsupported as exc:
                feed.cannot_run(check, f, str(exc))
                continue
            kept.append((check, f, cond))
            counts.append(count[0][0])
        return kept, counts

    def key_table(self, entity: str, field_name: str) -> TableClause | None:
        """Distinct values ``k`` of ``entity.field`` across every feed of that entity."""
        key = (entity, field_name)
        if key not in self._key_tables:
            sources = [
                select(cast(column(field_name), String()).label("k")).select_from(f.view)
                for f in self.feeds
                if f.ok and f.binding.entity == entity and field_name in f.fields
            ]
            if not sources:
                self._key_tables[key] = None
            else:
                union = union_all(*sources).subquery()
                stmt = select(union.c.k).where(union.c.k.is_not(None)).distinct()
                self._key_tables[key] = self.engine.create_table(
                    f"keys_{len(self._key_tables)}", stmt
                )
        return self._key_tables[key]

    def anti_join(
        self, feed: FeedRun, value: ColumnElement[Any], keys: TableClause
    ) -> tuple[int, list[tuple[Any, int]]]:
        """Values of ``value`` (rows of ``feed``) missing from ``keys``: total rows and the
        most frequent values."""
        t = select(cast(value, String()).label("v")).select_from(feed.view).subquery("t")
        missing = ~exists().where(keys.c.k == t.c.v)
        stmt = (
            select(t.c.v, func.count().label("n"))
            .where(t.c.v.is_not(None), missing)
            .group_by(t.c.v)
        )
        self.checks_run += 1
        total, samples = self.top_values(stmt)
        return total, samples


def _feeds_to_read(
    project: Project, selected_channels: set[str] | None
) -> list[tuple[LoadedChannel, int, FeedBinding, bool]]:
    """(channel, index, feed, selected): unselected feeds are still read when the selected
    ones need them to be judged: a referenced (master) entity, so references and
    identities resolve; a consent log, so contacts are judged against every recorded
    opt-out; a channel a selected feed links to (OC-REF-002); and, where a selected feed
    carries its entity's journey key, the other feeds that carry one (a case stitched
    across channels, OC-JRN-001, OC-TIM-002)."""
    referenced = {
        spec.references.split(".")[0]
        for c in project.contracts.values()
        for spec in c.model.fields.values()
        if spec.references
    } | {project.settings.identity.master, project.settings.consent.entity}
    todo = [
        (ch, i, fb, selected_channels is None or ch.model.channel in selected_channels)
        for ch, i, fb in project.iter_feeds()
    ]
    chosen = [fb for _ch, _i, fb, selected in todo if selected]
    linked = {m.links.partition(".")[0] for fb in chosen for m in fb.fields.values() if m.links}

    def journeys(fb: FeedBinding) -> bool:
        key = project.contracts[fb.entity].model.journey_key
        return key is not None and key in fb.fields

    stitched = any(journeys(fb) for fb in chosen)
    return [
        t
        for t in todo
        if t[3]
        or t[2].entity in referenced
        or t[0].model.channel in linked
        or (stitched and journeys(t[2]))
    ]


def _summarize_resolution(run: Run) -> None:
    """Rows per resolution status and key, on each resolved feed's summary."""
    index = run.identity()
    for res in index.resolutions():
        if res.feed.summary is not None:
            res.feed.summary.resolution, res.feed.summary.resolved_by = index.stats(res)
            res.feed.summary.key_match = key_figures(run, res)


def _run_feed_checks(
    run: Run, feed: FeedRun, checks: list[Any], delegated: set[tuple[str, str]]
) -> None:
    if feed.remote is None:  # the raw texts the row checks read and these do not, go
        wanted = [fc.reads_raw(feed) if isinstance(fc, FeedCheck) else None for fc in checks]
        if None not in wanted:
            run.release_raw(feed, set().union(*wanted))
    for fc in checks:
        try:
            found = list(fc.run(feed))
        except Unsupported as exc:
            feed.cannot_run(fc, None, str(exc))
            found = []
        feed.drafts.extend(d for d in found if (d.code, d.field) not in delegated)
        run.checks_run += 1


def _finish_feed(run: Run, feed: FeedRun, selected: bool) -> None:
    """After a feed's own checks: its event period, then only what the cross-channel
    checks need stays (a database feed's keys come over, a file's raw columns go)."""
    if selected:
        with contextlib.suppress(Unsupported):  # a database refused it: period unknown
            record_event_period(feed)
    if feed.ok and feed.remote is not None:
        feed.remote.localize(feed)  # the keys the cross-channel checks need, in batches
    elif feed.ok:
        run.release_raw(feed)


def _run_project_checks(project: Project, run: Run, cross_channel: bool) -> list[Draft]:
    from omnicontract.validators.policy import project_checks

    checks = project_checks(project, cross_channel)
    drafts: list[Draft] = []
    for step, pc in enumerate(checks, start=1):
        if run.progress:
            run.progress(f"cross-channel {pc.code} {pc.name}", step, len(checks))
        drafts.extend(pc.run(run))
    return drafts


def execute(
    project: Project,
    run: Run,
    selected_channels: set[str] | None = None,
    *,
    cross_channel: bool = True,
) -> list[Draft]:
    """Run every check of ``project`` on ``run``'s engine; return the raw drafts."""
    run.cross_channel = cross_channel
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
            run.progress(f"feed {ch.model.channel}/{fb.name}", step, len(todo))
        feed = FeedRun(run, ch, i, fb, project.contracts[fb.entity].model, selected=selected)
        run.prepare_feed(feed)
        run.feeds.append(feed)
        if feed.ok and selected:
            delegated = run.row_engine(feed) if run.row_engine and not feed.remote else set()
            run.run_row_checks(feed, row_checks, skip=delegated)
            _run_feed_checks(run, feed, feed_checks, delegated)
        _finish_feed(run, feed, selected)
        if feed.summary:
            feed.summary.seconds = round(time.perf_counter() - started, 3)
        if selected:
            drafts.extend(feed.drafts)
    drafts.extend(_run_project_checks(project, run, cross_channel))
    if cross_channel:  # the identity index is built for the cross-channel checks only
        _summarize_resolution(run)
    return drafts
