"""DuckDB database files: a feed is one table of each file (``source: {path:
sales.duckdb, table: sales.orders}``), read where it is.

Each file is attached to the run's connection read-only, under a name of the run's own,
and only a base table is read: a view or a macro stored in the file holds SQL that would
run with the run's rights, so a view is refused as unreadable. The table's typed columns
are used as they are, as a Parquet file's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import column, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from omnicontract.validators.feeds.csv import FILE


class _InFile(TableClause):
    """``"catalog"."schema"."table"``: a table of an attached database, every part quoted."""

    inherit_cache = False

    def __init__(self, catalog: str, schema: str, name: str):
        super().__init__(name)
        self.parts = (catalog, schema, name)


@compiles(_InFile)
def _in_file(element: _InFile, compiler: Any, **kw: Any) -> str:
    return ".".join(compiler.preparer.quote_identifier(p) for p in element.parts)


def split_table(name: str) -> tuple[str, str]:
    """``schema.table`` or ``table`` (in ``main``) as (schema, table)."""
    schema, _, table = name.rpartition(".")
    return schema or "main", table


def attach(engine: Any, path: Path, table: str) -> Any:
    """Attach ``path`` read-only and return the FROM item of its base table ``table``;
    ValueError says why it cannot be read (no such table, a view)."""
    catalog = f"oc_file_{len(engine.attached)}"
    quoted = engine.dialect.identifier_preparer.quote_identifier(catalog)
    # the path is a parameter; the name is the run's own, quoted
    engine.con.execute("ATTACH ? AS " + quoted + " (READ_ONLY)", [str(path)])
    engine.attached.append(catalog)
    schema, name = split_table(table)
    for kind, listing in (("table", "duckdb_tables"), ("view", "duckdb_views")):
        listed = getattr(func, listing)().table_valued(
            "database_name", "schema_name", f"{kind}_name"
        )
        found = engine.fetch(
            select(listed.c.schema_name, listed.c[f"{kind}_name"]).where(
                listed.c.database_name == catalog,
                func.lower(listed.c.schema_name) == schema.lower(),
                func.lower(listed.c[f"{kind}_name"]) == name.lower(),
            )
        )
        if found and kind == "table":
            return _InFile(catalog, str(found[0][0]), str(found[0][1]))
        if found:
            raise ValueError(f"'{table}' is a view: only tables are read (its SQL would run)")
    raise ValueError(f"there is no table '{table}'")


def read_expression(files: list[Path], tables: list[Any], columns: list[str]) -> Any:
    """The rows of each file's table (its ``columns``, in one order for every file), with
    the file they come from."""
    selects = [
        select(*[column(c) for c in columns], literal(str(f)).label(FILE)).select_from(t)
        for f, t in zip(files, tables, strict=True)
    ]
    body = union_all(*selects) if len(selects) > 1 else selects[0]
    return body.subquery("src")
