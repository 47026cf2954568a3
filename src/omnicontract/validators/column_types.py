"""A source column's own type against the type a binding declares for it (``column_type``,
OC-SRC-011), for sources that carry types: Parquet files and DuckDB tables (as DuckDB
reads them), database tables (as SQLAlchemy reflects them) and Spark reads of Parquet and
catalog tables. Text sources (CSV, JSON) carry none and are not judged.

``integer`` and ``number`` accept each other, as ODCS tools read them; object fields are
matched without regard to case. A column whose type has no category (a map, a blob, an
interval) meets no declared type but ``any``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from omnicontract.contracts.column_types import describe

_NUMERIC = {"integer", "number"}

# DuckDB type ids -> category
_DUCKDB = {
    "varchar": "string",
    "uuid": "string",
    "enum": "string",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "time with time zone": "time",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "list": "array",
    "array": "array",
    "struct": "object",
}
for _id in ("tinyint", "smallint", "integer", "bigint", "hugeint"):
    _DUCKDB[_id] = _DUCKDB["u" + _id] = "integer"
for _id in ("timestamp", "timestamp with time zone", "timestamp_s", "timestamp_ms", "timestamp_ns"):
    _DUCKDB[_id] = "timestamp"


@dataclass
class Node:
    """A column's own type, engine-neutral: its category (None: none of them), how the
    engine writes it, and the items of an array or the fields of an object."""

    category: str | None
    shown: str
    items: Node | None = None
    fields: dict[str, Node] = dataclass_field(default_factory=dict)


def from_duckdb(type_name: str) -> Node:
    """The node of a DuckDB type as DuckDB writes it (``STRUCT(a INTEGER, b VARCHAR[])``)."""
    import duckdb

    return _duckdb(duckdb.sqltype(type_name))


def _duckdb(t: Any) -> Node:
    node = Node(_DUCKDB.get(str(t.id)), str(t))
    if node.category == "array":
        node.items = _duckdb(t.children[0][1])
    elif node.category == "object":
        node.fields = {str(name): _duckdb(sub) for name, sub in t.children}
    return node


def from_spark(t: Any) -> Node:
    """The node of a Spark ``DataType``."""
    from pyspark.sql import types as T

    kinds = [
        ((T.BooleanType,), "boolean"),
        ((T.ByteType, T.ShortType, T.IntegerType, T.LongType), "integer"),
        ((T.FloatType, T.DoubleType, T.DecimalType), "number"),
        ((T.StringType, T.CharType, T.VarcharType), "string"),
        ((T.TimestampType, T.TimestampNTZType), "timestamp"),
        ((T.DateType,), "date"),
        ((T.ArrayType,), "array"),
        ((T.StructType,), "object"),
    ]
    category = next((k for classes, k in kinds if isinstance(t, classes)), None)
    node = Node(category, t.simpleString())
    if isinstance(t, T.ArrayType):
        node.items = from_spark(t.elementType)
    elif isinstance(t, T.StructType):
        node.fields = {f.name: from_spark(f.dataType) for f in t.fields}
    return node


def from_sqlalchemy(t: Any) -> Node | None:
    """The node of a reflected column type; None when the database did not say (a
    query's column)."""
    from sqlalchemy import types as T

    if isinstance(t, T.NullType):
        return None
    kinds = [
        (T.Boolean, "boolean"),
        (T.Integer, "integer"),
        (T.Numeric, "number"),  # Float too
        ((T.String, T.Enum, T.Uuid), "string"),
        (T.DateTime, "timestamp"),
        (T.Date, "date"),
        (T.Time, "time"),
        (T.ARRAY, "array"),
    ]
    category = next((k for classes, k in kinds if isinstance(t, classes)), None)
    node = Node(category, str(t))
    if isinstance(t, T.ARRAY):
        node.items = from_sqlalchemy(t.item_type) or Node(None, "?")
    return node


def mismatches(declared: Any, actual: Node, path: str) -> list[str]:
    """What in column ``path`` of type ``actual`` differs from ``declared``: one message
    per difference, naming its place (``values[]``, ``metadata.name``)."""
    kind = declared if isinstance(declared, str) else next(iter(declared))
    if kind == "any":
        return []
    got = actual.category
    if got != kind and not (got in _NUMERIC and kind in _NUMERIC):
        return [f"{path} is {got or actual.shown}, the contract says {describe(declared)}"]
    if isinstance(declared, str):
        return []
    inner = declared[kind]
    if kind == "array":
        return mismatches(inner, actual.items, f"{path}[]") if actual.items else []
    fields = {name.lower(): sub for name, sub in actual.fields.items()}
    out: list[str] = []
    for name, sub in inner.items():
        place = f"{path}.{name}"
        if str(name).lower() not in fields:
            out.append(f"{place} is not in the column")
        else:
            out += mismatches(sub, fields[str(name).lower()], place)
    return out
