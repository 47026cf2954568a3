"""Mapping: turn a feed's source columns into the canonical fields of its entity.

Each canonical field becomes up to three columns of the feed's canonical view:
``<field>`` (the canonical value, NULL where it could not be produced), ``<field>__raw``
(the source text, kept where a transform can fail, so failures can be counted and
shown) and ``<field>__naive`` (timestamps: the row had no time zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    String,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    true,
)
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import FieldMapping, FieldSpec, Format, LogicalType
from omnicontract.validators.sqlfuncs import LONG_LIST, lookup, matches, one_of, try_cast

TRUE_VALUES = ["true", "t", "1", "yes", "y", "sim", "s", "si", "verdadeiro", "x"]
FALSE_VALUES = ["false", "f", "0", "no", "n", "não", "nao", "falso"]
OFFSET_REGEX = r"([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$"


@dataclass
class MappedField:
    name: str
    spec: FieldSpec
    mapping: FieldMapping | None
    value: ColumnElement[Any]
    raw: ColumnElement[Any] | None = None
    naive: ColumnElement[Any] | None = None
    transform: str | None = None
    constant: bool = False
    phone_region: str | None = None
    source_column: str | None = None


@dataclass
class LookupJoin:
    """A distinct-value lookup (raw -> normalized) joined into the canonical view."""

    field: str
    source_column: str  # raw-table column
    region: str
    table: str = ""


@dataclass
class FeedMapping:
    fields: dict[str, MappedField] = field(default_factory=dict)
    lookups: list[LookupJoin] = field(default_factory=list)


def _col(name: str) -> ColumnElement[Any]:
    return literal_column('"' + name.replace('"', '""') + '"')


def _as_text(column: ColumnElement[Any], source_type: str) -> ColumnElement[Any]:
    return column if source_type.upper() == "VARCHAR" else cast(column, String())


def _has_offset(raw: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.regexp_matches(raw, literal(OFFSET_REGEX))


def map_timestamp(
    col: ColumnElement[Any], source_type: str, m: FieldMapping, tz: str | None
) -> tuple[ColumnElement[Any], ColumnElement[Any] | None, ColumnElement[Any] | None, str | None]:
    """(value, raw, naive flag, transform) for a timestamp field."""
    st = source_type.upper()
    aware_type = DateTime(timezone=True)
    if st in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return col, None, None, None
    if st.startswith("TIMESTAMP") or st == "DATE":
        if tz:
            return func.timezone(literal(tz), cast(col, DateTime())), None, None, None
        return cast(col, aware_type), None, col.is_not(None), None
    raw = _as_text(col, st)
    fmt = m.format
    if fmt in ("epoch_s", "epoch_ms"):
        seconds = cast(try_cast(raw, "DOUBLE"), Double())
        scale = 1000.0 if fmt == "epoch_ms" else 1.0
        return func.to_timestamp(seconds / scale), raw, None, "format"
    if fmt:
        parsed = func.try_strptime(raw, literal(fmt))
        if "%z" in fmt or "%Z" in fmt:
            return parsed, raw, None, "format"
        if tz:
            return func.timezone(literal(tz), parsed), raw, None, "format"
        return cast(parsed, aware_type), raw, true(), "format"
    aware = try_cast(raw, "TIMESTAMPTZ")
    if tz:
        local = func.timezone(literal(tz), try_cast(raw, "TIMESTAMP"))
        return case((_has_offset(raw), aware), else_=local), raw, None, "cast"
    return aware, raw, not_(_has_offset(raw)), "cast"


INTEGER_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def _map_values(out: MappedField, col: ColumnElement[Any], st: str) -> None:
    """Value map: source vocabulary -> canonical; canonical values pass through."""
    assert out.mapping is not None and out.mapping.values is not None
    raw = _as_text(col, st)
    null = literal(None, String())
    branches: list[Any] = (
        [(raw == literal(k), literal(v) if v is not None else null) for k, v in values.items()]
        if len(values := out.mapping.values) <= LONG_LIST
        else [(one_of(raw, list(values)), lookup(raw, values))]
    )
    if out.spec.enum:
        branches.append((one_of(raw, list(out.spec.enum)), raw))
    out.value = case(*branches, else_=null) if branches else raw
    out.raw, out.transform = raw, "values"


def _map_date(out: MappedField, col: ColumnElement[Any], st: str) -> None:
    if st == "DATE":
        return
    raw = _as_text(col, st)
    fmt = out.mapping.format if out.mapping else None
    if fmt:
        out.value, out.transform = cast(func.try_strptime(raw, literal(fmt)), Date()), "format"
    else:
        out.value, out.transform = try_cast(raw, "DATE"), "cast"
    out.raw = raw


def _map_number(out: MappedField, col: ColumnElement[Any], st: str) -> None:
    integer = out.spec.type == LogicalType.integer
    native = st in INTEGER_TYPES or (
        not integer and (st in FLOAT_TYPES or st.startswith("DECIMAL"))
    )
    if native:
        out.value = cast(col, BigInteger() if integer else Double())
        return
    raw = _as_text(col, st)
    text = func.trim(raw)
    if out.mapping and out.mapping.decimal_separator == ",":
        text = func.replace(func.replace(text, ".", ""), ",", ".")
    value: ColumnElement[Any] = try_cast(text, "BIGINT" if integer else "DOUBLE")
    if integer:  # TRY_CAST would round '2.5'; an integer has no fraction
        value = case((matches(text, r"[+-]?[0-9]+"), value), else_=literal(None, BigInteger()))
    out.value, out.raw, out.transform = value, raw, "cast"


def _map_boolean(out: MappedField, col: ColumnElement[Any], st: str) -> None:
    if st == "BOOLEAN":
        return
    m = out.mapping
    raw = _as_text(col, st)
    norm = func.lower(func.trim(raw))
    trues = [v.lower() for v in ((m and m.true_values) or TRUE_VALUES)]
    falses = [v.lower() for v in ((m and m.false_values) or FALSE_VALUES)]
    out.value = case(
        (norm.in_(trues), true()), (norm.in_(falses), false()), else_=literal(None, Boolean())
    )
    out.raw, out.transform = raw, "cast"


def map_field(
    name: str,
    spec: FieldSpec,
    m: FieldMapping,
    source_column: str,
    source_type: str,
    tz: str | None,
    region: str | None,
) -> MappedField:
    """Canonical columns for one mapped field (see the module docstring)."""
    col = _col(source_column)
    st = source_type.upper()
    out = MappedField(name, spec, m, value=col, source_column=source_column)
    if m.values is not None:
        _map_values(out, col, st)
    elif spec.type == LogicalType.timestamp:
        out.value, out.raw, out.naive, out.transform = map_timestamp(col, st, m, tz)
    elif spec.type == LogicalType.date:
        _map_date(out, col, st)
    elif spec.type in (LogicalType.integer, LogicalType.number):
        _map_number(out, col, st)
    elif spec.type == LogicalType.boolean:
        _map_boolean(out, col, st)
    elif spec.format == Format.email:
        raw = _as_text(col, st)
        out.value, out.raw, out.transform = func.lower(func.trim(raw)), raw, "email"
    elif spec.format == Format.e164:
        out.raw, out.transform = _as_text(col, st), "phone"
        out.phone_region = m.phone_region or region
    else:
        out.value = _as_text(col, st)
    return out


def constant_field(name: str, spec: FieldSpec, value: Any) -> MappedField:
    types = {
        LogicalType.integer: BigInteger(),
        LogicalType.number: Double(),
        LogicalType.boolean: Boolean(),
    }
    lit = literal(value, types.get(spec.type, String()))
    if spec.type == LogicalType.string:
        lit = literal(str(value), String())
    return MappedField(name, spec, None, value=lit, constant=True)
