"""Sample each column of an export with DuckDB: its type, distinct values with counts,
and what its values look like (times, e-mails, phones, yes/no, numbers, a vocabulary)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omnicontract.infer import values as v

SAMPLE_ROWS = 20_000
MAX_DISTINCT = 2_000
VOCABULARY_MAX = 30


@dataclass
class Column:
    name: str  # dotted for a key inside a JSON object: `from.username`
    type: str  # DuckDB type of the source column
    rows: int  # sampled rows
    nulls: int
    distinct: int
    top: list[tuple[str, int]]  # distinct values (as text) with counts, most frequent first
    time: v.TimeGuess | None = None
    email: bool = False
    phone: bool = False
    boolean: tuple[list[str], list[str], bool] | None = None
    number: bool = False
    decimal_comma: bool = False
    document: bool = False  # national or tax documents, never phones
    email_share: float = 0.0
    nested: bool = False  # a key inside a JSON object, read through its top-level column
    clock: str | None = None  # a time of day only: its strptime format
    duration: str | None = None  # a duration format: `hh:mm:ss`, `mm:ss`, `iso8601`

    @property
    def unique(self) -> bool:
        """Every sampled row has a value, and no two the same: a key candidate."""
        return self.rows > 1 and self.nulls == 0 and self.distinct == self.rows

    @property
    def source_column(self) -> str:
        """The column of the file it is read from (a JSON object's, for a nested key)."""
        return self.name.split(".")[0] if self.nested else self.name

    @property
    def texts(self) -> list[str]:
        return [t for t, _n in self.top]

    @property
    def typed_time(self) -> bool:
        return self.type.upper().startswith(("TIMESTAMP", "DATE"))

    @property
    def aware(self) -> bool:
        upper = self.type.upper()
        return upper in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ") or bool(
            self.time and self.time.has_offset
        )

    @property
    def is_time(self) -> bool:
        return self.typed_time or self.time is not None

    @property
    def has_clock(self) -> bool:
        if self.typed_time:
            return self.type.upper() != "DATE"
        return bool(self.time and self.time.has_time)

    @property
    def vocabulary(self) -> bool:
        few = self.rows <= 50 or self.distinct < self.rows // 3
        return 0 < self.distinct <= VOCABULARY_MAX and few

    @property
    def numeric(self) -> bool:
        upper = self.type.upper()
        return upper in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "SMALLINT", "HUGEINT") or (
            upper.startswith("DECIMAL") or self.number or self.decimal_comma
        )


def _expr(name: str, nested: bool) -> Any:
    from sqlalchemy import column

    from omnicontract.validators.sqlfuncs import struct_path

    if nested:
        head, rest = name.split(".", 1)
        return struct_path(head, *rest.split("."))
    return column(name)


def columns_of(con, source: Any) -> list[tuple[str, str, bool]]:
    """(name, type, nested) of every column; keys of JSON objects one level down."""
    from sqlalchemy import column, func, literal_column, select

    from omnicontract.validators.engines.duckdb import execute

    out: list[tuple[str, str, bool]] = []
    described = execute(con, select(literal_column("*")).select_from(source).limit(0))
    for name, typ, *_rest in described.description:
        if str(typ).upper().startswith("STRUCT("):
            inner = execute(con, select(func.unnest(column(name))).select_from(source).limit(0))
            out.extend((f"{name}.{sub}", str(t), True) for sub, t, *_r in inner.description)
        else:
            out.append((name, str(typ), False))
    return out


def profile(con, source: Any) -> list[Column]:
    from sqlalchemy import String, cast, func, literal_column, select, table

    from omnicontract.validators.engines.duckdb import execute
    from omnicontract.validators.sqlfuncs import create_table_as, drop_table

    sample = table("sample")
    execute(con, drop_table(sample))
    execute(
        con,
        create_table_as(sample, select(literal_column("*")).select_from(source).limit(SAMPLE_ROWS)),
    )
    rows = execute(con, select(func.count()).select_from(sample)).fetchone()[0]
    out: list[Column] = []
    for name, typ, nested in columns_of(con, sample):
        expr = _expr(name, nested)
        nulls, distinct = execute(
            con,
            select(func.count().filter(expr.is_(None)), func.count(expr.distinct())).select_from(
                sample
            ),
        ).fetchone()
        value = cast(expr, String()).label("value")
        n = func.count().label("n")
        top = execute(
            con,
            select(value, n)
            .select_from(sample)
            .where(expr.is_not(None))
            .group_by(value)
            .order_by(n.desc(), value)
            .limit(MAX_DISTINCT),
        ).fetchall()
        top_values = [(str(t), int(n)) for t, n in top]
        col = Column(name, typ, rows, nulls, distinct, top_values, nested=nested)
        _classify(col)
        out.append(col)
    return out


def _classify(col: Column) -> None:
    texts = col.texts
    if col.typed_time or not texts:
        return
    upper = col.type.upper()
    if upper in ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "DOUBLE"):
        guess = v.guess_time(texts) if col.distinct >= 20 else None
        col.time = guess if guess and guess.format and guess.format.startswith("epoch") else None
        return
    if upper == "VARCHAR":
        col.time = v.guess_time(texts)
        epoch = bool(col.time and col.time.format and col.time.format.startswith("epoch"))
        if epoch and col.distinct < 20:
            col.time = None  # a handful of big numbers is a code, not a clock
        col.email_share = v.email_share(texts)
        col.email = col.email_share >= 0.8
        col.document = v.looks_like_documents(texts)
        col.clock = None if col.time else v.guess_clock(texts)
        col.duration = None if col.time else v.guess_duration(texts)
        col.phone = not col.time and not col.document and v.looks_like_phones(texts)
        col.boolean = v.guess_boolean(texts) if col.distinct <= 4 else None
        col.decimal_comma = v.has_decimal_comma(texts)
        col.number = v.is_number_column(texts)
    elif upper == "BOOLEAN":
        col.boolean = (["true"], ["false"], False)
