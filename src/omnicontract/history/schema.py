"""Tables of the run store, and the ordered steps that bring an older store up to date.

The store records its version in ``schema_version``. Opening a store runs every step
above that version, in order, inside one transaction that also holds the store's write
lock, so two processes opening an old store at once migrate it once. A step never
drops what an older version wrote: runs recorded by any earlier version stay readable.

Versions:

1. ``runs`` (one row per run, with the full result document) and ``check_figures``
   (one row per finding).
2. Contract versions, per-channel readiness, checks run and rows on ``runs``;
   ``feed_figures`` (one row per feed); indexes. Back-filled from the documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
    update,
)

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(200), nullable=False),
    Column("started_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("finished_at", String(40)),
    Column("seconds", Float),
    Column("engine", String(40)),
    Column("fail_on", String(10)),
    Column("passed", Boolean),
    Column("readiness", Float),
    Column("errors", Integer),
    Column("warnings", Integer),
    Column("infos", Integer),
    Column("document", Text, nullable=False),  # RunResult.to_dict(), as JSON
    # version 2
    Column("contracts", Text),  # JSON: entity -> version
    Column("channel_readiness", Text),  # JSON: channel -> readiness
    Column("checks_run", Integer),
    Column("row_count", Integer),
    Index("ix_runs_project_started", "project", "started_at", "id"),
)

check_figures = Table(
    "check_figures",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(20), nullable=False),
    Column("channel", String(100)),
    Column("feed", String(100)),
    Column("field", String(100)),
    Column("severity", String(10), nullable=False),
    Column("count", Integer),
    Column("total", Integer),
    Index("ix_check_figures_run", "run_id"),
)

feed_figures = Table(
    "feed_figures",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("feed", String(100), nullable=False),
    Column("entity", String(100)),
    Column("row_count", Integer),
    Column("seconds", Float),
    Column("channel_readiness", Float),
    Index("ix_feed_figures_run", "run_id"),
    Index("ix_feed_figures_feed", "channel", "feed"),
)

CURRENT_VERSION = 2


# ------------------------------------------------------------------ migration steps


def _create_v1(conn: Connection) -> None:
    """Version 1, as it shipped: written out in full so that it never changes."""
    conn.execute(
        text(
            "CREATE TABLE runs ("
            " id {serial} PRIMARY KEY, project VARCHAR(200) NOT NULL,"
            " started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40), seconds FLOAT,"
            " engine VARCHAR(40), fail_on VARCHAR(10), passed BOOLEAN, readiness FLOAT,"
            " errors INTEGER, warnings INTEGER, infos INTEGER, document TEXT NOT NULL)".format(
                serial="SERIAL" if conn.dialect.name == "postgresql" else "INTEGER"
            )
        )
    )
    conn.execute(
        text(
            "CREATE TABLE check_figures ("
            " run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
            " code VARCHAR(20) NOT NULL, channel VARCHAR(100), feed VARCHAR(100),"
            " field VARCHAR(100), severity VARCHAR(10) NOT NULL, count INTEGER, total INTEGER)"
        )
    )


def _to_v2(conn: Connection) -> None:
    for statement in (  # written out in full, like version 1
        "ALTER TABLE runs ADD COLUMN contracts TEXT",
        "ALTER TABLE runs ADD COLUMN channel_readiness TEXT",
        "ALTER TABLE runs ADD COLUMN checks_run INTEGER",
        "ALTER TABLE runs ADD COLUMN row_count INTEGER",
    ):
        conn.execute(text(statement))
    feed_figures.create(conn)
    for index in (*runs.indexes, *check_figures.indexes):
        index.create(conn)
    # back-fill from the documents the older version stored
    for run_id, document in conn.execute(select(runs.c.id, runs.c.document)).all():
        doc = json.loads(document)
        figures = summary_columns(doc)
        conn.execute(update(runs).where(runs.c.id == run_id).values(**figures))
        feeds = feed_rows(run_id, doc)
        if feeds:
            conn.execute(feed_figures.insert(), feeds)


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [(1, _create_v1), (2, _to_v2)]


def migrate(conn: Connection) -> int:
    """Bring the store up to :data:`CURRENT_VERSION` (call inside a write transaction).
    Returns the version found; a store newer than this code is refused by the caller."""
    if not inspect(conn).has_table("schema_version"):
        schema_version.create(conn)
    found = conn.execute(select(schema_version.c.version)).scalar()
    if found is None:
        conn.execute(schema_version.insert().values(version=0))
        found = 0
    if found >= CURRENT_VERSION:
        return found
    for version, step in MIGRATIONS:
        if version > found:
            step(conn)
    conn.execute(update(schema_version).values(version=CURRENT_VERSION))
    return found


# ------------------------------------------------------------------ rows from a document


def summary_columns(doc: dict[str, Any]) -> dict[str, Any]:
    """The version-2 columns of ``runs``, from a result document."""
    view = doc.get("unified_view") or {}
    return {
        "contracts": json.dumps(doc.get("contracts", {}), sort_keys=True),
        "channel_readiness": json.dumps(
            {c["channel"]: c.get("readiness") for c in view.get("channels", [])}
        ),
        "checks_run": (doc.get("summary") or {}).get("checks_run"),
        "row_count": (doc.get("summary") or {}).get("rows"),
    }


def feed_rows(run_id: int, doc: dict[str, Any]) -> list[dict[str, Any]]:
    readiness = {
        c["channel"]: c.get("readiness")
        for c in (doc.get("unified_view") or {}).get("channels", [])
    }
    return [
        {
            "run_id": run_id,
            "channel": ch["channel"],
            "feed": feed["feed"],
            "entity": feed.get("entity"),
            "row_count": feed.get("rows"),
            "seconds": feed.get("seconds"),
            "channel_readiness": readiness.get(ch["channel"]),
        }
        for ch in doc.get("channels", [])
        for feed in ch.get("feeds", [])
    ]
