"""Portable SQL building blocks: one construct, compiled per dialect.

Checks build their conditions from these, so the same plan compiles for DuckDB (the
default engine) and for PostgreSQL or any other database SQLAlchemy reaches.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Float, Integer, String, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, Executable, FunctionElement
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


# ---------------------------------------------------------------------------------------
# Constructs for statements SQLAlchemy Core has no word for. Identifiers are quoted by the
# dialect's preparer, values rendered by the dialect's literal renderer (escaped), so no
# text from a contract or a flag is ever pasted into SQL.

_OPTION_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def render_literal(value: Any, compiler: Any) -> str:
    """A Python value (str, bool, int, float, None, a list of them, or a dict of them with
    text keys) as an escaped literal."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_literal(v, compiler) for v in value) + "]"
    if isinstance(value, dict):  # a STRUCT literal: {'name': 'VARCHAR', ...}
        items = (
            f"{render_literal(str(k), compiler)}: {render_literal(v, compiler)}"
            for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if value is None:
        return "NULL"
    types: dict[type, Any] = {bool: Boolean(), int: Integer(), float: Float()}
    return str(compiler.render_literal_value(value, types.get(type(value), String())))


class named(ColumnElement[Any]):
    """A named argument of a table function, ``name = value`` (DuckDB's ``read_csv``...):
    the name is one of ours (checked), the value an escaped literal."""

    inherit_cache = False

    def __init__(self, name: str, value: Any):
        if not _OPTION_NAME.match(name):
            raise ValueError(f"not an option name: {name!r}")
        self.name, self.value = name, value


@compiles(named)
def _named(element: named, compiler: Any, **kw: Any) -> str:
    return f"{element.name} = {render_literal(element.value, compiler)}"


class inline(ColumnElement[Any]):
    """A value rendered as an escaped literal (``'a.csv'``, ``['a.csv', 'b.csv']``), for
    places that take no parameters, such as the arguments of a table function."""

    inherit_cache = False

    def __init__(self, value: Any):
        self.value = list(value) if isinstance(value, tuple) else value


@compiles(inline)
def _inline(element: inline, compiler: Any, **kw: Any) -> str:
    return render_literal(element.value, compiler)


def table_function(name: str, *args: Any, **options: Any) -> Any:
    """``name(arg, ..., option = value, ...)`` as a FROM item: ``read_csv([...], header =
    true)``. Every value is an escaped literal; options with value None are left out."""
    positional = [inline(a) for a in args]
    named_args = [named(k, v) for k, v in options.items() if v is not None]
    return getattr(func, name)(*positional, *named_args).table_valued().alias("src")


class struct_path(ColumnElement[Any]):
    """``"col"."key"."sub"``: a key inside a nested (STRUCT) column, every part quoted."""

    inherit_cache = False

    def __init__(self, *parts: str):
        self.parts = parts
        self.type = String()


@compiles(struct_path)
def _struct_path(element: struct_path, compiler: Any, **kw: Any) -> str:
    return ".".join(compiler.preparer.quote_identifier(p) for p in element.parts)


class create_table_as(Executable, ClauseElement):
    """``CREATE [TEMP] TABLE name AS <query>``: materialize a query."""

    inherit_cache = False

    def __init__(self, target: Any, query: Any, *, temporary: bool = True, view: bool = False):
        self.target, self.query, self.temporary, self.view = target, query, temporary, view


@compiles(create_table_as)
def _create_table_as(element: create_table_as, compiler: Any, **kw: Any) -> str:
    kind = ("TEMP " if element.temporary else "") + ("VIEW" if element.view else "TABLE")
    name = compiler.preparer.format_table(element.target)
    return f"CREATE {kind} {name} AS {compiler.process(element.query, **kw)}"


class drop_table(Executable, ClauseElement):
    """``DROP TABLE|VIEW IF EXISTS name``."""

    inherit_cache = False

    def __init__(self, target: Any, *, view: bool = False):
        self.target, self.view = target, view


@compiles(drop_table)
def _drop_table(element: drop_table, compiler: Any, **kw: Any) -> str:
    kind = "VIEW" if element.view else "TABLE"
    return f"DROP {kind} IF EXISTS {compiler.preparer.format_table(element.target)}"


class drop_column(Executable, ClauseElement):
    """``ALTER TABLE name DROP COLUMN col``."""

    inherit_cache = False

    def __init__(self, target: Any, name: str):
        self.target, self.name = target, name


@compiles(drop_column)
def _drop_column(element: drop_column, compiler: Any, **kw: Any) -> str:
    table_name = compiler.preparer.format_table(element.target)
    return f"ALTER TABLE {table_name} DROP COLUMN {compiler.preparer.quote(element.name)}"
