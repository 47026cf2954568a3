"""Feeds that are tables or queries of a database: their checks run inside it.

A feed with ``source: {connection: crm, table: sales.customers}`` (or ``query:``) is never
copied. Its canonical view is a subquery compiled for the database's dialect, the
feed's row checks are fused into one aggregate query over it, and its feed checks
(uniqueness, primary key, freshness) run there too. What crosses the wire, all of it in
batches of the connection's ``batch_size``:

1. the row count, one row of counts for the fused row checks, and one small result per
   feed check;
2. for each finding, at most ``policy.sample_size`` failing values with their counts;
3. the distinct raw values of phone fields, normalized to E.164 here (libphonenumber)
   and sent back as one JSON parameter of the queries that need them;
4. after the feed's own checks, the columns the reference and cross-channel checks of
   the run declare they read (:func:`key_fields`, ``ProjectCheck.reads``: identity keys,
   ids, event columns, consent flags, ``same_person`` fields, links, references), loaded
   into the run's DuckDB so those checks join keys from every source. Nothing else of a
   row is fetched.

The connection runs read-only: PostgreSQL in a read-only, repeatable-read transaction
(one snapshot for the whole run), SQLite with ``query_only``. URLs are shown redacted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    MetaData,
    String,
    Table,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    values,
)
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from omnicontract.contracts.model import Connection, LogicalType
from omnicontract.redact import redact
from omnicontract.urls import EnvironmentProblem, backend, expand_password
from omnicontract.validators.normalize import normalize_phones
from omnicontract.validators.sqlfuncs import Refused, Unsupported

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql.expression import Subquery

    from omnicontract.contracts.loader import Project
    from omnicontract.validators.mapping import MappedField
    from omnicontract.validators.run import FeedRun, Run

CONNECT_TIMEOUT_S = 15
CONNECTION_HINT = (
    "Check the connection's URL in the project file, that the database is reachable, and "
    "that the environment variables it names are set."
)
LOCAL_TYPES = {
    LogicalType.string: String(),
    LogicalType.integer: BigInteger(),
    LogicalType.number: Double(),
    LogicalType.boolean: Boolean(),
    LogicalType.date: Date(),
    LogicalType.timestamp: DateTime(timezone=True),
}


class Database:
    """One connection of the project, opened once per run, read-only."""

    def __init__(self, name: str, spec: Connection, engine: Engine, secrets: list[str]):
        self.name = name
        self.spec = spec
        self.engine = engine
        self.secrets = secrets
        self.shown = redact(spec.url, *secrets)
        self.dialect = engine.dialect
        self.rows_fetched = 0  # every row any query of this run brought back
        self.queries = 0
        self._conn: Any = None

    def connection(self) -> Any:
        if self._conn is None:
            conn = self.engine.connect()
            if self.dialect.name == "postgresql":
                conn = conn.execution_options(
                    postgresql_readonly=True, isolation_level="REPEATABLE READ"
                )
            self._conn = conn
        return self._conn

    def explain(self, exc: BaseException) -> str:
        """A database error as one line, without the URL's secrets."""
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = text[0] if text else type(exc).__name__
        return redact(first, *self.secrets)[:300]

    def fetch(self, stmt: Any) -> list[tuple[Any, ...]]:
        try:
            rows = [tuple(r) for r in self.connection().execute(stmt).fetchall()]
        except Unsupported:
            raise
        except SQLAlchemyError as exc:
            self._reset()
            raise Refused(self.explain(exc), f"connection '{self.name}'") from None
        self.queries += 1
        self.rows_fetched += len(rows)
        return rows

    def stream(self, stmt: Any, batch: int | None = None) -> Iterator[list[tuple[Any, ...]]]:
        size = batch or self.spec.batch_size
        streamed = stmt.execution_options(stream_results=True, yield_per=size)
        self.queries += 1
        try:
            for part in self.connection().execute(streamed).partitions(size):
                self.rows_fetched += len(part)
                yield [tuple(r) for r in part]
        except SQLAlchemyError as exc:
            self._reset()
            raise Refused(self.explain(exc), f"connection '{self.name}'") from None

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rollback()
            except SQLAlchemyError:  # pragma: no cover - the connection is gone
                self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rollback()
                self._conn.close()
            except SQLAlchemyError:  # pragma: no cover - closing a broken connection
                pass
        self.engine.dispose()


def _sqlite_setup(dbapi_connection: Any, _record: Any) -> None:
    from omnicontract.validators.sqlite_functions import register

    register(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


def _postgres_setup(dbapi_connection: Any, _record: Any) -> None:
    # every timestamp is read and compared in UTC, as on DuckDB
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def open_database(run: Run, name: str) -> Database | str:
    """The run's connection ``name``, opened on first use; a string says why it cannot be."""
    if name in run.databases:
        return run.databases[name]
    spec = run.project.settings.connections[name]
    run.databases[name] = opened = _open(spec, name, run.project)
    return opened


def _sqlite_file(url: Any, project: Project, name: str, shown: str) -> Any:
    """A SQLite URL with its file resolved from the project folder; like any source, it
    must lie in the project or an allowed data root."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    path = Path(database)
    path = (project.root / path) if not path.is_absolute() else path
    confinement = project.confinement
    if confinement is not None and not confinement.contains(path):
        return f"connection '{name}' ({shown}) is a SQLite file outside the project"
    if not path.is_file():
        return f"connection '{name}': no SQLite database at {path.name}"
    return url.set(database=str(path.resolve()))


def _open(spec: Connection, name: str, project: Project) -> Database | str:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    shown = redact(spec.url)
    try:
        url, password = expand_password(make_url(spec.url), f"connection '{name}'")
    except EnvironmentProblem as exc:
        return str(exc)
    except (SQLAlchemyError, ValueError):
        return f"connection '{name}' ({shown}) is not a SQLAlchemy URL"
    secrets = [password] if password else []
    url_text = spec.url
    kind = backend(url_text)
    if kind == "postgresql" and "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")
    if kind == "sqlite":
        url_or_error = _sqlite_file(url, project, name, shown)
        if isinstance(url_or_error, str):
            return url_or_error
        url = url_or_error
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if kind == "postgresql" else {}
    try:
        engine = create_engine(url, pool_pre_ping=False, connect_args=connect_args)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        extra = "postgres" if kind == "postgresql" else None
        how = f"pip install 'omnicontract[{extra}]'" if extra else f"pip install {missing}"
        return f"connection '{name}' needs the driver {missing}: {how}"
    except (SQLAlchemyError, ValueError) as exc:
        return f"connection '{name}' ({shown}): {redact(str(exc), *secrets)[:200]}"
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_setup)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_setup)
    db = Database(name, spec, engine, secrets)
    try:
        db.connection().execute(select(literal(1)))
    except SQLAlchemyError as exc:
        reason = db.explain(exc)
        db.close()
        return f"cannot connect to '{name}' ({db.shown}): {reason}"
    return db


# ---------------------------------------------------------------- the feed's view


def _source_type(sql_type: Any, dialect: str) -> str:
    """The engine's name of a reflected column type, as the mapping reads it."""
    from sqlalchemy import types

    if dialect == "sqlite":  # SQLite stores dates and booleans as text or numbers
        if isinstance(sql_type, types.Integer) and not isinstance(sql_type, types.Boolean):
            return "BIGINT"
        if isinstance(sql_type, types.Float):
            return "DOUBLE"
        return "VARCHAR"
    if isinstance(sql_type, types.Boolean):
        return "BOOLEAN"
    if isinstance(sql_type, types.Integer):
        return "BIGINT"
    if isinstance(sql_type, types.Float):
        return "DOUBLE"
    if isinstance(sql_type, types.Numeric):
        return "DECIMAL"
    if isinstance(sql_type, types.DateTime):
        return "TIMESTAMPTZ" if getattr(sql_type, "timezone", False) else "TIMESTAMP"
    if isinstance(sql_type, types.Date):
        return "DATE"
    if isinstance(sql_type, types.String):
        return "VARCHAR"
    return "OTHER"  # read as text


def _relation(db: Database, feed: FeedRun) -> tuple[Any, dict[str, str]]:
    """The table or query as a selectable, and its columns with their types."""
    from sqlalchemy import inspect, text

    from omnicontract.contracts.sqlquery import check_query

    src = feed.binding.source
    conn = db.connection()
    if src.table is not None:
        schema, _, name = src.table.rpartition(".")
        reflected = inspect(conn).get_columns(name, schema=schema or None)
        tbl = Table(
            name,
            MetaData(),
            *[Column(c["name"], c["type"]) for c in reflected],
            schema=schema or None,
        )
        return tbl, {c["name"]: _source_type(c["type"], db.dialect.name) for c in reflected}
    assert src.query is not None
    sql = check_query(src.query, db.dialect.name).replace(":", "\\:")
    probe = select(literal_column("*")).select_from(text(sql).columns().subquery("q")).limit(0)
    names = list(conn.execute(probe).keys())
    # a query's columns are read as text, as a CSV export's are
    query = text(sql).columns(*[column(n) for n in names]).subquery("src")
    return query, dict.fromkeys(names, "VARCHAR")


def _lookup(db: Database, pairs: dict[str, str | None], alias: str) -> Any:
    """A (key, value) relation of the pairs, sent as one parameter where the dialect can."""
    name = db.dialect.name
    doc = json.dumps(pairs, ensure_ascii=False)
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        fn = func.jsonb_each_text(cast(bindparam(f"{alias}_p", doc, String()), JSONB))
        return fn.table_valued("key", "value").render_derived(name=alias)
    if name == "sqlite":
        fn = func.json_each(bindparam(f"{alias}_p", doc, String()))
        return fn.table_valued("key", "value").alias(alias)
    rows = list(pairs.items()) or [("", None)]
    return values(column("key", String()), column("value", String()), name=alias).data(rows)


def prepare_database_feed(run: Run, feed: FeedRun) -> None:
    """Reflect the table or query, map it, and leave the feed's checks to run in it."""
    from omnicontract.validators import binding

    src = feed.binding.source
    where = str(feed.channel.feed_location(feed.index, "source"))
    db = open_database(run, src.connection or "")
    if isinstance(db, str):
        feed.source_draft("OC-SRC-002", db, location=where)
        feed.drafts[-1].hint = CONNECTION_HINT
        return
    try:
        relation, columns = _relation(db, feed)
    except NoSuchTableError:
        feed.source_draft(
            "OC-SRC-001", f"no table {src.table} in connection '{db.name}'", location=where
        )
        return
    except (SQLAlchemyError, ValueError) as exc:
        db._reset()
        feed.source_draft(
            "OC-SRC-002", f"cannot read {src.display}: {db.explain(exc)}", location=where
        )
        feed.drafts[-1].hint = "Check the table or query and the connection's privileges."
        return

    def column_types(name: str) -> list[Any] | None:
        from omnicontract.validators.column_types import from_sqlalchemy

        found = {c.name.lower(): c for c in relation.c}.get(name.lower())
        node = from_sqlalchemy(found.type) if found is not None else None
        return [node] if node is not None else None

    bound = binding.bind(feed, columns, types=column_types)
    raw_cols = []
    for alias, (expr, st) in bound.selected.items():
        col = relation.c[expr.name]
        raw_cols.append((col if st != "OTHER" else cast(col, String())).label(alias))
    raw = select(*(raw_cols or [literal(1).label("c_dummy")])).select_from(relation).subquery("raw")
    view = RemoteView(db, raw)
    try:
        rows = int(db.fetch(select(func.count()).select_from(raw))[0][0])
    except Unsupported as exc:
        feed.source_draft("OC-SRC-002", f"cannot read {src.display}: {exc}", location=where)
        return
    feed.rows = rows
    try:
        view.build(feed, bound.mapped)
    except Unsupported as exc:
        feed.source_draft("OC-SRC-002", f"cannot read {src.display}: {exc}", location=where)
        return
    feed.view_name = f"canon_{feed.number}"  # the name its keys will have in the run's engine
    binding.loaded(feed, rows, bound)
    feed.remote = view


class RemoteView:
    """A feed's canonical view inside its database, and the queries on it."""

    def __init__(self, db: Database, raw: Subquery):
        self.db = db
        self.raw = raw
        self.view: Any = None
        self.mapped: dict[str, MappedField] = {}

    def fetch(self, stmt: Any) -> list[tuple[Any, ...]]:
        return self.db.fetch(stmt)

    def unsupported(self, expr: Any) -> str | None:
        try:
            select(expr).compile(dialect=self.db.dialect)
        except Unsupported as exc:
            return str(exc)
        return None

    def build(self, feed: FeedRun, mapped: dict[str, MappedField]) -> None:
        joins = []
        for mf in mapped.values():
            if mf.transform == "phone":
                lookup = self._phone_lookup(mf)
                joins.append((lookup, mf))
                mf.value = lookup.c.value
        for mf in list(mapped.values()):
            parts = [p for p in (mf.value, mf.raw, mf.naive) if p is not None]
            why = self.unsupported(parts[0]) or next(
                (w for w in map(self.unsupported, parts[1:]) if w), None
            )
            if why is not None:
                feed.source_draft(
                    "OC-SRC-010",
                    f"'{mf.name}' cannot be mapped on this database: {why}; its checks did not run",
                    field_name=mf.name,
                )
                del mapped[mf.name]
        from omnicontract.validators.binding import canonical_columns

        cols = canonical_columns(mapped)
        source: Any = self.raw
        for lookup, mf in joins:
            if mf.name in mapped:
                key = cast(self.raw.c[mf.source_column or ""], String())
                source = source.outerjoin(lookup, key == lookup.c.key)
        self.view = (
            select(*(cols or [literal(1).label("c_dummy")])).select_from(source).subquery("canon")
        )
        self.mapped = mapped

    def _phone_lookup(self, mf: MappedField) -> Any:
        """Distinct raw phones, normalized here, as a relation the view joins."""
        raw = cast(self.raw.c[mf.source_column or ""], String())
        stmt = select(raw.label(f"{mf.name}__raw")).where(raw.is_not(None)).distinct()
        raws = [r[0] for batch in self.db.stream(stmt) for r in batch]
        intl = bool(mf.mapping and mf.mapping.phone_international)
        pairs = dict(zip(raws, normalize_phones(raws, mf.phone_region, intl), strict=True))
        return _lookup(self.db, pairs, f"j_{mf.name}")

    # ------------------------------------------------------------ keys to the run's engine
    def localize(self, feed: FeedRun) -> None:
        """Copy the key columns of the feed into the run's engine, in batches; the feed's
        cross-channel and reference checks then read them there like any file's. If the
        database fails on the way, the feed takes no part in them, and says why."""
        try:
            self._localize(feed)
        except Unsupported as exc:
            feed.source_draft(
                "OC-SRC-010",
                f"the key columns could not be fetched ({exc}); this feed takes no part in "
                "the reference and cross-channel checks",
            )
            feed.run.engine.drop(feed.view_name)
            feed.ok = False
            feed.remote = None

    def _localize(self, feed: FeedRun) -> None:
        run = feed.run
        needed = key_fields(run, feed)
        identity = identity_fields(run, feed)
        names: list[str] = []
        types: list[Any] = []
        constants: dict[str, Any] = {}
        for name in needed:
            f = feed.fields[name]
            if f.constant:
                constants[name] = (feed.binding.constants[name], LOCAL_TYPES[f.spec.type])
                continue
            names.append(name)
            types.append(LOCAL_TYPES[f.spec.type])
            if f.raw is not None and name in identity:
                names.append(f"{name}__raw")
                types.append(String())
        target = None
        offset = 0
        batches = (
            self.db.stream(select(*[column(n) for n in names]).select_from(self.view))
            if names
            else iter([[()] * feed.rows] if feed.rows else [])
        )
        for batch in batches:
            stmt = _batch_select(names, types, constants, batch, offset)
            if target is None:
                target = run.engine.create_table(feed.view_name, stmt)
            else:
                run.engine.append(target, stmt)
            offset += len(batch)
        if target is None:  # no rows: an empty table of the same shape
            run.engine.create_table(feed.view_name, _batch_select(names, types, constants, [], 0))
        for name in list(feed.fields):
            if name not in needed:
                del feed.fields[name]
                continue
            f = feed.fields[name]
            if f"{name}__raw" not in names:
                f.raw = None
            f.naive = None
        feed.remote = None


def _batch_select(
    names: list[str],
    types: list[Any],
    constants: dict[str, tuple[Any, Any]],
    batch: list[tuple[Any, ...]],
    offset: int,
) -> Any:
    """One batch of key rows as a query the run's engine materializes: each column a
    bound list, unnested side by side, with the feed's constants and row numbers."""
    exprs: list[Any] = []
    for i, (name, sql_type) in enumerate(zip(names, types, strict=True)):
        values_i = [_plain(row[i]) for row in batch]
        exprs.append(cast(func.unnest(bindparam(f"p{i}", values_i)), sql_type).label(name))
    rows = list(range(offset, offset + len(batch)))
    exprs.append(cast(func.unnest(bindparam("rows", rows)), BigInteger()).label("__row"))
    select_ = select(*exprs)
    wrapped = select_.subquery("b")
    consts = [cast(literal(v), t).label(n) for n, (v, t) in constants.items()]
    return select(*wrapped.c, *consts)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plain(value: Any) -> Any:
    """A value DuckDB takes as a list element (decimals as floats, text as it is)."""
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def identity_fields(run: Run, feed: FeedRun) -> set[str]:
    return {k.field_for(feed.binding.entity) for k in run.project.settings.identity.keys}


def key_fields(run: Run, feed: FeedRun) -> list[str]:
    """The canonical fields of a database feed that cross the wire after its own checks:
    those the run's reference and cross-channel checks declare they read
    (``ProjectCheck.reads``), and what the run's resolution figures read
    (``docs/engines.md``)."""
    from omnicontract.validators.identity import resolution_fields
    from omnicontract.validators.policy import project_checks

    names: set[str] = set()
    for check in project_checks(run.project, run.cross_channel):
        names |= check.reads(run, feed)
    if run.cross_channel:  # each resolved feed's summary: rows per status and key
        names |= resolution_fields(run, feed)
    return sorted(n for n in names if n in feed.fields)
