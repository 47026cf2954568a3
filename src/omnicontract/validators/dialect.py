"""The SQLAlchemy dialect the DuckDB engine compiles its statements with.

Statements are only compiled here (the engine executes them on its own DuckDB
connection), so this is the compiler alone: SQLAlchemy's default compiler with DuckDB's
spelling of the few things that differ (time-zone-aware timestamps, ``ILIKE``, regular
expressions, an ``OFFSET`` without a ``LIMIT``, native booleans, true division). It imports nothing beyond SQLAlchemy's core, which keeps the PostgreSQL
dialect and its drivers' modules off the start-up path of every run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.sql import compiler


class DuckDBTypeCompiler(compiler.GenericTypeCompiler):
    def _timestamp(self, type_: Any) -> str:
        return "TIMESTAMP WITH TIME ZONE" if getattr(type_, "timezone", False) else "TIMESTAMP"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return self._timestamp(type_)

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return self._timestamp(type_)

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        return self._timestamp(type_)

    def visit_double(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"  # DuckDB's FLOAT is single precision

    def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
        return f"{self.process(type_.item_type, **kw)}[]"


class DuckDBCompiler(compiler.SQLCompiler):
    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"{self.process(binary.left, **kw)} ILIKE {self.process(binary.right, **kw)}"

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"{self.process(binary.left, **kw)} NOT ILIKE {self.process(binary.right, **kw)}"

    def visit_regexp_match_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        # a match anywhere in the string, as SQLAlchemy's regexp_match means it
        return (
            f"regexp_matches({self.process(binary.left, **kw)}, {self.process(binary.right, **kw)})"
        )

    def visit_not_regexp_match_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        return f"NOT {self.visit_regexp_match_op_binary(binary, operator, **kw)}"

    def visit_regexp_replace_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        replacement = binary.modifiers["replacement"]
        return (
            f"regexp_replace({self.process(binary.left, **kw)}, "
            f"{self.process(binary.right, **kw)}, {self.process(replacement, **kw)}, 'g')"
        )

    def limit_clause(self, select: Any, **kw: Any) -> str:
        text = ""
        if select._limit_clause is not None:
            text += " \n LIMIT " + self.process(select._limit_clause, **kw)
        if select._offset_clause is not None:
            text += " \n OFFSET " + self.process(select._offset_clause, **kw)
        return text


class DuckDBIdentifierPreparer(compiler.IdentifierPreparer):
    """Every name is quoted. A source's column may be called ``at``, ``pivot`` or
    ``qualify``, which DuckDB's grammar reads as keywords in places where SQLAlchemy's list
    of reserved words does not know them; quoted, a name is only a name (DuckDB matches
    quoted names without regard to case, as unquoted ones)."""

    def _requires_quotes(self, value: str) -> bool:
        return True


class DuckDBDialect(DefaultDialect):
    name = "duckdb"
    statement_compiler = DuckDBCompiler
    preparer = DuckDBIdentifierPreparer
    type_compiler_cls = DuckDBTypeCompiler
    supports_native_boolean = True
    supports_statement_cache = True
    div_is_floordiv = False  # DuckDB's / divides exactly; // is the integer division
    supports_multivalues_insert = True


def duckdb_dialect() -> DuckDBDialect:
    """A dialect instance compiling with ``?`` placeholders, as DuckDB's Python API takes."""
    return DuckDBDialect(paramstyle="qmark")
