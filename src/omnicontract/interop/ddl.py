"""SQL DDL for one entity, through SQLAlchemy Core, for the database you name.

``omnicontract export ddl contracts/customer.yaml --option dialect=postgresql``. Options:

- ``dialect=NAME``: any SQLAlchemy dialect installed (``postgresql`` (default),
  ``duckdb``, ``sqlite``, ``mysql``, ``mssql``, ``oracle``, ...);
- ``table=NAME`` (default: the entity's name) and ``schema=NAME``;
- ``checks=false``: leave out the CHECK constraints.

The table enforces what one row can be checked for: NOT NULL for required fields and the
primary key, PRIMARY KEY, UNIQUE, and CHECK constraints for blank required text, enums,
ISO codes, ranges, lengths and (on PostgreSQL and DuckDB, which have full regular
expressions) patterns and formats. Descriptions become comments.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal,
)
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.schema import CreateTable, SetColumnComment, SetTableComment
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import TypeEngine

from omnicontract.contracts.model import EntityContract, FieldSpec, LogicalType
from omnicontract.errors import UsageError
from omnicontract.interop._rules import (
    anchored,
    check_options,
    format_rule,
    is_unique,
    not_null,
    parse_bool,
    refuses_blank,
)

# dialects whose regular expressions can hold the contract's patterns in a CHECK
REGEX_DIALECTS = ("postgresql", "duckdb")
# dialects where VARCHAR needs a length: unbounded keys get this one
BOUNDED_VARCHAR = ("mysql", "mariadb", "mssql", "oracle")
KEY_LENGTH = 255


def load_dialect(name: str) -> Dialect:
    """A SQLAlchemy dialect by name (no driver or connection needed)."""
    from sqlalchemy.dialects import registry
    from sqlalchemy.exc import NoSuchModuleError

    if name == "duckdb":  # its DDL compiler (the engine compiles queries with its own)
        from duckdb_engine import Dialect as DuckDBDialect

        return DuckDBDialect(paramstyle="named")  # type: ignore[no-any-return]
    try:
        # a named paramstyle: literal `%` signs stay single in the script
        dialect = registry.load(name)(paramstyle="named")
    except NoSuchModuleError:
        raise UsageError(
            f"unknown SQL dialect '{name}'",
            hint="e.g. postgresql, duckdb, sqlite, mysql, mssql, oracle "
            "(others need their SQLAlchemy dialect package installed)",
        ) from None
    if dialect.name == "mssql" and dialect.default_schema_name is None:
        dialect.default_schema_name = "dbo"  # comments name the schema; no server to ask
    return dialect


def _column_type(spec: FieldSpec, keyed: bool, dialect: Dialect) -> TypeEngine[Any]:
    if spec.type == LogicalType.string:
        if spec.max_length is not None:
            return String(spec.max_length)
        if dialect.name in BOUNDED_VARCHAR:
            return String(KEY_LENGTH) if keyed else Text()
        return Text() if dialect.name != "duckdb" else String()
    return {
        LogicalType.integer: BigInteger(),
        LogicalType.number: Double(),
        LogicalType.boolean: Boolean(),
        LogicalType.date: Date(),
        LogicalType.timestamp: DateTime(timezone=True),
    }[spec.type]


def _length(col: Column[Any], dialect: Dialect) -> ColumnElement[Any]:
    """Length in characters, as each database spells it."""
    if dialect.name in ("postgresql", "mysql", "mariadb"):
        return func.char_length(col)
    if dialect.name == "mssql":
        return func.len(col)
    return func.length(col)


def _full_match(col: Column[Any], pattern: str, dialect: Dialect) -> ColumnElement[bool] | None:
    if dialect.name == "postgresql":
        return col.op("~")(literal(anchored(pattern)))
    if dialect.name == "duckdb":
        return func.regexp_full_match(col, literal(pattern))
    return None


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _checks(
    name: str, spec: FieldSpec, col: Column[Any], dialect: Dialect, not_blank: bool
) -> list[tuple[str, ColumnElement[bool]]]:
    """(suffix, condition) of each CHECK constraint on one column; ``not_blank``: blank
    text fails it (``_rules.refuses_blank``)."""
    out: list[tuple[str, ColumnElement[bool]]] = []
    if not_blank:
        out.append(("not_blank", func.trim(col) != ""))
    values = list(spec.enum) if spec.enum else None
    patterns = [spec.pattern] if spec.pattern else []
    if spec.format is not None:
        rule = format_rule(spec.format)
        if rule.values is not None:
            values = values or list(rule.values)
        elif rule.pattern is not None:
            patterns.append(rule.pattern)
    if values:
        out.append(("enum" if spec.enum else "format", col.in_(values)))
    if spec.minimum is not None:
        out.append(("min", col >= _number(spec.minimum)))
    if spec.maximum is not None:
        out.append(("max", col <= _number(spec.maximum)))
    if spec.type == LogicalType.string and spec.min_length:
        out.append(("min_length", _length(col, dialect) >= spec.min_length))
    if spec.type == LogicalType.string and spec.max_length is not None:
        # VARCHAR(n) already says it; the CHECK makes the message name the rule
        out.append(("max_length", _length(col, dialect) <= spec.max_length))
    for i, pattern in enumerate(patterns):
        cond = _full_match(col, pattern, dialect)
        if cond is not None:
            out.append(("pattern" if i == 0 and spec.pattern else "format", cond))
    return out


def _constraint_name(table: str, column: str, suffix: str, dialect: Dialect) -> str:
    limit = getattr(dialect, "max_identifier_length", 63) or 63
    return f"ck_{table}_{column}_{suffix}"[:limit]


def build_table(contract: EntityContract, options: dict[str, Any], dialect: Dialect) -> Table:
    """The entity as a SQLAlchemy ``Table`` (on a fresh ``MetaData``)."""
    table_name = options.get("table") or contract.entity
    with_checks = parse_bool(options.get("checks"), True, "checks")
    pk = contract.primary_key
    columns: list[Any] = []
    constraints: list[Any] = []
    for name, spec in contract.fields.items():
        required = not_null(name, spec, pk)
        keyed = is_unique(name, spec, pk)
        comment = " ".join(spec.description.split()) if spec.description else None
        col = Column(
            name, _column_type(spec, keyed, dialect), nullable=not required, comment=comment
        )
        columns.append(col)
        if spec.unique and name != pk:
            constraints.append(UniqueConstraint(name, name=f"uq_{table_name}_{name}"[:63]))
        if with_checks:
            blank = refuses_blank(name, spec, pk)
            for suffix, cond in _checks(name, spec, col, dialect, blank):
                cname = _constraint_name(table_name, name, suffix, dialect)
                constraints.append(CheckConstraint(cond, name=cname))
    if pk:
        constraints.append(PrimaryKeyConstraint(pk, name=f"pk_{table_name}"[:63]))
    description = contract.description or contract.title
    return Table(
        table_name,
        MetaData(),
        *columns,
        *constraints,
        schema=options.get("schema") or None,
        comment=" ".join(description.split()) if description else None,
    )


def statements(contract: EntityContract, options: dict[str, Any] | None = None) -> list[str]:
    """The DDL statements, in order, without trailing semicolons."""
    options = dict(options or {})
    check_options(options, {"dialect", "table", "schema", "checks"}, "ddl")
    dialect = load_dialect(options.get("dialect") or "postgresql")
    table = build_table(contract, options, dialect)
    ddl: list[Any] = [CreateTable(table)]
    if dialect.supports_comments and not dialect.inline_comments:
        if table.comment:
            ddl.append(SetTableComment(table))
        ddl += [SetColumnComment(c) for c in table.columns if c.comment]
    return [str(s.compile(dialect=dialect)).strip() for s in ddl]


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    stmts = statements(contract, options)
    dialect = options.get("dialect") or "postgresql"
    header = (
        f"-- '{contract.entity}' contract, version {contract.version}, for {dialect}\n"
        "-- generated by `omnicontract export ddl`; regenerate rather than edit\n"
    )
    if contract.description and not load_dialect(dialect).supports_comments:
        header += "".join(f"-- {line}\n" for line in _wrap(contract.description))
    return header + "\n" + ";\n\n".join(stmts) + ";\n"


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), 86)
