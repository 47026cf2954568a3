"""Which checks run where: computed by compiling each check for each SQL dialect.

The capability table of ``docs/engines.md`` is generated from here, so it cannot drift
from the code: a row check "runs" on a dialect when its condition and its sample value
compile for that dialect for a field it applies to; a way of reading a field (the
mapping) "runs" when its expressions compile. A construct a dialect has no form for
raises ``Unsupported`` at compile time, which is also what a run reports as OC-SRC-010.
DuckDB, PostgreSQL and SQLite are tested against each other on every check case; the
other dialects are compiled, not run, and say so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import literal_column, select

from omnicontract.contracts.model import FieldMapping, FieldSpec, Format, LogicalType
from omnicontract.validators.checks.base import FieldContext
from omnicontract.validators.mapping import map_field
from omnicontract.validators.sqlfuncs import Unsupported

TESTED = ("duckdb", "postgresql", "sqlite")
COMPILED = ("mysql", "mssql", "oracle")
DIALECTS = TESTED + COMPILED
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# (label, spec, mapping) covering every way a field is read
READINGS: list[tuple[str, FieldSpec, FieldMapping]] = [
    ("text", FieldSpec(), FieldMapping(column="v")),
    ("integer", FieldSpec(type=LogicalType.integer), FieldMapping(column="v")),
    ("number", FieldSpec(type=LogicalType.number), FieldMapping(column="v")),
    (
        "number, decimal comma",
        FieldSpec(type=LogicalType.number),
        FieldMapping(column="v", decimal_separator=","),
    ),
    ("boolean", FieldSpec(type=LogicalType.boolean), FieldMapping(column="v")),
    ("date, ISO 8601", FieldSpec(type=LogicalType.date), FieldMapping(column="v")),
    (
        "date, `format:`",
        FieldSpec(type=LogicalType.date),
        FieldMapping(column="v", format="%d/%m/%Y"),
    ),
    ("timestamp, ISO 8601", FieldSpec(type=LogicalType.timestamp), FieldMapping(column="v")),
    (
        "timestamp, ISO 8601 + `timezone:`",
        FieldSpec(type=LogicalType.timestamp),
        FieldMapping(column="v", timezone="America/Sao_Paulo"),
    ),
    (
        "timestamp, `format:` (portable directives)",
        FieldSpec(type=LogicalType.timestamp),
        FieldMapping(column="v", format="%d/%m/%Y %H:%M", timezone="America/Sao_Paulo"),
    ),
    (
        "timestamp, `format:` with `%z`",
        FieldSpec(type=LogicalType.timestamp),
        FieldMapping(column="v", format="%Y-%m-%d %H:%M:%S%z"),
    ),
    (
        "timestamp, `format:` other directives (`%j`, `%a`, `%Z` ...)",
        FieldSpec(type=LogicalType.timestamp),
        FieldMapping(column="v", format="%Y %j"),
    ),
    (
        "timestamp, `epoch_s` / `epoch_ms`",
        FieldSpec(type=LogicalType.timestamp),
        FieldMapping(column="v", format="epoch_s"),
    ),
    (
        "value map (`values:`)",
        FieldSpec(enum=["a"]),
        FieldMapping(column="v", values={"x": "a"}),
    ),
    ("e-mail", FieldSpec(format=Format.email), FieldMapping(column="v")),
    ("phone (E.164, normalized here)", FieldSpec(format=Format.e164), FieldMapping(column="v")),
]

# specs that make every row check apply to some field
_SPECS = [
    FieldSpec(required=True, enum=["a"], pattern="[a-z]+", min_length=1, max_length=5),
    *[FieldSpec(format=f) for f in Format],
    FieldSpec(type=LogicalType.integer, minimum=0, maximum=10),
    FieldSpec(type=LogicalType.timestamp, not_future=True),
    FieldSpec(type=LogicalType.date, not_future=True),
]


def dialect(name: str) -> Any:
    if name == "duckdb":
        from duckdb_engine import Dialect

        return Dialect(paramstyle="qmark")
    from sqlalchemy.dialects import registry

    return registry.load(name)()


def _why_not(exprs: list[Any], d: Any) -> str | None:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dialect notes (MySQL skips some casts)
            for e in exprs:
                select(e).compile(dialect=d)
    except Unsupported as exc:
        return exc.what
    return None


def _contexts() -> list[FieldContext]:
    out = []
    for spec in _SPECS:
        for _label, _s, mapping in READINGS:
            mf = map_field("v", spec, mapping, "v", "VARCHAR", mapping.timezone, "BR")
            out.append(
                FieldContext(
                    name="v",
                    spec=spec,
                    mapping=mapping,
                    value=literal_column('"v"'),
                    raw=literal_column('"v__raw"') if mf.raw is not None else None,
                    transform=mf.transform,
                    naive=literal_column('"v__naive"') if mf.naive is not None else None,
                    now=NOW,
                )
            )
    return out


def row_check_support() -> list[tuple[str, str, dict[str, str | None]]]:
    """(code, name, dialect -> None when it runs, else what it lacks) per row check."""
    from omnicontract.validators.registry import registry

    contexts = _contexts()
    rows = []
    for cls in registry().of_kind("row"):
        check = cls()
        applied = [f for f in contexts if check.applies(f)]  # type: ignore[attr-defined]
        support: dict[str, str | None] = {}
        for name in DIALECTS:
            d = dialect(name)
            reasons = [
                _why_not([check.failing(f), check.sample(f)], d)  # type: ignore[attr-defined]
                for f in applied
            ]
            support[name] = None if any(r is None for r in reasons) else (reasons or ["-"])[0]
        rows.append((cls.code, cls.name, support))
    return rows


def reading_support() -> list[tuple[str, dict[str, str | None]]]:
    rows = []
    for label, spec, mapping in READINGS:
        mf = map_field("v", spec, mapping, "v", "VARCHAR", mapping.timezone, "BR")
        exprs = [e for e in (mf.value, mf.raw, mf.naive) if e is not None]
        rows.append((label, {name: _why_not(exprs, dialect(name)) for name in DIALECTS}))
    return rows


OTHER_KINDS = [
    (
        "feed checks (OC-FLD-003 unique, OC-FLD-004 primary key, OC-SRC-008 freshness)",
        "in the feed's database: GROUP BY, window functions, max()",
    ),
    ("OC-SRC-007 volume change", "row count only; compared with the run history"),
    (
        "OC-SRC-003 column missing, OC-SRC-004 unexpected column, OC-SRC-005 empty",
        "from the table's or query's columns and row count",
    ),
    (
        "OC-SRC-001 source missing, OC-SRC-002 unreadable",
        "a table that does not exist; a connection that fails (URL redacted)",
    ),
    ("OC-SRC-006 malformed rows", "files only: a table has no CSV lines"),
    ("OC-SRC-009 key in several files", "files only: a table is one source"),
    ("OC-SRC-010 cannot run here", "databases only: what a dialect lacks, per field or check"),
    (
        "OC-QLT-001 SQL rules of the contract",
        "DuckDB over files only (DuckDB's SQL, no access outside the feed's rows); on a "
        "database feed or on Spark the run says they could not run (OC-SRC-010)",
    ),
    (
        "references and cross-channel checks (OC-REF, OC-IDN, OC-CNS, OC-JRN, OC-TIM)",
        "in the run's DuckDB, on the key columns fetched from each database feed",
    ),
]


def _cell(why: str | None) -> str:
    return "yes" if why is None else f"no: {why}"


def capability_markdown() -> str:
    head = (
        "| | "
        + " | ".join(f"{d}" for d in TESTED)
        + " | "
        + " | ".join(f"{d}\u00b9" for d in COMPILED)
        + " |"
    )
    rule = "|---" * (len(DIALECTS) + 1) + "|"
    out = ["### Reading a field (the mapping)", "", head, rule]
    for label, support in reading_support():
        out.append(f"| {label} | " + " | ".join(_cell(support[d]) for d in DIALECTS) + " |")
    out += ["", "### Row checks", "", head, rule]
    for code, name, support in row_check_support():
        cells = " | ".join(_cell(support[d]) for d in DIALECTS)
        out.append(f"| {code} `{name}` | {cells} |")
    out += ["", "### Every other check", "", "| checks | where and how |", "|---|---|"]
    out += [f"| {what} | {how} |" for what, how in OTHER_KINDS]
    out += [
        "",
        "\u00b9 compiled, not run: the table says which constructs SQLAlchemy can build for "
        "the dialect; the fused count uses `count(CASE WHEN ...)` there. DuckDB, PostgreSQL "
        "and SQLite run every check case of the test suite with identical findings.",
    ]
    return "\n".join(out)
