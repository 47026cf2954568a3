"""What a feed's ``query:`` may be: exactly one read-only SELECT.

The query is parsed with sqlglot in the connection's dialect. It must be a single
SELECT (set operations and CTEs included) with no statement that writes, creates,
locks, changes a setting or calls a function known to reach outside the database or to
change state. What runs is sqlglot's rendering of the parsed tree, so the text that was
checked is the text that runs. The database adds its own guard: queries run in a
read-only transaction where the dialect has one (see ``docs/engines.md``).
"""

from __future__ import annotations

from typing import Any

SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "duckdb": "duckdb",
    "redshift": "redshift",
    "trino": "trino",
    "databricks": "databricks",
    "clickhouse": "clickhouse",
}

# functions with side effects, or that read files, other servers or the clock of a lock
BLOCKED_FUNCTIONS = set(
    [
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "pg_sleep",
        "pg_sleep_for",
        "pg_sleep_until",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_promote",
        "set_config",
        "nextval",
        "setval",
        "lo_import",
        "lo_export",
        "lo_unlink",
        "lo_create",
        "lo_from_bytea",
        "lo_put",
        "dblink",
        "dblink_exec",
        "dblink_connect",
        "dblink_send_query",
        "query_to_xml",
        "query_to_xml_and_xmlschema",
        "cursor_to_xml",
        "table_to_xml",
        "pg_advisory_lock",
        "pg_advisory_xact_lock",
        "pg_try_advisory_lock",
        "pg_logical_emit_message",
        "pg_create_restore_point",
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
        "sleep",
        "benchmark",
        "load_file",
        "sys_exec",
        "sys_eval",
        "xp_cmdshell",
        "openrowset",
        "opendatasource",
        "utl_http",
        "utl_file",
        "dbms_lock",
    ]
)


class QueryError(ValueError):
    """The query is not one read-only SELECT; the message says why (without echoing it)."""


def _blocked_nodes() -> tuple[type, ...]:
    from sqlglot import exp

    names = [
        "DML",
        "DDL",
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "Into",
        "Lock",
        "Command",
        "Copy",
        "Pragma",
        "Attach",
        "Detach",
        "Set",
        "Transaction",
        "Commit",
        "Rollback",
        "Use",
        "Grant",
        "Revoke",
        "TruncateTable",
        "Analyze",
        "LoadData",
        "Cache",
        "Uncache",
        "Refresh",
        "Execute",
        "Kill",
        "Show",
        "Describe",
        "Comment",
        "Summarize",
    ]
    return tuple(getattr(exp, n) for n in names if hasattr(exp, n))


def check_query(query: str, backend: str | None) -> str:
    """The query as it will run, rendered by sqlglot for ``backend``; QueryError if it
    is not exactly one read-only SELECT."""
    from sqlglot.errors import SqlglotError

    try:
        return str(checked_tree(query, backend).sql(dialect=SQLGLOT_DIALECTS.get(backend or "")))
    except SqlglotError as exc:  # pragma: no cover - a parsed tree renders
        raise QueryError(f"the query cannot be rendered: {str(exc)[:120]}") from None


def checked_tree(query: str, backend: str | None) -> Any:
    """The parsed tree of ``query`` in ``backend``'s dialect; QueryError if it is not
    exactly one read-only SELECT."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    dialect = SQLGLOT_DIALECTS.get(backend or "")
    try:
        statements = [s for s in sqlglot.parse(query, read=dialect) if s is not None]
    except SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise QueryError(f"the query does not parse: {first[:120]}") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply") from None
    if len(statements) != 1:
        raise QueryError(f"a query must be exactly one SELECT statement, not {len(statements)}")
    root = statements[0]
    if isinstance(root, exp.Subquery):
        root = root.unnest()
    selects = (exp.Select, getattr(exp, "SetOperation", exp.Union))
    if not isinstance(root, selects):
        raise QueryError(f"a query must be a SELECT, not {root.key.upper()}")
    blocked = _blocked_nodes()
    for node in root.walk():
        if isinstance(node, blocked):
            raise QueryError(f"a query may only read: {node.key.upper()} is not allowed")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in BLOCKED_FUNCTIONS:
                raise QueryError(f"a query may not call {name}()")
        if isinstance(node, exp.Select) and node.args.get("locks"):
            raise QueryError("a query may not lock rows (FOR UPDATE / FOR SHARE)")
    return root
