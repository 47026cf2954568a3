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


LONG_LIST = 64  # above this many values, a membership test or value map reads one list


class text_list(ColumnElement[Any]):
    """A list of texts as one value: ``['a', 'b']`` (DuckDB), ``ARRAY['a', 'b']``
    (PostgreSQL). Each item is quoted by the dialect's own literal renderer."""

    inherit_cache = False

    def __init__(self, values: list[str | None]) -> None:
        self.values = list(values)
        self.type = String()


def _items(element: text_list, compiler: Any) -> str:
    text = String()
    return ", ".join(
        "NULL" if v is None else compiler.render_literal_value(str(v), text) for v in element.values
    )


@compiles(text_list)
def _text_list_default(element: text_list, compiler: Any, **kw: Any) -> str:
    return f"[{_items(element, compiler)}]::VARCHAR[]"


@compiles(text_list, "postgresql")
def _text_list_pg(element: text_list, compiler: Any, **kw: Any) -> str:
    return f"ARRAY[{_items(element, compiler)}]::text[]"


def one_of(value: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
    """``value IN values``. A long vocabulary (an enum or value map of 100k entries) is one
    list, unnested, which the engine plans as a hash join, instead of one literal or bound
    parameter per value, which it plans one by one (minutes for 100k)."""
    if len(values) <= LONG_LIST:
        return value.in_(values)
    from sqlalchemy import func, select

    return value.in_(select(func.unnest(text_list(values))).scalar_subquery())


def lookup(key: ColumnElement[Any], table: dict[str, Any]) -> ColumnElement[Any]:
    """The value ``table`` holds for ``key`` (NULL when none): a long value map as one
    keyed lookup over two lists, instead of a CASE of one branch per entry."""
    from sqlalchemy import func, select

    pairs = select(
        func.unnest(text_list(list(table))).label("oc_lookup_key"),
        func.unnest(text_list(list(table.values()))).label("oc_lookup_value"),
    ).subquery("oc_lookup")
    return select(pairs.c.oc_lookup_value).where(pairs.c.oc_lookup_key == key).scalar_subquery()
