"""Portable SQL building blocks: one construct, compiled per dialect.

Checks and mappings build their expressions from these, so the same plan compiles for
DuckDB (the default engine), for PostgreSQL and for SQLite, with the same meaning on each
(``docs/engines.md``). A construct compiled for a dialect it has no form for raises
:class:`Unsupported`; the run then reports the check or field it belongs to as a finding
(OC-SRC-010) instead of sending SQL the database cannot run.

SQLite gets the functions it lacks (regular expressions, timestamp grammars, time zones)
as Python functions registered on each connection (:mod:`.sqlite_functions`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Float,
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
)
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, Executable, FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from omnicontract.contracts.regex import portable
from omnicontract.validators.timeparse import Grammar

NATIVE = ("duckdb",)  # dialects whose function names the default forms use
FILTER_DIALECTS = ("duckdb", "postgresql", "sqlite")
# The one number grammar: digits, an optional fraction and exponent; no inf/nan/1_000/0x10
NUMBER_REGEX = r"[ \t]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?[ \t]*"
# a whole number, also written with a zero fraction ('2.0', as a float column exports it)
INTEGER_REGEX = r"[ \t]*[+-]?[0-9]+(\.0*)?[ \t]*"
BIGINT_MAX = 9223372036854775807
DOUBLE_MAX = 1.7976931348623157e308
EPOCH_MAX_S = 253402300799  # 9999-12-31 23:59:59 UTC


class Unsupported(CompileError):
    """The dialect has no form of this construct."""

    def __init__(self, what: str, dialect: str):
        super().__init__(f"{what} is not available on {dialect}")
        self.what = what
        self.dialect = dialect


class Refused(Unsupported):
    """The database refused a query it was sent (an error it raised, redacted)."""

    def __init__(self, reason: str, database: str):
        CompileError.__init__(self, f"{database} refused the query: {reason}")
        self.what = reason
        self.dialect = database


def _native(element: Any, compiler: Any) -> None:
    if compiler.dialect.name not in NATIVE:
        raise Unsupported(element.what, compiler.dialect.name)


def _args(element: FunctionElement[Any]) -> list[Any]:
    return list(element.clauses)


class _Construct(FunctionElement[Any]):
    inherit_cache = True
    what = "function"


# ---------------------------------------------------------------- regular expressions


class full_match(_Construct):
    """True when the whole string matches the regular expression."""

    inherit_cache = True

    type = Boolean()
    name = "full_match"
    what = "regular expressions"


@compiles(full_match)
def _full_match_default(element: full_match, compiler: Any, **kw: Any) -> str:
    _native(element, compiler)
    value, pattern = _args(element)
    return f"regexp_full_match({compiler.process(value, **kw)}, {compiler.process(pattern, **kw)})"


@compiles(full_match, "postgresql")
def _full_match_pg(element: full_match, compiler: Any, **kw: Any) -> str:
    value, pattern = _args(element)
    return (
        f"({compiler.process(value, **kw)} ~ ('^(?:' || {compiler.process(pattern, **kw)} || ')$'))"
    )


@compiles(full_match, "sqlite")
def _full_match_sqlite(element: full_match, compiler: Any, **kw: Any) -> str:
    value, pattern = _args(element)
    return f"oc_full_match({compiler.process(value, **kw)}, {compiler.process(pattern, **kw)})"


def matches(value: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    """The whole value matches ``pattern``, read in the portable dialect on every engine."""
    return full_match(value, literal(portable(pattern), String()))


class search(_Construct):
    """True when the regular expression matches somewhere in the string."""

    inherit_cache = True

    type = Boolean()
    name = "search"
    what = "regular expressions"


@compiles(search)
def _search_default(element: search, compiler: Any, **kw: Any) -> str:
    _native(element, compiler)
    value, pattern = _args(element)
    return f"regexp_matches({compiler.process(value, **kw)}, {compiler.process(pattern, **kw)})"


@compiles(search, "postgresql")
def _search_pg(element: search, compiler: Any, **kw: Any) -> str:
    value, pattern = _args(element)
    return f"({compiler.process(value, **kw)} ~ {compiler.process(pattern, **kw)})"


@compiles(search, "sqlite")
def _search_sqlite(element: search, compiler: Any, **kw: Any) -> str:
    value, pattern = _args(element)
    return f"oc_search({compiler.process(value, **kw)}, {compiler.process(pattern, **kw)})"


def contains_match(value: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    return search(value, literal(portable(pattern), String()))


# ---------------------------------------------------------------- counting


class count_where(_Construct):
    """Rows where a condition holds: ``count(*) FILTER (WHERE c)`` where the dialect has
    it, ``count(CASE WHEN c THEN 1 END)`` (the same number) elsewhere."""

    inherit_cache = True
    type = Integer()
    name = "count_where"


@compiles(count_where)
def _count_where_default(element: count_where, compiler: Any, **kw: Any) -> str:
    (cond,) = _args(element)
    if compiler.dialect.name in FILTER_DIALECTS:
        return f"count(*) FILTER (WHERE {compiler.process(cond, **kw)})"
    return f"count(CASE WHEN {compiler.process(cond, **kw)} THEN 1 END)"


# ---------------------------------------------------------------- text


class text_length(_Construct):
    """Length of a text in characters."""

    inherit_cache = True

    type = Integer()
    name = "text_length"


@compiles(text_length)
def _length_default(element: text_length, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    return f"length({compiler.process(value, **kw)})"


@compiles(text_length, "postgresql")
def _length_pg(element: text_length, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    return f"char_length({compiler.process(value, **kw)})"


class on_duckdb(ColumnElement[Any]):
    """``fast`` where the plan compiles for DuckDB, ``portable`` elsewhere: the same value
    where both are defined, the cheaper way DuckDB allows."""

    inherit_cache = True
    # both arms belong to the statement's cache key (a cached compilation is reused only
    # for the same arms)
    _traverse_internals: ClassVar[Any] = [
        ("fast", InternalTraversal.dp_clauseelement),
        ("portable", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, fast: ColumnElement[Any], portable: ColumnElement[Any]):
        self.fast = fast
        self.portable = portable
        self.type = portable.type

    @property
    def _from_objects(self) -> list[Any]:  # pragma: no cover - SQLAlchemy protocol
        return self.portable._from_objects


@compiles(on_duckdb)
def _on_duckdb_sql(element: on_duckdb, compiler: Any, **kw: Any) -> str:
    chosen = element.fast if compiler.dialect.name == "duckdb" else element.portable
    return str(compiler.process(chosen, **kw))


def blank(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """True when a text is empty or only spaces (``trim`` leaves nothing), NULL for NULL.
    On DuckDB (and what is compiled as DuckDB), a text whose first character is printable
    ASCII is not blank, which spares the ``trim`` (a copy of every value) on nearly
    every row: the characters any ``trim`` removes are spaces, below ``!`` or beyond
    ASCII. Elsewhere: ``trim`` alone."""
    empty = func.trim(value) == literal("", String())
    printable = func.ascii(value).between(literal(33), literal(126))
    return on_duckdb(case((printable, literal(False)), else_=empty), empty)


# ---------------------------------------------------------------- numbers


class try_cast(ColumnElement[Any]):
    """A number read from text: ``BIGINT`` or ``DOUBLE``; NULL where the text is not one
    (or does not fit), never an error. Callers gate the text with the number grammar."""

    inherit_cache = True
    # both are part of the statement's cache key: two casts of other columns or types
    # must not share a compiled statement
    _traverse_internals = [
        ("value", InternalTraversal.dp_clauseelement),
        ("sql_type", InternalTraversal.dp_string),
    ]

    def __init__(self, value: ColumnElement[Any], sql_type: str):
        if sql_type not in ("BIGINT", "DOUBLE"):
            raise ValueError(sql_type)
        self.value = value
        self.sql_type = sql_type
        self.type = Integer() if sql_type == "BIGINT" else Double()

    @property
    def _from_objects(self) -> list[Any]:  # pragma: no cover - SQLAlchemy protocol
        return self.value._from_objects


@compiles(try_cast)
def _try_cast_default(element: try_cast, compiler: Any, **kw: Any) -> str:
    if compiler.dialect.name not in NATIVE:
        raise Unsupported("safe casts", compiler.dialect.name)
    value = f"TRY_CAST({compiler.process(element.value, **kw)} AS {element.sql_type})"
    if element.sql_type == "DOUBLE":  # beyond the range of a double is not a number
        return f"CASE WHEN isfinite({value}) THEN {value} END"
    return value


@compiles(try_cast, "postgresql")
def _try_cast_pg(element: try_cast, compiler: Any, **kw: Any) -> str:
    # PostgreSQL raises on a bad cast: cast only what the grammar accepts and what fits
    value = element.value
    exact = cast(value, Numeric())
    text = cast(value, String())  # the value may be a number column already
    if element.sql_type == "BIGINT":
        expr = case(
            (
                text.op("~")(literal("^" + INTEGER_REGEX + "$")),
                case(
                    (exact.between(-BIGINT_MAX - 1, BIGINT_MAX), cast(exact, BigInteger())),
                ),
            )
        )
    else:
        expr = case(
            (
                text.op("~")(literal("^" + NUMBER_REGEX + "$")),
                case(
                    (
                        func.abs(exact) <= literal(Decimal(DOUBLE_MAX), Numeric()),
                        cast(value, Double()),
                    )
                ),
            )
        )
    return compiler.process(expr, **kw)


@compiles(try_cast, "sqlite")
def _try_cast_sqlite(element: try_cast, compiler: Any, **kw: Any) -> str:
    kind = "'BIGINT'" if element.sql_type == "BIGINT" else "'DOUBLE'"
    return f"oc_try_number({compiler.process(element.value, **kw)}, {kind})"


# ---------------------------------------------------------------- timestamps


class parse_timestamp(ColumnElement[Any]):
    """A timestamp read from text by a grammar (``timeparse``): naive, or aware (UTC)
    when ``aware`` (an offset in the text is applied; none means UTC). ``fmt`` is the
    strptime format the grammar came from (None: ISO 8601), for engines with a parser."""

    inherit_cache = False

    def __init__(
        self, value: ColumnElement[Any], grammar: Grammar | None, fmt: str | None, aware: bool
    ):
        self.value = value
        self.grammar = grammar
        self.fmt = fmt
        self.aware = aware
        self.type = DateTime(timezone=aware)

    @property
    def _from_objects(self) -> list[Any]:  # pragma: no cover - SQLAlchemy protocol
        return self.value._from_objects


@compiles(parse_timestamp)
def _parse_default(element: parse_timestamp, compiler: Any, **kw: Any) -> str:
    if compiler.dialect.name not in NATIVE:
        raise Unsupported("timestamp parsing", compiler.dialect.name)
    value = element.value
    if element.fmt is not None:
        expr: Any = func.try_strptime(value, literal(element.fmt))
        if element.aware and not (element.grammar and element.grammar.aware):
            expr = cast(expr, DateTime(timezone=True))
        return compiler.process(expr, **kw)
    kind = "TIMESTAMPTZ" if element.aware else "TIMESTAMP"
    gate = matches(value, _grammar_of(element, compiler).regex)
    return (
        f"CASE WHEN {compiler.process(gate, **kw)} THEN "
        f"TRY_CAST(trim({compiler.process(value, **kw)}) AS {kind}) END"
    )


def _grammar_of(element: parse_timestamp, compiler: Any) -> Grammar:
    if element.grammar is None:
        raise Unsupported(f"the timestamp format {element.fmt!r}", compiler.dialect.name)
    return element.grammar


def _pg_parts(element: parse_timestamp, g: Grammar) -> tuple[Any, Any]:
    """(validity condition, timestamp) built from the grammar's groups on PostgreSQL."""
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import Text

    from omnicontract.validators.timeparse import MONTHS

    groups = func.regexp_match(element.value, literal("^(?:" + g.regex + ")$"), type_=ARRAY(Text))

    def part(role: str) -> Any:
        return groups[g.roles.index(role) + 1] if role in g.roles else None

    def number(role: str, default: int) -> Any:
        text = part(role)  # an optional group that did not take part is NULL
        return literal(default) if text is None else func.coalesce(cast(text, Integer()), default)

    year = number("year", 1900)
    if part("year2") is not None:
        y2 = cast(part("year2"), Integer())
        year = case((y2 < 69, y2 + 2000), else_=y2 + 1900)
    month = number("month", 1)
    if part("month_abbr") is not None:
        name = func.lower(part("month_abbr"))
        month = case(*[(name == m, i + 1) for i, m in enumerate(MONTHS)])
    hour = number("hour", 0)
    valid_hour: Any = hour <= 23
    if part("hour12") is not None:
        h12 = cast(part("hour12"), Integer())
        pm = func.lower(func.coalesce(part("ampm"), "am")) == "pm"
        hour = (h12 % 12) + case((pm, 12), else_=0)
        valid_hour = h12.between(1, 12)
    day, minute, second = number("day", 1), number("minute", 0), number("second", 0)
    leap = or_(and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    dim = case((month.in_([4, 6, 9, 11]), 30), (month == 2, case((leap, 29), else_=28)), else_=31)
    valid = and_(
        groups.is_not(None),
        year >= 1,
        month.between(1, 12),
        day >= 1,
        day <= dim,
        valid_hour,
        minute <= 59,
        second <= 59,
    )
    seconds: Any = cast(second, Double())
    if part("fraction") is not None:
        digits = func.substr(part("fraction"), 1, 6)
        seconds = seconds + func.coalesce(cast(literal("0.") + digits, Double()), 0.0)
    stamp: Any = func.make_timestamp(year, month, day, hour, minute, seconds, type_=DateTime())
    if part("offset") is not None:
        off = part("offset")
        digits = func.replace(func.substr(off, 2), ":", "")
        hh = cast(func.substr(digits, 1, 2), Integer())
        mm = case((func.length(digits) > 2, cast(func.substr(digits, 3, 2), Integer())), else_=0)
        sign = case((func.substr(off, 1, 1) == "-", -1), else_=1)
        minutes = case((off == "Z", 0), (off.is_(None), 0), else_=sign * (hh * 60 + mm))
        if element.aware:
            stamp = stamp - func.make_interval(0, 0, 0, 0, 0, minutes)
    if element.aware:
        stamp = func.timezone("UTC", stamp, type_=DateTime(timezone=True))
    return valid, stamp


@compiles(parse_timestamp, "postgresql")
def _parse_pg(element: parse_timestamp, compiler: Any, **kw: Any) -> str:
    valid, stamp = _pg_parts(element, _grammar_of(element, compiler))
    return compiler.process(case((valid, stamp)), **kw)


@compiles(parse_timestamp, "sqlite")
def _parse_sqlite(element: parse_timestamp, compiler: Any, **kw: Any) -> str:
    g = _grammar_of(element, compiler)
    args = [
        element.value,
        literal(g.regex),
        literal(",".join(g.roles)),
        literal(1 if element.aware else 0),
    ]
    return "oc_parse_timestamp(" + ", ".join(compiler.process(a, **kw) for a in args) + ")"


class local_to_utc(_Construct):
    """``timezone(zone, ts)``: a naive local time in an IANA zone, as an instant (UTC)."""

    inherit_cache = True

    type = DateTime(timezone=True)
    name = "local_to_utc"
    what = "time zones"


@compiles(local_to_utc)
def _local_default(element: local_to_utc, compiler: Any, **kw: Any) -> str:
    _native(element, compiler)
    zone, value = _args(element)
    return f"timezone({compiler.process(zone, **kw)}, {compiler.process(value, **kw)})"


@compiles(local_to_utc, "postgresql")
def _local_pg(element: local_to_utc, compiler: Any, **kw: Any) -> str:
    zone, value = _args(element)
    return f"timezone({compiler.process(zone, **kw)}, {compiler.process(value, **kw)})"


@compiles(local_to_utc, "sqlite")
def _local_sqlite(element: local_to_utc, compiler: Any, **kw: Any) -> str:
    zone, value = _args(element)
    return f"oc_local_to_utc({compiler.process(value, **kw)}, {compiler.process(zone, **kw)})"


def in_zone(value: ColumnElement[Any], zone: str) -> ColumnElement[Any]:
    return local_to_utc(literal(zone, String()), value)


class as_utc(_Construct):
    """A naive timestamp read as UTC."""

    inherit_cache = True

    type = DateTime(timezone=True)
    name = "as_utc"
    what = "time zones"


@compiles(as_utc)
def _as_utc_default(element: as_utc, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    if compiler.dialect.name not in (*NATIVE, "postgresql"):  # the session zone is UTC
        raise Unsupported(element.what, compiler.dialect.name)
    return f"CAST({compiler.process(value, **kw)} AS TIMESTAMP WITH TIME ZONE)"


@compiles(as_utc, "sqlite")
def _as_utc_sqlite(element: as_utc, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    return compiler.process(value, **kw)


class epoch_to_timestamp(_Construct):
    """Seconds since 1970-01-01 UTC as an instant; NULL beyond the years 1-9999."""

    inherit_cache = True

    type = DateTime(timezone=True)
    name = "epoch_to_timestamp"
    what = "epoch timestamps"


def _epoch_sql(element: epoch_to_timestamp, compiler: Any, fn: str, **kw: Any) -> str:
    (value,) = _args(element)
    guarded = case((func.abs(value) <= EPOCH_MAX_S, value))
    return f"{fn}({compiler.process(guarded, **kw)})"


@compiles(epoch_to_timestamp)
def _epoch_default(element: epoch_to_timestamp, compiler: Any, **kw: Any) -> str:
    if compiler.dialect.name not in (*NATIVE, "postgresql"):
        raise Unsupported(element.what, compiler.dialect.name)
    return _epoch_sql(element, compiler, "to_timestamp", **kw)


@compiles(epoch_to_timestamp, "sqlite")
def _epoch_sqlite(element: epoch_to_timestamp, compiler: Any, **kw: Any) -> str:
    return _epoch_sql(element, compiler, "oc_epoch", **kw)


class to_date(_Construct):
    """The date of a timestamp."""

    inherit_cache = True

    type = Date()
    name = "to_date"


@compiles(to_date)
def _to_date_default(element: to_date, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    return f"CAST({compiler.process(value, **kw)} AS DATE)"


@compiles(to_date, "sqlite")
def _to_date_sqlite(element: to_date, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    return f"substr({compiler.process(value, **kw)}, 1, 10)"


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
