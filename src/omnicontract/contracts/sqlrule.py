"""What a contract's SQL rule may be: one SELECT that reads only the entity's own rows.

A rule comes with a contract, so from a pull request or a vendor. It is parsed with
sqlglot (DuckDB's dialect) and must be exactly one read-only SELECT (see
:mod:`omnicontract.contracts.sqlquery`) whose every table is the entity itself (or a
CTE of the query), with no table function (``read_csv``, ``glob``, ``query`` ...) and no
function that reaches files, settings, secrets or other databases. What runs is
sqlglot's rendering of the checked tree with the entity's name replaced by the feed's
table, under a time limit.
"""

from __future__ import annotations

import re
from typing import Any

from omnicontract.contracts.sqlquery import QueryError, checked_tree

# DuckDB functions that read files or other databases, reveal settings or secrets, or run
# SQL of their own; any function whose name starts with one of these is refused
_REFUSED = re.compile(
    r"^(read_|parquet_|sniff_|glob|getenv|current_setting|duckdb_|pragma_|query|"
    r"which_secret|load|install|http|s3|iceberg|delta_|sqlite_|postgres_|mysql_|system|"
    r"enable_|disable_|set_|checkpoint|force_checkpoint|copy|export|import|attach|detach|"
    r"json_execute|execute|prepare|make_secret|ducklake|arrow_scan|seq_scan|"
    r"test_|shell|md_|motherduck)",
    re.IGNORECASE,
)
# the table as a rule names it: {model}, ${table}, '{object}', ...; a {schema}. before it
# names no schema here (the rows are the feed's)
PLACEHOLDER = re.compile(
    r"""(?:["']?\$?\{schema\}["']?\.)?["']?\$?\{(?:model|table|object)\}["']?"""
)
TIME_LIMIT_S = 60


class OtherTable(QueryError):
    """A well-formed, read-only query that reads a table other than the rule's own."""


def parse_rule(query: str, entity: str) -> Any:
    """The checked tree of a rule's query; QueryError naming what is not allowed."""
    from sqlglot import exp

    query = PLACEHOLDER.sub(entity, query)
    tree = checked_tree(query, "duckdb")  # one read-only SELECT
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    for node in tree.walk():
        if isinstance(node, exp.Table):
            if not isinstance(node.this, exp.Identifier) or node.args.get("db"):
                raise QueryError(f"a rule reads only the table '{entity}', not a function or path")
            name = node.name.lower()
            if name != entity.lower() and name not in ctes:
                raise OtherTable(f"a rule reads only the table '{entity}', not '{node.name[:60]}'")
        elif isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if _REFUSED.match(name or "") or type(node).__name__.startswith("Read"):
                raise QueryError(f"a rule may not call {str(name).lower()[:60]}()")
    return tree


def render(tree: Any, entity: str, table: str) -> str:
    """The rule's SQL with the entity's table replaced by ``table`` (the feed's rows)."""
    from sqlglot import exp

    def swap(node: Any) -> Any:
        if isinstance(node, exp.Table) and node.name.lower() == entity.lower():
            alias = node.alias or node.name
            return exp.to_table(table).as_(alias) if alias else exp.to_table(table)
        return node

    return tree.copy().transform(swap).sql(dialect="duckdb")


def problem(query: str, entity: str) -> str | None:
    """Why ``query`` cannot be a rule of ``entity``, or None."""
    try:
        parse_rule(query, entity)
    except QueryError as exc:  # OtherTable included
        return str(exc)
    except Exception as exc:  # sqlglot raises several kinds on odd input
        return f"the query does not parse: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    return None


def unsafe(query: str, entity: str) -> bool:
    """Whether ``query`` is refused for what it is (not one read-only SELECT, a function
    or path it may not reach, not SQL at all) rather than for reading another table."""
    try:
        parse_rule(query, entity)
    except OtherTable:
        return False
    except Exception:  # QueryError, and sqlglot's own kinds on odd input
        return True
    return False
