"""Portable SQL building blocks: one construct, compiled per dialect.

Checks build their conditions from these, so the same plan compiles for DuckDB (the
default engine) and for PostgreSQL or any other database SQLAlchemy reaches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import Boolean


class full_match(FunctionElement[bool]):
    """True when the whole string matches the regular expression."""

    type = Boolean()
    inherit_cache = True
    name = "full_match"


@compiles(full_match)
def _full_match_default(element: full_match, compiler: Any, **kw: Any) -> str:
    value, pattern = list(element.clauses)
    return f"regexp_full_match({compiler.process(value, **kw)}, {compiler.process(pattern, **kw)})"


@compiles(full_match, "postgresql")
def _full_match_pg(element: full_match, compiler: Any, **kw: Any) -> str:
    value, pattern = list(element.clauses)
    return (
        f"({compiler.process(value, **kw)} ~ ('^(?:' || {compiler.process(pattern, **kw)} || ')$'))"
    )


def matches(value: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    return full_match(value, literal(pattern, String()))


class text_length(FunctionElement[int]):
    inherit_cache = True
    name = "text_length"


@compiles(text_length)
def _length_default(element: text_length, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"length({compiler.process(value, **kw)})"


@compiles(text_length, "postgresql")
def _length_pg(element: text_length, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"char_length({compiler.process(value, **kw)})"


class try_cast(ColumnElement[Any]):
    """``TRY_CAST(value AS type)``: NULL instead of an error when the value does not fit."""

    inherit_cache = True

    def __init__(self, value: ColumnElement[Any], sql_type: str):
        self.value = value
        self.sql_type = sql_type
        self.type = String()

    @property
    def _from_objects(self) -> list[Any]:  # pragma: no cover - SQLAlchemy protocol
        return self.value._from_objects


@compiles(try_cast)
def _try_cast_default(element: try_cast, compiler: Any, **kw: Any) -> str:
    return f"TRY_CAST({compiler.process(element.value, **kw)} AS {element.sql_type})"
