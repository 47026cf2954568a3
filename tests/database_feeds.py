"""Turn a file-based test project into one whose feeds are tables of a database.

Each CSV feed is read with the very reader a file feed uses (DuckDB, every column as
text, rejected rows left out), loaded into a table of the target database as text
columns, and its binding's source becomes ``{connection: db, table: schema.ch0_f}``.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb
import yaml
from sqlalchemy import Column, MetaData, Table, Text, create_engine, insert, text

from omnicontract.contracts.model import Source
from omnicontract.validators import feeds as feed_readers

# Codes about reading files: a table has no paths, bytes, CSV lines or several files
FILE_ONLY_CODES = {"OC-SRC-001", "OC-SRC-002", "OC-SRC-006", "OC-SRC-009"}


def read_like_a_file_feed(root: Path, source: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """Columns and rows of a CSV feed as the file engine reads them: every column as text,
    the binding's dialect, rows the reader must reject left out."""
    src = Source.model_validate(source)
    if src.resolved_format != "csv":
        raise NotImplementedError(f"a {src.resolved_format} feed (only CSV feeds become tables)")
    files = [f for f in feed_readers.resolve_files(root, src) if f.stat().st_size > 0]
    if not files:
        raise FileNotFoundError(source)
    con = duckdb.connect()
    try:
        rel = con.execute(
            "SELECT * FROM read_csv(?, all_varchar = true, header = ?, delim = ?, quote = ?, "
            "escape = ?, skip = ?, nullstr = ?, store_rejects = true)",
            [
                [str(f) for f in files],
                src.header,
                src.delimiter or ",",
                src.quote or '"',
                src.escape or '"',
                src.skip_rows,
                src.null_values,
            ],
        )
        names = [d[0] for d in rel.description]
        return names, rel.fetchall()
    finally:
        con.close()


def to_database(
    root: Path,
    url: str | None = None,
    schema: str | None = None,
    channels: set[str] | None = None,
) -> Path:
    """Load every feed (or the feeds of ``channels``) of the project at ``root`` into
    ``url`` (default: a SQLite file in the new project), rebind them there and delete
    their files; return the new project's folder (a sibling of ``root``). ``schema``
    keeps cases apart on a shared PostgreSQL database."""
    out = root.with_name(root.name + "_db")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(root, out)
    bound = url or "sqlite:///tables.db"
    engine = create_engine(url or f"sqlite:///{out / 'tables.db'}")
    prefix = f"{schema}." if schema else ""
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            for path in sorted((out / "channels").glob("*.yaml")):
                binding = yaml.safe_load(path.read_text(encoding="utf-8"))
                if channels is not None and binding["channel"] not in channels:
                    continue
                for feed in binding["feeds"]:
                    names, rows = read_like_a_file_feed(out, feed["source"])
                    name = f"{binding['channel']}_{feed['name']}"
                    table = Table(
                        name, MetaData(), *[Column(n, Text()) for n in names], schema=schema
                    )
                    table.create(conn)
                    if rows:
                        conn.execute(
                            insert(table), [dict(zip(names, r, strict=True)) for r in rows]
                        )
                    for file in feed_readers.resolve_files(
                        out, Source.model_validate(feed["source"])
                    ):
                        file.unlink()  # only the table remains
                    feed["source"] = {"connection": "db", "table": prefix + name}
                path.write_text(yaml.safe_dump(binding, sort_keys=False, allow_unicode=True))
    finally:
        engine.dispose()
    settings = yaml.safe_load((out / "omnicontract.yaml").read_text(encoding="utf-8"))
    settings["connections"] = {"db": bound}
    (out / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return out


def new_schema() -> str:
    return f"case_{uuid.uuid4().hex[:10]}"


def findings_key(result: Any, ignore: set[str] = FILE_ONLY_CODES) -> list[tuple[Any, ...]]:
    """What must be identical on every engine: code, channel, feed, field, count."""
    return sorted(
        (f.code, f.channel, f.feed, f.field or "", f.count)
        for f in result.findings
        if f.code not in ignore
    )


def same_findings(on_tables: Any, on_files: Any) -> None:
    """Code, channel, feed, field and count alike (codes about reading files left out),
    nothing that could not run, and the same samples of field and mapping findings."""
    assert findings_key(on_tables) == findings_key(on_files)
    assert not [f for f in on_tables.findings if f.code == "OC-SRC-010"]
    samples = {(f.code, f.channel, f.field): sorted(map(str, f.samples)) for f in on_files.findings}
    for f in on_tables.findings:
        if f.code.startswith(("OC-FLD", "OC-MAP")):
            assert sorted(map(str, f.samples)) == samples[(f.code, f.channel, f.field)], f.code
