"""Turn a file-based test project into one whose feeds are tables of a Spark catalog.

Each CSV feed is read with the very reader a file feed uses (``database_feeds``: DuckDB,
every column as text, rejected rows left out), saved as a table of ``database`` in the
session's catalog (the in-memory catalog of a local session, the Hive metastore of the
Connect server), and its binding's source becomes ``{table: database.ch0_f}``.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import yaml

from omnicontract.contracts.model import Source
from omnicontract.validators import feeds as feed_readers
from tests.database_feeds import read_like_a_file_feed


def new_database() -> str:
    return f"case_{uuid.uuid4().hex[:10]}"


def create_database(session: Any, database: str) -> None:
    session.sql("CREATE DATABASE IF NOT EXISTS IDENTIFIER(:db)", args={"db": database})


def drop_database(session: Any, database: str) -> None:
    session.sql("DROP DATABASE IF EXISTS IDENTIFIER(:db) CASCADE", args={"db": database})


def save_table(session: Any, name: str, frame: Any) -> None:
    frame.write.mode("overwrite").format("parquet").saveAsTable(name)


def to_catalog(root: Path, session: Any, database: str) -> Path:
    """Save every feed of the project at ``root`` as a table of ``database`` (created),
    rebind the feeds there and delete their files; the new project's folder."""
    from pyspark.sql.types import StringType, StructField, StructType

    out = root.with_name(root.name + "_tables")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(root, out)
    create_database(session, database)
    for path in sorted((out / "channels").glob("*.yaml")):
        binding = yaml.safe_load(path.read_text(encoding="utf-8"))
        for feed in binding["feeds"]:
            names, rows = read_like_a_file_feed(out, feed["source"])
            schema = StructType([StructField(n, StringType()) for n in names])
            name = f"{database}.{binding['channel']}_{feed['name']}"
            save_table(session, name, session.createDataFrame(rows, schema))
            for file in feed_readers.resolve_files(out, Source.model_validate(feed["source"])):
                file.unlink()  # only the table remains
            feed["source"] = {"table": name}
        path.write_text(yaml.safe_dump(binding, sort_keys=False, allow_unicode=True))
    return out
