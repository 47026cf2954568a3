"""Reading a feed's source on Spark: the same files and options as the DuckDB readers.

CSV is read as text columns with the layout the DuckDB engine finds in the first file
(``feeds.csv.layout``: delimiter, header names), the binding's quote, escape, header and
encoding; the binding's ``null_values`` become NULL; rows with another number of fields
than the header are set aside as malformed (OC-SRC-006), unless every row of a file has
one empty field more (a trailing delimiter: the file's style, ``trailing_style``); rows
holding bytes that are not valid in the declared encoding are set aside too
(OC-SRC-002). JSON, JSON lines and Parquet keep their types. A path with a URL scheme
(``s3a://``, ``abfss://``, ``dbfs:/``) is handed to Spark as it is; local paths are
resolved in the project first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

from omnicontract.contracts.model import Source
from omnicontract.validators.feeds import csv as csv_layout
from omnicontract.validators.feeds.csv import unique_names

REJECT = "__omnicontract_reject"  # why a row was set aside, NULL for rows that are read
FILE = "__omnicontract_file"
BAD_BYTES = "invalid bytes"
WRONG_WIDTH = "not the header's number of fields"
NOT_JSON = "not a JSON record"  # a line of a JSON Lines file
NOT_JSON_DOCUMENT = "not a JSON document"  # a whole .json file
CORRUPT = "__omnicontract_corrupt"
REPLACEMENT = "\ufffd"  # what Spark's decoder puts where bytes are invalid
# Python codec name -> Java charset; latin-1 is read as Windows-1252, as on DuckDB
ENCODINGS = {"utf-8": "UTF-8", "latin-1": "windows-1252", "iso8859-1": "windows-1252",
             "cp1252": "windows-1252", "utf-16": "UTF-16"}  # fmt: skip


# the charsets Spark 4's readers take by default; any other Java charset (Windows-1252)
# needs spark.sql.legacy.javaCharsets, set for the run when a source declares one
SPARK_CHARSETS = {"iso-8859-1", "us-ascii", "utf-16", "utf-16be", "utf-16le", "utf-32", "utf-8"}


def charset(name: str) -> str:
    """The Java charset Spark reads a file with, for a codec name Python knows."""
    import codecs

    python = codecs.lookup(name).name
    return ENCODINGS.get(python, name)


# Spark's error conditions for a name the catalog does not have
NOT_FOUND = {"TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND",
             "REQUIRES_SINGLE_PART_NAMESPACE"}  # fmt: skip

# Spark type names -> the DuckDB names the mapping understands
TYPE_NAMES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
}


@dataclass
class Read:
    """A source read on Spark: its frame (the source columns, plus REJECT and FILE) and
    its columns (name -> DuckDB type name)."""

    frame: Any
    columns: dict[str, str]

    def column_types(self, name: str) -> list[Any] | None:
        """The Spark type of column ``name`` (``column_types.Node``), case forgiven."""
        from omnicontract.validators.column_types import from_spark

        fields = {f.name.lower(): f for f in self.frame.schema.fields}
        found = fields.get(name.lower())
        return [from_spark(found.dataType)] if found is not None else None


def type_name(spark_type: str) -> str:
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    if spark_type.startswith("struct"):
        return "STRUCT"
    return TYPE_NAMES.get(spark_type, spark_type.upper())


def _names(session: Any, paths: list[str], options: dict[str, str]) -> list[str]:
    """The header of a file Spark reaches and Python does not (a URL): Spark reads it."""
    names = [c.lstrip("\ufeff") for c in session.read.options(**options).csv(paths).columns]
    return list(unique_names(names)) if options["header"] == "true" else names


def _csv_options(session: Any, source: Source, lay: csv_layout.Layout | None) -> dict[str, str]:
    quote = source.quote if source.quote is not None else '"'
    options = {
        "header": str(source.header).lower(),
        "sep": lay.delimiter if lay else (source.delimiter or ","),
        "quote": quote,
        "escape": source.escape if source.escape is not None else quote,
        "encoding": charset(source.encoding),
        "multiLine": "true",
        "mode": "PERMISSIVE",
        "inferSchema": "false",
        "nullValue": "\u0000",  # the binding's null_values are applied below
        "enforceSchema": "true",  # the header line is skipped, its names are ours
        "columnNameOfCorruptRecord": CORRUPT,
    }
    return options


def needs_java_charsets(source: Source) -> bool:
    """Whether the source's encoding is outside Spark's short list of charsets (then the
    engine sets ``spark.sql.legacy.javaCharsets`` for the run)."""
    return charset(source.encoding).lower() not in SPARK_CHARSETS


def _csv_frame(session: Any, paths: list[str], options: dict[str, str], names: list[str],
               extra: bool) -> Any:  # fmt: skip
    """The files read with the header's columns (``extra``: one more, the empty field
    after a trailing delimiter), and the corrupt-record column."""
    from pyspark.sql.types import StringType, StructField, StructType

    columns = [*names, csv_layout.EXTRA] if extra else names
    schema = StructType([StructField(n, StringType()) for n in [*columns, CORRUPT]])
    return session.read.options(**options).schema(schema).csv(paths)


def _csv(
    session: Any,
    paths: list[str],
    source: Source,
    first_local: Path | None,
    styled: frozenset[str] = frozenset(),
) -> Read:
    """The CSV reader of the DuckDB engine's layout (``feeds.csv``): the delimiter and
    the header names found in the first file. Spark marks a row with more or fewer fields
    than the header as corrupt. The files of ``styled`` end every row with a delimiter the
    header has not (their style, see ``trailing_style``): read with one more column."""
    from pyspark.sql import functions as F

    lay = csv_layout.layout(first_local, source.parts[0]) if first_local else None
    options = _csv_options(session, source, lay)
    names = list(lay.names) if lay else _names(session, paths, options)
    # Spark reads an empty unquoted field as NULL whatever its options; a row's fields are
    # never NULL otherwise (a short row is corrupt): NULL is the empty text, then the
    # binding's null_values apply, as on DuckDB
    nulls = list(source.null_values)
    text = {n: F.coalesce(F.col(f"`{n}`"), F.lit("")) for n in names}
    values = [F.when(text[n].isin(nulls), None).otherwise(text[n]).alias(n) for n in names]
    bad_bytes = F.lit(False)
    for n in names:
        bad_bytes = bad_bytes | F.coalesce(F.col(f"`{n}`").contains(REPLACEMENT), F.lit(False))

    def rows(which: list[str], extra: bool) -> Any:
        frame = _csv_frame(session, which, options, names, extra)
        wrong = F.col(CORRUPT).isNotNull()
        if extra:  # the extra field is empty (read as NULL) on every row of these files
            wrong = wrong | F.col(csv_layout.EXTRA).isNotNull()
        reject = (
            F.when(bad_bytes, F.lit(BAD_BYTES))
            .when(wrong, F.lit(WRONG_WIDTH))
            .otherwise(F.lit(None).cast("string"))
        )
        return frame.select(*values, reject.alias(REJECT), F.input_file_name().alias(FILE))

    plain = [p for p in paths if p not in styled]
    parts = ([rows(plain, False)] if plain else []) + (
        [rows(sorted(styled), True)] if styled else []
    )
    frame = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    return Read(frame, dict.fromkeys(names, "VARCHAR"))


def trailing_style(
    session: Any, paths: list[str], source: Source, first_local: Path | None
) -> frozenset[str]:
    """Of ``paths`` (files whose every row Spark found corrupt), those whose every row has
    one field more than the header, an empty one: a delimiter at the end of each line is
    the file's style, which the DuckDB engine accepts too. One pass over those files only."""
    from pyspark.sql import functions as F

    lay = csv_layout.layout(first_local, source.parts[0]) if first_local else None
    options = _csv_options(session, source, lay)
    names = list(lay.names) if lay else _names(session, paths, options)
    frame = _csv_frame(session, paths, options, names, extra=True)
    fits = F.col(CORRUPT).isNull() & F.col(csv_layout.EXTRA).isNull()
    counts = (
        frame.groupBy(F.input_file_name().alias(FILE))
        .agg(F.count(F.lit(1)).alias("rows"), F.count(F.when(fits, 1)).alias("fits"))
        .collect()
    )
    local = {local_path(p): p for p in paths}
    return frozenset(
        local[local_path(f)] for f, n, fit in counts if n == fit and local_path(f) in local
    )


def local_path(uri: str) -> str:
    """A local file's path, from a path or the URI Spark's ``input_file_name`` gives."""
    from urllib.parse import unquote, urlparse

    if uri.startswith("file:"):
        uri = unquote(urlparse(uri).path)
    return str(Path(uri).resolve())


def _lines_of_json(path: Path) -> bool:
    """Whether a ``.json`` file holds one JSON value per line (DuckDB tells the two apart
    by itself; Spark must be told)."""
    import json

    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 20).strip()
    except OSError:
        return False
    if not first or first.startswith(b"["):
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


class qualified_table(TableClause):
    """A table of the catalog as a FROM item, each part of its name quoted by the builder
    (``"catalog"."db"."name"``; SQLAlchemy's ``schema=`` would quote ``catalog.db`` as one
    name)."""

    inherit_cache = False

    def __init__(self, *parts: str):
        super().__init__(parts[-1])
        self.parts = parts


@compiles(qualified_table)
def _qualified_table(element: qualified_table, compiler: Any, **kw: Any) -> str:
    return ".".join(compiler.preparer.quote_identifier(p) for p in element.parts)


class NoSuchTable(Exception):
    """The catalog has no table of that name (OC-SRC-001)."""


def read_table(engine: Any, parts: list[str]) -> Read:
    """The frame of a table of the session's catalog, its columns with their types (a
    typed column is read by the mapping as a file's text of the same value would be)."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    stmt = select(literal_column("*")).select_from(qualified_table(*parts))
    try:
        frame = engine.query(stmt)
        schema = frame.schema  # analysed here (Spark Connect analyses lazily)
    except AnalysisException as exc:
        condition = exc.getCondition() if hasattr(exc, "getCondition") else exc.getErrorClass()
        if condition in NOT_FOUND:
            raise NoSuchTable(".".join(parts)) from None
        raise
    columns = {f.name: type_name(f.dataType.simpleString()) for f in schema.fields}
    frame = frame.select(
        "*", F.lit(None).cast("string").alias(REJECT), F.lit(None).cast("string").alias(FILE)
    )
    return Read(frame, columns)


def read_source(
    session: Any,
    files: list[str],
    source: Source,
    first_local: Path | None,
    styled: frozenset[str] = frozenset(),
) -> Read:
    """The frame of a feed's source files (``styled``: see ``trailing_style``)."""
    fmt = source.resolved_format
    if fmt == "duckdb":
        raise ValueError("a DuckDB database file is read by the DuckDB engine only")
    if source.skip_rows:
        raise ValueError("skip_rows is not supported on the Spark engine (Spark's CSV reader)")
    if fmt == "csv":
        return _csv(session, files, source, first_local, styled)
    why = NOT_JSON  # what a record Spark cannot parse is: a line of JSON Lines
    if fmt == "parquet":
        frame = session.read.option("mergeSchema", "true").parquet(*files)
    else:
        whole = fmt == "json" and not (first_local and _lines_of_json(first_local))
        if whole:  # or a whole document
            why = NOT_JSON_DOCUMENT
        frame = session.read.options(
            multiLine=str(whole).lower(),
            encoding=charset(source.encoding),
            mode="PERMISSIVE",
            columnNameOfCorruptRecord=CORRUPT,
        ).json(files)
    from pyspark.sql import functions as F

    reject = F.lit(None).cast("string")
    if CORRUPT in frame.columns:  # set aside, as on DuckDB
        reject = F.when(F.col(CORRUPT).isNotNull(), F.lit(why)).otherwise(reject)
    columns = {
        f.name: type_name(f.dataType.simpleString())
        for f in frame.schema.fields
        if f.name != CORRUPT
    }
    frame = frame.select(
        *[F.col(f"`{n}`") for n in columns], reject.alias(REJECT), F.input_file_name().alias(FILE)
    )
    return Read(frame, columns)
