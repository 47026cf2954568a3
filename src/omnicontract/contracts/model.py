"""The three file kinds of a project, as typed models.

These models are the single source of truth for the file formats: the loader validates
YAML against them and the published JSON Schemas are generated from them
(``omnicontract schema``), so the documentation and the editors' completion can never
drift from what the loader accepts.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from omnicontract.contracts import values as checked
from omnicontract.contracts.values import DURATION
from omnicontract.contracts.values import duration_seconds as duration_seconds  # re-exported
from omnicontract.contracts.values import parse_size as parse_size  # re-exported
from omnicontract.redact import clip

IDENT = r"^[a-z][a-z0-9_]*$"
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")


def _checked_by(problem: Any) -> Any:
    """A pydantic validator raising the message of ``problem(value)``, if any."""

    def check(value: Any) -> Any:
        if value is not None:
            message = problem(value)
            if message:
                raise ValueError(message)
        return value

    return AfterValidator(check)


# values checked against what the engines accept (see contracts/values.py)
TimeZone = Annotated[str, _checked_by(checked.zone_problem)]
PhoneRegion = Annotated[
    str,
    _checked_by(checked.region_problem),
    Field(json_schema_extra={"pattern": "^[A-Z]{2}$"}),
]
Duration = Annotated[
    str,
    _checked_by(checked.duration_problem),
    Field(json_schema_extra={"pattern": DURATION.pattern}),
]
Glob = Annotated[str, _checked_by(checked.glob_problem)]
Ident = Annotated[str, Field(pattern=IDENT)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class LogicalType(StrEnum):
    string = "string"
    integer = "integer"
    number = "number"
    boolean = "boolean"
    date = "date"
    timestamp = "timestamp"


class Format(StrEnum):
    email = "email"
    e164 = "e164"
    iso_country = "iso_country"
    iso_currency = "iso_currency"
    language = "language"
    uuid = "uuid"
    document = "document"


# ---------------------------------------------------------------- entity contract


class FieldSpec(Strict):
    """One canonical field of an entity."""

    type: LogicalType = Field(LogicalType.string, description="Logical type of the value.")
    description: str | None = Field(None, description="What the field means, for people.")
    required: bool = Field(False, description="Every record must have a non-empty value.")
    blank_is_missing: bool = Field(
        True,
        description="An empty or all-space text counts as missing for `required` and the "
        "primary key. `false`: only a null is missing, as ODCS and the Data Contract "
        "Specification read `required` (`omnicontract import` writes it so).",
    )
    unique: bool = Field(False, description="No two records of a feed share a value.")
    pii: bool = Field(
        False, description="Personal data: masked in every report sample unless asked."
    )
    enum: list[str] | None = Field(None, description="The closed vocabulary of allowed values.")
    pattern: str | None = Field(None, description="Regular expression the whole value must match.")
    minimum: float | None = Field(None, description="Smallest allowed value (numbers).")
    maximum: float | None = Field(None, description="Largest allowed value (numbers).")
    min_length: int | None = Field(None, ge=0, description="Shortest allowed text length.")
    max_length: int | None = Field(None, ge=1, description="Longest allowed text length.")
    format: Format | None = Field(None, description="A well-known format the value must follow.")
    references: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
        description="`entity.field` that must hold this value (e.g. `customer.customer_id`).",
    )
    not_future: bool = Field(False, description="Timestamps and dates must not lie in the future.")
    examples: list[str] | None = Field(None, description="Example values, for documentation.")

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            unsupported = checked.regex_problem(value)
            if unsupported:
                raise ValueError(unsupported)
            from omnicontract.contracts.regex import problem

            why = problem(value)
            if why is not None:
                if not why.startswith("invalid"):
                    why = (
                        f"the pattern uses {why}, which not every engine reads alike "
                        "(see docs/engines.md for the portable dialect)"
                    )
                raise ValueError(why)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        numeric = self.type in (LogicalType.integer, LogicalType.number)
        if (self.minimum is not None or self.maximum is not None) and not numeric:
            raise ValueError("minimum/maximum apply to integer and number fields only")
        if self.not_future and self.type not in (LogicalType.timestamp, LogicalType.date):
            raise ValueError("not_future applies to timestamp and date fields only")
        if self.format is not None and self.type != LogicalType.string:
            raise ValueError(f"format '{self.format}' applies to string fields only")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is greater than maximum")
        for value in self.enum or []:
            if not _reads_as(self.type, value):
                raise ValueError(
                    f"enum value {value!r} is not a{'n' if self.type == 'integer' else ''} "
                    f"{self.type.value}: a {self.type.value} field's values are compared as "
                    f"{self.type.value}s"
                )
        return self


def _reads_as(kind: LogicalType, text: str) -> bool:
    """``text`` (an enum value) is a value of ``kind``, as every engine reads one."""
    import datetime as dt
    import math
    import re

    text = text.strip()
    if kind == LogicalType.integer:
        return re.fullmatch(r"[+-]?[0-9]+", text) is not None
    if kind == LogicalType.number:
        if re.fullmatch(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?", text) is None:
            return False
        return math.isfinite(float(text))
    if kind == LogicalType.boolean:
        return text.lower() in ("true", "false")
    shapes = {
        LogicalType.date: (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", dt.date.fromisoformat),
        LogicalType.timestamp: (
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+([+-][0-9:]+|Z)?)?",
            dt.datetime.fromisoformat,
        ),
    }
    if kind in shapes:
        shape, read = shapes[kind]
        try:
            return re.fullmatch(shape, text) is not None and read(text) is not None
        except ValueError:
            return False
    return True


def _number(value: float) -> str:
    """A rule's value as people write it: 1234567, 0.25."""
    return f"{int(value):d}" if float(value).is_integer() else f"{value:g}"


class SqlRule(Strict):
    """A rule written as one read-only SELECT over the entity's rows, whose single value
    must meet a bound: ``SELECT count(*) FROM orders WHERE total < 0`` must be 0. The
    query reads the feed's canonical rows under the entity's name (its fields as columns;
    a field read from a column of another name is there under that name too), runs on
    the run's engine with no access to files or settings, and is refused at load if it is
    not one SELECT of that table (see docs/contract-format.md)."""

    name: str | None = Field(None, max_length=200, description="A short name for reports.")
    description: str | None = Field(None, description="What the rule guards, for people.")
    query: str = Field(min_length=1, max_length=20_000, description="One SELECT giving one value.")
    must_be: float | None = Field(None, description="The value must equal this.")
    must_not_be: float | None = Field(None, description="The value must differ from this.")
    must_be_greater_than: float | None = Field(None, description="Lower bound, exclusive.")
    must_be_greater_or_equal_to: float | None = Field(None, description="Lower bound.")
    must_be_less_than: float | None = Field(None, description="Upper bound, exclusive.")
    must_be_less_or_equal_to: float | None = Field(None, description="Upper bound.")
    must_be_between: tuple[float, float] | None = Field(
        None, description="Inclusive bounds `[low, high]`."
    )
    must_not_be_between: tuple[float, float] | None = Field(
        None, description="Inclusive bounds the value must lie outside of."
    )
    severity: Severity | None = Field(
        None,
        description="Severity of its finding when the bound is not met (default: the "
        "check's, `error`; a project's override of OC-QLT-001 still wins).",
    )

    @model_validator(mode="after")
    def _one_bound(self) -> SqlRule:
        if not self.bounds():
            raise ValueError("a SQL rule needs a bound (must_be, must_be_less_than, ...)")
        return self

    def bounds(self) -> dict[str, Any]:
        names = [n for n in type(self).model_fields if n.startswith("must_")]
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def broken_by(self, value: float | None) -> str | None:
        """Which bound ``value`` breaks, in words; None when it meets them all."""
        if value is None:
            return "the query gave no value (NULL)"
        tests = {
            "must_be": (lambda v, b: v == b, "= {}"),
            "must_not_be": (lambda v, b: v != b, "<> {}"),
            "must_be_greater_than": (lambda v, b: v > b, "> {}"),
            "must_be_greater_or_equal_to": (lambda v, b: v >= b, ">= {}"),
            "must_be_less_than": (lambda v, b: v < b, "< {}"),
            "must_be_less_or_equal_to": (lambda v, b: v <= b, "<= {}"),
            "must_be_between": (lambda v, b: b[0] <= v <= b[1], "between {0[0]:g} and {0[1]:g}"),
            "must_not_be_between": (
                lambda v, b: not b[0] <= v <= b[1],
                "outside {0[0]:g} to {0[1]:g}",
            ),
        }
        for name, bound in self.bounds().items():
            test, words = tests[name]
            if not test(value, bound):
                shown = words.format(bound if isinstance(bound, tuple) else _number(bound))
                return f"{_number(value)}, where the rule wants {shown}"
        return None


class EntityContract(Strict):
    """An entity contract: the canonical shape of one record type."""

    kind: Literal["entity"] = Field("entity", description="File kind; always `entity`.")
    entity: str = Field(pattern=IDENT, description="Entity name, e.g. `customer`.")
    version: str = Field(description="Semantic version of this contract, e.g. `1.2.0`.")
    title: str | None = Field(None, description="Human-readable name of the entity.")
    description: str | None = Field(None, description="What a record of this entity is.")
    owner: str | None = Field(None, description="Team or person accountable for the contract.")
    primary_key: str | None = Field(None, description="Field that identifies a record.")
    identity_keys: list[str] = Field(
        default_factory=list,
        description="Fields that identify the customer behind a record, most trusted first.",
    )
    event_time: str | None = Field(
        None, description="Timestamp field that says when a record happened (time checks)."
    )
    journey_key: str | None = Field(
        None, description="Field linking records of one journey or case across channels."
    )
    fields: dict[Annotated[str, Field(pattern=IDENT)], FieldSpec] = Field(
        min_length=1, description="The canonical fields, by name (lower_snake_case)."
    )
    sql_rules: list[SqlRule] = Field(
        default_factory=list,
        description="Rules over the entity's rows written as one SELECT each (OC-QLT-001).",
    )

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not SEMVER.match(value):
            raise ValueError(f"'{clip(value)}' is not a semantic version such as 1.0.0")
        return value

    @model_validator(mode="after")
    def _keys_exist(self) -> EntityContract:
        if self.primary_key is not None and self.primary_key not in self.fields:
            raise ValueError(f"primary_key '{self.primary_key}' is not a field of this entity")
        for key in self.identity_keys:
            if key not in self.fields:
                raise ValueError(f"identity key '{key}' is not a field of this entity")
        for role in ("event_time", "journey_key"):
            name = getattr(self, role)
            if name is not None and name not in self.fields:
                raise ValueError(f"{role} '{name}' is not a field of this entity")
        if self.event_time and self.fields[self.event_time].type != LogicalType.timestamp:
            raise ValueError(f"event_time '{self.event_time}' must be a timestamp field")
        if self.sql_rules:
            from omnicontract.contracts.sqlrule import problem

            for i, rule in enumerate(self.sql_rules):
                why = problem(rule.query, self.entity)
                if why:
                    raise ValueError(f"sql_rules[{i}]: {why}")
        return self


# ---------------------------------------------------------------- channel binding


def _check_zone(value: str | None) -> str | None:
    problem = checked.zone_problem(value) if value is not None else None
    if problem:
        raise ValueError(problem)
    return value


def _mapping_shorthand(value: Any) -> Any:
    """`field: column_name` is shorthand for `field: {column: column_name}`."""
    if isinstance(value, str):
        return {"column": value}
    return value


class FieldMapping(Strict):
    """How one canonical field is read from the feed."""

    column: str = Field(description="Source column (or JSON key) holding the value.")
    format: str | None = Field(
        None,
        description=(
            "Parse format. Timestamps and dates: strptime notation (`%d/%m/%Y %H:%M`, "
            "`%m/%d/%Y %I:%M %p`), or `epoch_s` / `epoch_ms` / `epoch_us`. Integer and number "
            "fields holding a duration in seconds: `hh:mm:ss`, `mm:ss`, `iso8601` (`PT1H2M3S`), "
            "`duration` (any of these or plain seconds), `seconds` or `milliseconds`."
        ),
    )
    time_column: str | None = Field(
        None,
        description="Timestamps written as a date and a time in two columns: the column with "
        "the time of day; `column` holds the date and `format` reads both, joined by a space.",
    )
    timezone: TimeZone | None = Field(
        None, description="IANA time zone of naive source timestamps (e.g. `America/Sao_Paulo`)."
    )
    values: dict[str, str | None] | None = Field(
        None, description="Value map from the channel's vocabulary to the canonical one."
    )
    phone_region: PhoneRegion | None = Field(
        None,
        description="ISO country whose local phone format the source uses (e.g. `BR`).",
    )
    phone_international: bool = Field(
        False,
        description=(
            "Phone numbers are international, country code first, even without a leading `+` "
            "(WhatsApp `wa_id`: `5511987654321`)."
        ),
    )
    decimal_separator: Literal[".", ","] = Field(
        ".", description="Decimal separator of numbers in the source."
    )
    thousands_separator: Literal[".", ",", " ", "'", "_"] | None = Field(
        None,
        description="Thousands separator of numbers in the source, removed before reading "
        "[`.` when the decimal separator is `,`].",
    )
    true_values: list[str] | None = Field(None, description="Source values meaning true.")
    false_values: list[str] | None = Field(None, description="Source values meaning false.")
    layout: KeyLayout | None = Field(
        None,
        description="The layout the channel promises for this key's raw values: `e164` "
        "(`+5511987654321`), `digits` (digits only), `national` (digits, no country code), "
        "`lowercase` (no capitals, no surrounding spaces), or `{pattern: <regex>}`. Keys that "
        "match a customer only after normalization and break it are OC-IDN-003.",
    )
    document_type: DocumentType | None = Field(
        None,
        description="Kind of national document in a `format: document` field: a python-stdnum "
        "module (`br.cpf`, `es.nie`, `us.ssn`) or a short name (`cpf`, `cnpj`, `nie`), fixed "
        "for the feed; or `{field: document_type, values: {dni: ar.dni}}` to read it per row.",
    )
    column_type: str | dict[str, Any] | None = Field(
        None,
        description="The type the source column itself must have, where the source carries "
        "types (Parquet, a DuckDB table; CSV and JSON are not judged): `string`, `integer`, "
        "`number`, `boolean`, `date`, `timestamp`, `time`, `array`, `object`, `any`; "
        "`{array: TYPE}`; `{object: {name: TYPE, ...}}` (names it must have). Another type "
        "is OC-SRC-011. `omnicontract validate` of an ODCS contract on Parquet declares it.",
    )
    links: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
        description="`channel.field`: this value is the `field` of a record of another channel "
        "(a web visit's `ref_id` is an e-mail's `link_id`). Broken links are OC-REF-002; the "
        "linked pairs measure the clock offset between the two channels (OC-TIM-001).",
    )

    @field_validator("column_type")
    @classmethod
    def _known_column_type(cls, value: Any) -> Any:
        from omnicontract.contracts.column_types import problem

        why = problem(value) if value is not None else None
        if why is not None:
            raise ValueError(why)
        return value

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        named = value in DURATION_FORMATS or value in EPOCH_FORMATS
        problem = checked.strptime_problem(value) if value is not None and not named else None
        if problem:
            raise ValueError(problem)
        return value


DURATION_FORMATS = ("hh:mm:ss", "mm:ss", "iso8601", "duration", "seconds", "milliseconds")
EPOCH_FORMATS = ("epoch_s", "epoch_ms", "epoch_us")


class LayoutPattern(Strict):
    """A key layout given as a regular expression the whole raw value must match."""

    pattern: str = Field(description="Regular expression the whole raw value must match.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return value


NAMED_LAYOUTS = ("e164", "digits", "national", "lowercase")
KeyLayout = Literal["e164", "digits", "national", "lowercase"] | LayoutPattern


class DocumentTypeField(Strict):
    """The document type is read per row from another canonical field of the feed."""

    field: str = Field(pattern=IDENT, description="Canonical field holding the document type.")
    values: dict[str, str] = Field(
        default_factory=dict,
        description="That field's values -> python-stdnum module or short name "
        "(`{dni: ar.dni}`); values not listed are used as they are.",
    )


DocumentType = str | DocumentTypeField


MappingValue = Annotated[
    FieldMapping, BeforeValidator(_mapping_shorthand, json_schema_input_type=str | FieldMapping)
]


class CheckOverride(Strict):
    """Change how one check (by code or name) is judged."""

    severity: Severity | None = Field(None, description="Severity of its findings.")
    max_rate: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Tolerance: a failing rate at or below it is reported as info.",
    )
    enabled: bool = Field(True, description="Set to false to skip the check.")


CheckOverrides = dict[str, CheckOverride]


def known_encoding(value: str) -> str:
    """The name as given, once Python's codecs know it (`cp1252`, `windows-1252`,
    `iso-8859-15`, `utf-16le`, ...); text codecs only."""
    import codecs

    try:
        info = codecs.lookup(value)
    except LookupError:
        raise ValueError(
            f"unknown encoding '{value[:80]}' (use a name Python knows: utf-8, cp1252, "
            "latin-1, iso-8859-15, utf-16, ...)"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"'{value[:80]}' is not a text encoding")
    return value


Encoding = Annotated[str, BeforeValidator(lambda v: known_encoding(v) if isinstance(v, str) else v)]


class ReadSettings(Strict):
    """How the files are read; a `files:` entry may override any of these."""

    format: Literal["csv", "json", "jsonl", "parquet", "duckdb"] | None = Field(
        None,
        description="File format; inferred from the file suffix when omitted. `duckdb`: a "
        "DuckDB database file, whose `table` is the feed.",
    )
    delimiter: str | None = Field(None, min_length=1, max_length=4, description="CSV delimiter.")
    quote: str | None = Field(None, max_length=1, description="CSV quote character.")
    escape: str | None = Field(None, max_length=1, description="CSV escape character.")
    header: bool | None = Field(None, description="CSV: the first row names the columns.")
    encoding: Encoding | None = Field(
        None, description="Text encoding of CSV and JSON files [the source's]."
    )
    skip_rows: int | None = Field(None, ge=0, description="CSV: lines to skip before the header.")
    null_values: list[str] | None = Field(None, description="CSV: values that mean missing.")


class SourceFile(ReadSettings):
    """Some files of a feed with settings of their own (a region's export in its own time
    zone, an older file in another encoding); everything else is judged across the feed."""

    path: str = Field(description="File path or glob, relative to the project.")
    timezone: str | None = Field(
        None,
        description="IANA time zone of the naive timestamps of these files; wins over the "
        "field's, the channel's and the project's zone for their rows.",
    )
    constants: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Canonical fields with a fixed value for the rows of these files (wins "
        "over the feed's constants and over a mapped column).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _check_zone(value)


CATALOG_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
FILE_ONLY = (
    "format",
    "delimiter",
    "quote",
    "escape",
    "skip_rows",
    "encoding",
    "header",
    "null_values",
)


class Source(ReadSettings):
    """Where a feed's rows come from: files (``path``, ``files``), a table or query of a
    database the project declares under ``connections:`` (``connection`` with ``table`` or
    ``query``), or a table of the Spark session's catalog (``table`` alone, read by
    ``--engine spark``)."""

    header: bool = Field(True, description="CSV: the first row names the columns.")
    encoding: Encoding = Field(
        "utf-8",
        description="Text encoding of CSV and JSON files: any name Python's codecs know "
        "(`utf-8`, `cp1252`/`windows-1252`, `latin-1`, `iso-8859-15`, `utf-16`, ...). "
        "UTF-8 with a BOM is read as utf-8; `latin-1` is read as browsers do, as Windows-1252.",
    )
    skip_rows: int = Field(0, ge=0, description="CSV: lines to skip before the header.")
    null_values: list[str] = Field(
        default_factory=lambda: [""], description="CSV: values that mean missing."
    )

    path: str | list[str] | None = Field(
        None, description="File path or glob (relative to the project), or a list of them."
    )
    files: list[SourceFile] = Field(
        default_factory=list,
        description="Files or globs with settings of their own; read with `path` as one feed.",
    )
    connection: str | None = Field(
        None,
        pattern=IDENT,
        description="Name of a database connection declared in the project file's "
        "`connections:`; the feed is then a `table` or a `query` of that database.",
    )
    table: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="Table or view of the connection, as `name` or `schema.name`; with "
        "`format: duckdb`, the table of a DuckDB database file; without a connection or "
        "path, a table of the Spark session's catalog (`--engine spark`): `name`, "
        "`database.name` or `catalog.database.name`, letters, digits, `_` and `-`.",
    )
    query: str | None = Field(
        None,
        min_length=1,
        max_length=100_000,
        description="One read-only SELECT of the connection (see docs/engines.md for what a "
        "query may contain); its result columns are the feed's columns.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        if self.connection is not None:
            return self._database_source()
        if self.query is not None:
            raise ValueError("a query needs a connection")
        if self.table is not None and self.path is None and not self.files:
            return self._catalog_source()
        if not self.path and not self.files:
            raise ValueError(
                "a source needs a path, a connection with a table or query, or a table"
            )
        if not self.paths or not all(self.paths):
            raise ValueError("'path' must name a file or glob (it is empty)")
        database_file = self.resolved_format == "duckdb"
        if self.table is not None and not database_file:
            raise ValueError(
                "'table' needs a connection, a DuckDB database file (format: duckdb), or no "
                "path (a table of the Spark catalog)"
            )
        if database_file:
            self._file_table()
        for part in self.parts:
            fmt = part.format or infer_format(part.path)
            if fmt != "csv":
                for name in ("delimiter", "quote", "escape"):
                    if getattr(part, name) is not None:
                        raise ValueError(f"'{name}' applies to csv sources only")
        return self

    def _file_table(self) -> None:
        if self.table is None:
            raise ValueError("a DuckDB database file is read by table: set table")
        if any((p.format or infer_format(p.path)) != "duckdb" for p in self.parts):
            raise ValueError("the files of a DuckDB table are all DuckDB database files")
        if not re.fullmatch(r"[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?", self.table):
            raise ValueError(f"table '{self.table}' must be written name or schema.name")

    def _database_source(self) -> Source:
        if self.path is not None or self.files:
            raise ValueError("a source is either files or a connection, not both")
        if (self.table is None) == (self.query is None):
            raise ValueError("a connection source needs exactly one of table or query")
        for name in FILE_ONLY:
            if name in self.model_fields_set:
                raise ValueError(f"'{name}' applies to file sources only")
        if self.table is not None and len(self.table.split(".")) > 2:
            raise ValueError(f"table '{self.table}' must be written name or schema.name")
        return self

    def _catalog_source(self) -> Source:
        """A table of the Spark catalog: its name is one to three identifier parts, which
        the engine quotes; nothing else of the name reaches Spark."""
        for name in FILE_ONLY:
            if name in self.model_fields_set:
                raise ValueError(f"'{name}' applies to file sources only")
        assert self.table is not None
        parts = self.table.split(".")
        if len(parts) > 3 or not all(CATALOG_PART.match(p) for p in parts):
            raise ValueError(
                f"table '{self.table}' must be written name, database.name or "
                "catalog.database.name, each of letters, digits, '_' and '-'"
            )
        return self

    @property
    def is_database(self) -> bool:
        return self.connection is not None

    @property
    def is_catalog(self) -> bool:
        """A table of the Spark session's catalog (a metastore table, Unity Catalog)."""
        return self.connection is None and self.table is not None and not self.in_files

    @property
    def in_files(self) -> bool:
        """Files (a DuckDB database file's table among them)."""
        return self.connection is None and bool(self.path or self.files)

    @property
    def paths(self) -> list[str]:
        listed = [self.path] if isinstance(self.path, str) else list(self.path or [])
        return listed + [f.path for f in self.files]

    @property
    def parts(self) -> list[SourceFile]:
        """One entry per path or `files:` item, with the source's settings filled in."""
        base = {k: getattr(self, k) for k in ReadSettings.model_fields}
        listed = [self.path] if isinstance(self.path, str) else list(self.path or [])
        out = [SourceFile(path=p, **base) for p in listed]
        for f in self.files:
            merged = {k: v if (v := getattr(f, k)) is not None else base[k] for k in base}
            out.append(
                SourceFile(path=f.path, timezone=f.timezone, constants=f.constants, **merged)
            )
        return out

    @property
    def resolved_format(self) -> str:
        if not self.in_files:
            return "table" if self.table is not None else "query"
        return self.format or infer_format(self.paths[0])

    @property
    def display(self) -> str:
        """How the source is named in reports: paths, ``connection:table`` / ``query``, or
        ``table:name`` (the Spark catalog's)."""
        if self.is_catalog:
            return f"table:{self.table}"
        if self.connection is None:
            return ", ".join(self.paths)
        return f"{self.connection}:{self.table}" if self.table else f"{self.connection}: query"


def infer_format(path: str) -> str:
    lowered = path.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "json"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".duckdb", "duckdb"),
    ):
        if lowered.endswith(suffix) or lowered.endswith(suffix + ".gz"):
            return fmt
    raise ValueError(f"cannot tell the format of '{path}'; set source.format")


class Freshness(Strict):
    """The newest record of a feed must be younger than ``max_age`` at the time of the run."""

    field: str | None = Field(
        None, description="Timestamp field to look at [default: the entity's event_time]."
    )
    max_age: Duration = Field(description="Largest allowed age of the newest record (`24h`, `2d`).")


class Volume(Strict):
    """The row count of a feed: within absolute bounds (`min_rows`, `max_rows`, judged on
    every run), and against the median of its recent recorded runs."""

    min_rows: int | None = Field(
        None, ge=0, description="Fewest rows the feed may hold on any run (an error below)."
    )
    max_rows: int | None = Field(
        None, ge=0, description="Most rows the feed may hold on any run (an error above)."
    )

    max_drop: float = Field(
        0.5, gt=0, lt=1, description="Largest allowed drop, as a share (0.5: half the rows)."
    )
    max_growth: float = Field(
        2.0, gt=0, description="Largest allowed growth, as a share (2.0: three times the rows)."
    )
    window: int = Field(7, ge=1, le=100, description="Recent runs the median is taken over.")
    min_runs: int = Field(3, ge=1, le=100, description="Runs needed before the check judges.")


class FeedBinding(Strict):
    """One export or table of a channel, bound to one entity."""

    name: str = Field(pattern=IDENT, description="Feed name, unique within the channel.")
    entity: str = Field(pattern=IDENT, description="Canonical entity this feed supplies.")
    description: str | None = Field(None, description="What this export is, for people.")
    source: Source = Field(description="Where the rows come from.")
    fields: dict[str, MappingValue] = Field(
        description="Canonical field -> source column, or a mapping with parse rules."
    )
    constants: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Canonical fields with a fixed value for this feed."
    )
    unexpected_columns: Literal["ignore", "info", "warning", "error"] = Field(
        "info", description="How to report source columns that no field maps."
    )
    checks: CheckOverrides = Field(
        default_factory=dict, description="Per-check overrides for this feed."
    )
    freshness: Freshness | None = Field(
        None, description="How recent the newest record must be (OC-SRC-008)."
    )
    volume: Volume | None = Field(
        None, description="How much the row count may move against recent runs (OC-SRC-007)."
    )

    @model_validator(mode="after")
    def _no_overlap(self) -> FeedBinding:
        both = sorted(set(self.fields) & set(self.constants))
        if both:
            raise ValueError(f"fields mapped and also given as constants: {', '.join(both)}")
        return self


class ChannelBinding(Strict):
    """A channel: its owner and the feeds it exports."""

    kind: Literal["channel"] = Field("channel", description="File kind; always `channel`.")
    channel: str = Field(pattern=IDENT, description="Channel name, e.g. `whatsapp`.")
    owner: str | None = Field(None, description="Team accountable for this channel's data.")
    description: str | None = Field(None, description="What this channel is, for people.")
    timezone: TimeZone | None = Field(
        None, description="Default IANA time zone for this channel's naive timestamps."
    )
    phone_region: PhoneRegion | None = Field(
        None, description="Default phone region for this channel."
    )
    checks: CheckOverrides = Field(
        default_factory=dict, description="Per-check overrides for every feed of the channel."
    )
    feeds: list[FeedBinding] = Field(min_length=1, description="The channel's exports or tables.")

    @model_validator(mode="after")
    def _unique_feeds(self) -> ChannelBinding:
        names = [f.name for f in self.feeds]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"feed names must be unique within a channel: {', '.join(dupes)}")
        return self


FieldMapping.model_rebuild()

# ---------------------------------------------------------------- project file


class Policy(Strict):
    fail_on: Severity = Field(
        Severity.error, description="Lowest severity that makes `validate` exit 1."
    )
    sample_size: int = Field(5, ge=0, le=100, description="Failing values shown per finding.")
    mask_pii: bool = Field(True, description="Mask samples of fields marked `pii`.")
    future_tolerance: Duration = Field(
        "5m", description="Clock skew allowed before a timestamp counts as future (`30s`, `5m`)."
    )
    checks: CheckOverrides = Field(
        default_factory=dict, description="Per-check overrides for the whole project."
    )
    as_of: AwareDatetime | None = Field(
        None,
        description="The moment the exports represent (ISO-8601 with a UTC offset), used as "
        "'now' by future timestamps, freshness, volume and consent [default: the time of the "
        "run]; `--as-of` overrides it.",
    )


class Defaults(Strict):
    timezone: TimeZone | None = Field(None, description="Default IANA zone for naive timestamps.")
    phone_region: PhoneRegion | None = Field(
        None, description="Default phone region for local numbers."
    )


class Normalizer(StrEnum):
    """How an identity key is normalized before keys are compared across channels."""

    text = "text"  # trimmed, upper case
    email = "email"  # trimmed, lower case
    phone = "phone"  # E.164, as the mapping normalized it
    document = "document"  # letters and digits only, upper case, no leading zeros
    handle = "handle"  # lower case, without a leading @


class IdentityKey(Strict):
    name: str = Field(pattern=IDENT, description="Key name; also its field name by default.")
    normalize: Normalizer = Field(Normalizer.text, description="Normalization before matching.")
    fields: dict[Ident, Ident] = Field(
        default_factory=dict,
        description="Field holding the key, per entity, where it is not `name` "
        "(e.g. `{customer: instagram_handle}`).",
    )

    def field_for(self, entity: str) -> str:
        return self.fields.get(entity, self.name)


def _default_keys() -> list[IdentityKey]:
    return [
        IdentityKey(name="customer_id"),
        IdentityKey(name="email", normalize=Normalizer.email),
        IdentityKey(name="phone", normalize=Normalizer.phone),
        IdentityKey(name="document_id", normalize=Normalizer.document),
        IdentityKey(name="loyalty_id"),
        IdentityKey(
            name="social_handle",
            normalize=Normalizer.handle,
            fields={"customer": "instagram_handle"},
        ),
    ]


def _default_placeholders() -> dict[str, list[str]]:
    return {
        "email": [
            "test@*",
            "teste@*",
            "*@test.com",
            "*@teste.com",
            "noemail@*",
            "no-reply@*",
            "naotem@*",
            "sememail@*",
            "x@x.*",
            "a@a.*",
        ],
        "phone": ["+550000*", "+551100000000*", "+5511999999999", "+5511111111111"],
        "document_id": ["00000000000", "11111111111", "12345678909"],
    }


class Identity(Strict):
    """Which keys identify a customer across channels, and which values identify no one."""

    master: str = Field(
        "customer", pattern=IDENT, description="Entity whose records define the known customers."
    )
    id_field: str = Field(
        "customer_id", pattern=IDENT, description="Field holding the customer id, in every entity."
    )
    keys: list[IdentityKey] = Field(
        default_factory=_default_keys,
        min_length=1,
        description="Identity keys, most trusted first.",
    )
    placeholders: dict[str, list[Glob]] = Field(
        default_factory=_default_placeholders,
        description="Per key, glob patterns of values that identify no one (`test@*`).",
    )
    shared_threshold: int = Field(
        3, ge=2, description="A key value on more customers than this is a shared identifier."
    )
    same_person: list[str] = Field(
        default_factory=lambda: ["full_name", "birth_date"],
        description="Master fields that tell two customer records sharing an identity key "
        "apart: where every one of them that both records fill is equal (names compared "
        "without case, accents or extra spaces), and at least one is, the records are one "
        "person entered twice (OC-IDN-009); otherwise two people sharing a key (OC-IDN-004).",
    )

    @model_validator(mode="before")
    @classmethod
    def _key_shorthand(cls, data: Any) -> Any:
        """`keys: [email, phone]` is shorthand for keys with default normalization."""
        if isinstance(data, dict) and isinstance(data.get("keys"), list):
            defaults = {k.name: k for k in _default_keys()}
            data = dict(data)
            data["keys"] = [
                (defaults[k].model_dump() if k in defaults else {"name": k})
                if isinstance(k, str)
                else k
                for k in data["keys"]
            ]
        return data

    @model_validator(mode="after")
    def _unique_keys(self) -> Identity:
        names = [k.name for k in self.keys]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"identity keys listed twice: {', '.join(dupes)}")
        unknown = sorted(set(self.placeholders) - set(names))
        if unknown and "placeholders" not in self.model_fields_set:
            kept = {k: v for k, v in self.placeholders.items() if k in names}
            object.__setattr__(self, "placeholders", kept)
        elif unknown:
            raise ValueError(
                f"placeholders for keys that are not identity keys: {', '.join(unknown)}"
            )
        return self


class Consent(Strict):
    """Which consent field of the master governs outbound contact on each channel."""

    channels: dict[Ident, Ident] = Field(
        default_factory=lambda: {
            "email": "consent_email",
            "whatsapp": "consent_whatsapp",
            "sms": "consent_sms",
            "call_center": "consent_phone",
        },
        description="Interaction channel -> boolean consent field of the master entity; its "
        "timestamp is the field of the same name with `_at`.",
    )
    channel_field: Ident = Field("channel", description="Field holding an interaction's channel.")
    direction_field: Ident = Field(
        "direction", description="Field saying whether the business made the contact."
    )
    outbound_values: list[str] = Field(
        default_factory=lambda: ["outbound"],
        description="Values of `direction_field` that mean the business contacted the customer.",
    )
    kinds: list[str] = Field(
        default_factory=lambda: ["campaign"],
        description="Interaction kinds that need consent when outbound (marketing). An outbound "
        "contact that carries a `campaign_field` value needs consent whatever its kind; other "
        "outbound contacts (replies, service calls, order messages) do not.",
    )
    marketing_only: bool = Field(
        False,
        description="Only outbound contacts that carry a `campaign_field` value need consent; "
        "`kinds` is ignored.",
    )
    campaign_field: Ident = Field("campaign_id", description="Field naming the campaign, if any.")
    entity: str = Field(
        "consent_event",
        pattern=IDENT,
        description="Entity of consent logs (one row per opt-in or opt-out, with a time); its "
        "feeds are resolved to customers like interactions and time the consent state.",
    )
    action_field: str = Field(
        "action", description="Field of a consent log holding `opt_in` or `opt_out`."
    )


class History(Strict):
    """Where runs are recorded (`omnicontract history`, `omnicontract report`)."""

    url: str | None = Field(
        None,
        description="SQLAlchemy URL of the run store; `${ENV_VAR}` in its password is expanded, "
        "so a password can stay out of the repository "
        "(`postgresql://qa:${QA_DB_PASSWORD}@db/qa`). Default: "
        "SQLite at `.omnicontract/history.db` in the project folder.",
    )
    enabled: bool = Field(True, description="Record every `validate` run.")
    keep: int | None = Field(
        None, ge=1, description="Runs of this project to keep; older ones are deleted."
    )
    required: bool = Field(
        False,
        description="A run whose history store cannot be reached fails (exit 2). By default "
        "it is a warning naming the store, and the findings alone decide the exit code.",
    )


def _connection_shorthand(value: Any) -> Any:
    """`crm: postgresql://...` is shorthand for `crm: {url: postgresql://...}`."""
    if isinstance(value, str):
        return {"url": value}
    return value


class Connection(Strict):
    """A database that feeds can read tables or queries from (checks run inside it)."""

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="SQLAlchemy URL (`postgresql://qa@db.example.com/crm`, `sqlite:///crm.db`). "
        "`${ENV_VAR}` is expanded in the password and only there, so a password stays out "
        "of the repository (`postgresql://qa:${CRM_PASSWORD}@db/crm`); the URL is printed "
        "only with its credentials redacted.",
    )
    description: str | None = Field(None, description="What this database is, for people.")
    batch_size: int = Field(
        10_000,
        ge=100,
        le=1_000_000,
        description="Rows per batch when key columns are fetched for cross-channel checks.",
    )


ConnectionValue = Annotated[
    Connection, BeforeValidator(_connection_shorthand, json_schema_input_type=str | Connection)
]


class ProjectFile(Strict):
    """`omnicontract.yaml`: where everything lives and how runs are judged."""

    kind: Literal["project"] = Field("project", description="File kind; always `project`.")
    project: str = Field(min_length=1, description="Project name.")
    description: str | None = Field(None, description="What this project covers, for people.")
    contracts: list[str] = Field(
        default_factory=lambda: ["contracts/*.yaml"],
        description="Entity contract files or globs, relative to the project folder.",
    )
    channels: list[str] = Field(
        default_factory=lambda: ["channels/*.yaml"],
        description="Channel binding files or globs, relative to the project folder.",
    )
    data_roots: list[str] = Field(
        default_factory=list,
        description="Folders outside the project folder that sources may read (absolute, or "
        "relative to the project); every run names them in its header. Any other path outside "
        "the project is refused.",
    )
    identity: Identity = Field(default_factory=Identity, description="Identity policy.")
    consent: Consent = Field(default_factory=Consent, description="Consent policy.")
    policy: Policy = Field(default_factory=Policy, description="How runs are judged.")
    defaults: Defaults = Field(default_factory=Defaults, description="Defaults for bindings.")
    history: History = Field(default_factory=History, description="Run history store.")
    connections: dict[Annotated[str, Field(pattern=IDENT)], ConnectionValue] = Field(
        default_factory=dict,
        description="Databases that feeds read tables or queries from, by name.",
    )
