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
    DateTime,
    Double,
    String,
    and_,
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

from omnicontract.contracts.model import (
    DURATION_FORMATS,
    FieldMapping,
    FieldSpec,
    Format,
    LogicalType,
)
from omnicontract.validators.sqlfuncs import (
    INTEGER_REGEX,
    LONG_LIST,
    NUMBER_REGEX,
    as_utc,
    contains_match,
    epoch_to_timestamp,
    local_to_utc,
    lookup,
    matches,
    on_duckdb,
    one_of,
    parse_timestamp,
    to_date,
    try_cast,
)
from omnicontract.validators.timeparse import ISO, Grammar, UnsupportedFormat, compile_format

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
    return contains_match(raw, OFFSET_REGEX)


def _grammar(fmt: str | None) -> Grammar | None:
    if fmt is None:
        return ISO
    try:
        return compile_format(fmt)
    except UnsupportedFormat:
        return None  # DuckDB's own strptime reads it; other engines report it


def read_number(
    text: ColumnElement[Any], integer: bool, written: ColumnElement[Any] | None = None
) -> ColumnElement[Any]:
    """A number from text by the one number grammar (``sqlfuncs.NUMBER_REGEX``).
    ``written``: the text before ``text`` trimmed it. On DuckDB, a text written exactly as
    the engine writes the (finite) number it reads is one the grammar accepts, and has no
    spaces to trim: that cheap comparison spares the regular expression and the trim on
    most rows. Elsewhere: the grammar itself, as it always was."""
    regex = INTEGER_REGEX if integer else NUMBER_REGEX
    kind = "BIGINT" if integer else "DOUBLE"
    number = try_cast(text, kind)
    plain = number if written is None else try_cast(written, kind)
    as_written = cast(plain, String()) == (text if written is None else written)
    grammar = matches(text, regex)
    return case((on_duckdb(as_written, grammar), on_duckdb(plain, number)), (grammar, number))


EPOCH_SCALE = {"epoch_s": 1.0, "epoch_ms": 1e3, "epoch_us": 1e6}
# the span a timestamp can hold (years 1 to 9999): an epoch outside it is unparseable
EPOCH_MIN, EPOCH_MAX = -62_135_596_800.0, 253_402_300_799.0


@dataclass
class Zone:
    """The time zone of a field's naive timestamps: declared (field, channel, project)
    and, when ``source.files`` entries declare their own, a per-row column."""

    name: str | None
    per_file: ColumnElement[Any] | None = None

    @property
    def known(self) -> bool:
        return self.name is not None or self.per_file is not None

    def expression(self) -> ColumnElement[Any] | None:
        if self.per_file is not None and self.name:
            return func.coalesce(self.per_file, literal(self.name))
        if self.per_file is not None:
            return self.per_file
        return literal(self.name) if self.name else None

    def localize(self, naive_ts: ColumnElement[Any]) -> ColumnElement[Any]:
        """A naive timestamp read in this zone (as UTC when none is known for the row)."""
        aware = as_utc(naive_ts)
        zone = self.expression()
        if zone is None:
            return aware
        local = local_to_utc(zone, naive_ts)
        return func.coalesce(local, aware) if self.name is None else local

    def unknown(self) -> ColumnElement[bool] | None:
        """True for rows whose naive times have no zone; None when every row has one."""
        if self.name:
            return None
        if self.per_file is not None:
            return self.per_file.is_(None)
        return true()


def epoch(number: ColumnElement[Any], fmt: str) -> ColumnElement[Any]:
    """An epoch number as a timestamp; NULL (unparseable) outside the years 1 to 9999."""
    seconds = number / literal(EPOCH_SCALE[fmt])
    return case(
        (seconds.between(literal(EPOCH_MIN), literal(EPOCH_MAX)), epoch_to_timestamp(seconds)),
        else_=literal(None, DateTime(timezone=True)),
    )


def map_timestamp(
    col: ColumnElement[Any],
    source_type: str,
    m: FieldMapping,
    tz: str | Zone | None,
    time_col: ColumnElement[Any] | None = None,
) -> tuple[ColumnElement[Any], ColumnElement[Any] | None, ColumnElement[Any] | None, str | None]:
    """(value, raw, naive flag, transform) for a timestamp field."""
    zone = tz if isinstance(tz, Zone) else Zone(tz)
    st = source_type.upper()
    fmt = m.format
    if time_col is not None:  # date and time of day in two columns
        raw = case(
            (col.is_(None), literal(None, String())),
            else_=func.trim(func.concat(_as_text(col, st), literal(" "), cast(time_col, String()))),
        )
        st = "VARCHAR"
    elif st in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return col, None, None, None
    elif (st.startswith("TIMESTAMP") or st == "DATE") and fmt not in EPOCH_SCALE:
        naive_ts = cast(col, DateTime())
        unknown = zone.unknown()
        flag = None if unknown is None else and_(col.is_not(None), unknown)
        return zone.localize(naive_ts), None, flag, None
    else:
        raw = _as_text(col, st)
    if fmt in EPOCH_SCALE:
        native = st in INTEGER_TYPES or st in FLOAT_TYPES or st.startswith("DECIMAL")
        number = cast(col if native else read_number(raw, integer=False), Double())
        return epoch(number, fmt), raw, None, "format"
    if fmt:
        aware_text = "%z" in fmt or "%Z" in fmt
        parsed = parse_timestamp(raw, _grammar(fmt), fmt, aware=aware_text)
        if aware_text:
            return parsed, raw, None, "format"
        return zone.localize(parsed), raw, zone.unknown(), "format"
    aware = parse_timestamp(raw, ISO, None, aware=True)
    if zone.known:
        local = zone.localize(parse_timestamp(raw, ISO, None, aware=False))
        unknown = zone.unknown()
        flag = None if unknown is None else and_(not_(_has_offset(raw)), unknown)
        return case((_has_offset(raw), aware), else_=local), raw, flag, "cast"
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
        parsed = parse_timestamp(raw, _grammar(fmt), fmt, aware=False)
        out.value, out.transform = to_date(parsed), "format"
    else:
        out.value, out.transform = to_date(parse_timestamp(raw, ISO, None, aware=False)), "cast"
    out.raw = raw


DURATION_PATTERNS = {
    "hh:mm:ss": r"([0-9]+):([0-5]?[0-9]):([0-5]?[0-9](?:[.,][0-9]+)?)",
    "mm:ss": r"()([0-9]+):([0-5]?[0-9](?:[.,][0-9]+)?)",
    "iso8601": r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?([0-9]+(?:[.,][0-9]+)?S)?)?",
}


def _group(text: ColumnElement[Any], pattern: str, n: int) -> ColumnElement[Any]:
    part = func.replace(
        func.replace(func.regexp_extract(text, literal("^" + pattern + "$"), n), "S", ""), ",", "."
    )
    return func.coalesce(cast(try_cast(func.nullif(part, ""), "DOUBLE"), Double()), literal(0.0))


def duration_seconds(text: ColumnElement[Any], fmt: str) -> ColumnElement[Any]:
    """Seconds of a duration written as `hh:mm:ss`, `mm:ss`, ISO 8601 (`PT1H2M3S`), plain
    seconds or milliseconds; `duration` reads any of them (plain numbers as seconds)."""
    null = literal(None, Double())
    if fmt in ("seconds", "milliseconds"):
        number = cast(try_cast(func.replace(text, ",", "."), "DOUBLE"), Double())
        return number / literal(1000.0) if fmt == "milliseconds" else number
    if fmt == "duration":
        return case(
            (matches(text, DURATION_PATTERNS["hh:mm:ss"]), duration_seconds(text, "hh:mm:ss")),
            (matches(text, DURATION_PATTERNS["mm:ss"]), duration_seconds(text, "mm:ss")),
            (matches(text, DURATION_PATTERNS["iso8601"]), duration_seconds(text, "iso8601")),
            else_=duration_seconds(text, "seconds"),
        )
    pattern = DURATION_PATTERNS[fmt]
    if fmt == "iso8601":
        total = (
            _group(text, pattern, 1) * literal(86400.0)
            + _group(text, pattern, 2) * literal(3600.0)
            + _group(text, pattern, 3) * literal(60.0)
            + _group(text, pattern, 4)
        )
        valid = and_(matches(text, pattern), text.not_in(["P", "PT"]), not_(text.like("%T")))
    else:
        total = (
            _group(text, pattern, 1) * literal(3600.0)
            + _group(text, pattern, 2) * literal(60.0)
            + _group(text, pattern, 3)
        )
        valid = matches(text, pattern)
    return case((valid, total), else_=null)


def _map_number(out: MappedField, col: ColumnElement[Any], st: str) -> None:
    integer = out.spec.type == LogicalType.integer
    m = out.mapping
    fmt = m.format if m else None
    native = st in INTEGER_TYPES or (
        not integer and (st in FLOAT_TYPES or st.startswith("DECIMAL"))
    )
    if native and fmt in (None, "seconds", "duration"):
        # a native number that does not fit (HUGEINT into BIGINT) is unparseable, not fatal
        out.value = try_cast(col, "BIGINT" if integer else "DOUBLE")
        out.raw, out.transform = cast(col, String()), "cast"
        return
    if (
        integer
        and fmt in (None, "seconds", "duration")
        and (st in FLOAT_TYPES or st.startswith("DECIMAL"))
    ):  # a whole number stored as a float is an integer; 2.5 or 1e30 is not
        fits = and_(col == func.round(col), try_cast(col, "BIGINT").is_not(None))
        out.value = case((fits, try_cast(col, "BIGINT")), else_=literal(None, BigInteger()))
        out.raw, out.transform = cast(col, String()), "cast"
        return
    raw = _as_text(col, st)
    text = func.trim(raw)
    if fmt in DURATION_FORMATS:
        seconds = duration_seconds(text, fmt)
        value: ColumnElement[Any] = try_cast(func.round(seconds), "BIGINT") if integer else seconds
        out.value, out.raw, out.transform = value, raw, "format"
        return
    decimal = m.decimal_separator if m else "."
    thousands = (m.thousands_separator if m else None) or ("." if decimal == "," else None)
    written = None if thousands or decimal == "," else raw
    if thousands:
        text = func.replace(text, thousands, "")
    if decimal == ",":
        text = func.replace(text, ",", ".")
    out.value, out.raw, out.transform = read_number(text, integer, written), raw, "cast"


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
    *,
    file_zone: ColumnElement[Any] | None = None,
    time_column: str | None = None,
) -> MappedField:
    """Canonical columns for one mapped field (see the module docstring). ``file_zone``:
    the per-row zone column when ``source.files`` declare zones; ``time_column``: the
    raw column with the time of day of a timestamp split in two columns."""
    col = _col(source_column)
    st = source_type.upper()
    out = MappedField(name, spec, m, value=col, source_column=source_column)
    if m.values is not None:
        _map_values(out, col, st)
    elif spec.type == LogicalType.timestamp:
        out.value, out.raw, out.naive, out.transform = map_timestamp(
            col, st, m, Zone(tz, file_zone), _col(time_column) if time_column else None
        )
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
