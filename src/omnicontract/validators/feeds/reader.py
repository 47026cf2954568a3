"""Read the files of one feed as one table of rows.

A feed's files are read by column name: files that differ in columns are read together,
a column missing from some files is NULL in their rows (and named by ``files_without``),
duplicates across files are kept. Each ``source.files`` entry carries its own settings
(encoding, delimiter, time zone, constants). The row population every check sees is the
same: the parsed rows, exported duplicates included, rejected rows (bad bytes, wrong
field count, lines that are not JSON) excluded and reported as findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    column,
    delete,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy.types import UserDefinedType

from omnicontract.contracts.model import Source, SourceFile, infer_format
from omnicontract.contracts.paths import Confinement
from omnicontract.validators.feeds import (
    csv,
    display_names,
    duckdbfile,
    encoding,
    glob_files,
    json,
    parquet,
)
from omnicontract.validators.sqlfuncs import struct_path
from omnicontract.words import n_of

if TYPE_CHECKING:
    from collections.abc import Callable


class FileNames(UserDefinedType[str]):
    """DuckDB's ``ENUM`` of the given file paths (compared and fetched as text)."""

    cache_ok = True

    def __init__(self, paths: list[str]):
        self.paths = tuple(paths)

    def get_col_spec(self, **kw: Any) -> str:
        from omnicontract.validators.dialect import duckdb_dialect

        quote = String().literal_processor(duckdb_dialect())
        assert quote is not None
        return f"ENUM({', '.join(quote(p) for p in self.paths)})"


BINARY = ("parquet", "duckdb")  # formats with no text encoding
SHAPE = "__oc_shape"
ZONE = "__oc_zone"
ROW_FILE = "__file"  # kept in the canonical table when a feed has several files


@dataclass
class Problem:
    """Something the reader found, as a source finding."""

    code: str
    message: str
    count: int = 0
    samples: list[tuple[Any, int]] = field(default_factory=list)
    location: str | None = None
    hint: str | None = None


@dataclass
class Group:
    """Files of one ``source`` entry read by one table function (same layout)."""

    part_index: int
    part: SourceFile
    fmt: str
    files: list[Path]  # the source files
    read: list[Path]  # what the engine reads (UTF-8 copies of other encodings)
    columns: dict[str, str]  # name -> engine type
    layout: csv.Layout | None = None
    rejects: str = ""
    ignore_errors: bool = False
    parallel: bool = True
    bad_json: list[tuple[Path, int, list[int]]] = field(default_factory=list)
    tables: list[Any] = field(default_factory=list)  # a database file's table, per file

    def expression(self) -> Any:
        if self.fmt == "csv":
            assert self.layout is not None
            return csv.read_expression(self.read, self.layout, self.rejects, parallel=self.parallel)
        if self.fmt in ("json", "jsonl"):
            return json.read_expression(self.read, self.fmt, ignore_errors=self.ignore_errors)
        if self.fmt == "duckdb":
            return duckdbfile.read_expression(self.read, self.tables, list(self.columns))
        return parquet.read_expression(self.read)


@dataclass
class Resolved:
    """Where a mapped column is: its expression in each group that has it."""

    name: str
    type: str
    exprs: dict[int, Any]  # group index -> column expression
    column: str  # the source column it is read from (a JSON object's, for a dotted name)


class FeedReader:
    """Open the files of one feed; ``load`` reads them once into a table the engine
    builds from the wanted columns."""

    def __init__(
        self,
        engine: Any,
        root: Path,
        source: Source,
        *,
        prefix: str,
        samples: int,
        confinement: Confinement | None = None,
    ):
        self.engine = engine
        workdir = Path(engine.tmpdir.name)
        self.source = source
        self.workdir = workdir
        self.prefix = prefix
        self.samples = max(samples, 1)
        self.groups: list[Group] = []
        self.problems: list[Problem] = []
        self.files: list[Path] = []
        self.empty: list[Path] = []
        self.original: dict[str, Path] = {}  # read path -> source file
        self._malformed: list[tuple[int, list[tuple[str, int, str]]]] = []
        seen: set[Path] = set()
        for index, part in enumerate(source.parts):
            for f in glob_files(root, part.path, confinement):
                if f in seen:
                    continue
                seen.add(f)
                self.files.append(f)
                if f.stat().st_size == 0:
                    self.empty.append(f)
                    continue
                self._open(index, part, f)

    # ------------------------------------------------------------------ opening
    def _open(self, index: int, part: SourceFile, path: Path) -> None:
        fmt = part.format or infer_format(path.name)
        read = path
        tables: list[Any] = []
        try:
            if fmt not in BINARY and not encoding.is_native(part.encoding):
                target = self.workdir / f"{self.prefix}_{len(self.original)}{_suffix(path)}"
                read = encoding.transcode(path, part.encoding, target)
            self.original[str(read)] = path
            lay = csv.layout(path, part, read if read != path else None) if fmt == "csv" else None
            if lay is not None:
                columns = dict.fromkeys(lay.names, "VARCHAR")
            elif fmt == "duckdb":
                tables.append(duckdbfile.attach(self.engine, path, self.source.table or ""))
                columns = self._describe(fmt, read, tables)
            else:
                columns = self._describe(fmt, read)
        except Exception as exc:  # one unreadable file; the feed's other files are read
            self.problems.append(self._unreadable(path, fmt, part, exc))
            return
        for g in self.groups:
            if (g.part_index, g.fmt, g.layout, g.columns) == (index, fmt, lay, columns):
                g.files.append(path)
                g.read.append(read)
                g.tables.extend(tables)
                return
        rejects = f"{self.prefix}_rejects_{len(self.groups)}"
        group = Group(index, part, fmt, [path], [read], columns, lay, rejects, tables=tables)
        self.groups.append(group)

    def _describe(self, fmt: str, read: Path, tables: list[Any] | None = None) -> dict[str, str]:
        import duckdb

        def described(expr: Any) -> dict[str, str]:
            result = self.engine.run(select(literal_column("*")).select_from(expr).limit(0))
            return {d[0]: str(d[1]) for d in result.description if d[0] != csv.FILE}

        try:
            one = Group(0, SourceFile(path=""), fmt, [read], [read], {}, tables=tables or [])
            if fmt == "duckdb":  # every column of the table
                return described(one.tables[0])
            return described(one.expression())
        except duckdb.Error:
            if fmt != "jsonl":
                raise
            return described(json.read_expression([read], fmt, ignore_errors=True))

    def _unreadable(self, path: Path, fmt: str, part: SourceFile, exc: Exception) -> Problem:
        from omnicontract.validators.feeds import clean_duckdb_error

        why = clean_duckdb_error(exc) if not isinstance(exc, OSError) else str(exc.strerror)
        return Problem(
            "OC-SRC-002",
            f"cannot read {path.name} as {fmt}"
            + (f" ({part.encoding})" if part.encoding and fmt not in BINARY else "")
            + f": {why}",
            count=1,
            samples=[(path.name, 1)],
            location=str(path),
        )

    # ------------------------------------------------------------------ columns
    @property
    def columns(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for g in self.groups:
            for name, typ in g.columns.items():
                if name in out and out[name] != typ:
                    out[name] = "VARCHAR"
                else:
                    out.setdefault(name, typ)
        return out

    def resolve(self, name: str) -> Resolved | None:
        """A column by name (case differences forgiven; dotted names reach into JSON
        objects) in every group that has it; None when no file has it."""
        exprs: dict[int, str] = {}
        types: set[str] = set()
        found = top = name
        for i, g in enumerate(self.groups):
            hit = _find(name, g.columns)
            if hit is not None:
                found, exprs[i], typ, top = hit
                types.add(typ)
        if not exprs:
            return None
        typ = types.pop() if len(types) == 1 else "VARCHAR"
        if len(exprs) > 1 and typ == "VARCHAR":
            exprs = {i: cast(e, String()) for i, e in exprs.items()}
        return Resolved(found, typ, exprs, top)

    def column_types(self, name: str) -> list[Any] | None:
        """The type of column ``name`` (``column_types.Node``) in each group that has it,
        when every such group carries types of its own (Parquet, a DuckDB table); None
        when one is text (CSV, JSON: no types to judge) or ``name`` reaches into a nested
        column."""
        from omnicontract.validators.column_types import from_duckdb

        types: list[Any] = []
        for g in self.groups:
            hit = _find(name, g.columns)
            if hit is None:
                continue
            if g.fmt not in BINARY or hit[0] not in g.columns:
                return None
            types.append(from_duckdb(hit[2]))
        return types or None

    def files_without(self, resolved: Resolved, filled: set[int] | None = None) -> list[Path]:
        """Files lacking a column, except those of ``files:`` entries (by index) that give
        the field a constant."""
        return [
            f
            for i, g in enumerate(self.groups)
            if i not in resolved.exprs and g.part_index not in (filled or set())
            for f in g.files
        ]

    def rows_from(self, t: Any, files: list[Path]) -> int:
        """Rows of the loaded table ``t`` that come from ``files``."""
        reads = [
            str(r) for g in self.groups for f, r in zip(g.files, g.read, strict=True) if f in files
        ]
        stmt = select(func.count()).select_from(t).where(t.c[ROW_FILE].in_(reads))
        return int(self.engine.fetch(stmt)[0][0])

    @property
    def file_names(self) -> dict[str, str]:
        """Engine path -> file name (with folders where names repeat), for every file read."""
        return display_names(
            {str(r): f for g in self.groups for f, r in zip(g.files, g.read, strict=True)}
        )

    @property
    def zones(self) -> bool:
        return any(g.part.timezone for g in self.groups)

    # ------------------------------------------------------------------ loading
    def load(
        self,
        name: str,
        selected: dict[str, Resolved | None],
        constants: dict[str, dict[int, Any]] | None,
        create: Callable[[Any], Any],
    ) -> Any:
        """Read the files once into table ``name``, created by ``create(rows)`` from
        ``rows``: a subquery with one column per alias of ``selected`` (NULL where a group
        lacks it; a per-file constant where a ``files:`` entry gives one), the time zone
        of each row (``ZONE``) and what ``kept(rows)`` names, which the table must carry.
        Rows rejected for their shape or syntax are deleted from it; ``finish`` drops the
        reader's columns once ``rows_from`` is done. Returns the table."""
        import duckdb

        for _attempt in range(3):
            try:
                created = create(self._load_query(selected, constants or {}))
                break
            except duckdb.Error as exc:
                if not self._lenient(str(exc)):
                    raise
                self.engine.drop(name)
        else:
            raise RuntimeError("unreachable: the last attempt raises")
        self._reject_shapes(created)
        self._reject_json(created)
        return created

    @staticmethod
    def kept(rows: Any) -> list[Any]:
        """The columns of ``rows`` the loaded table carries for the reader: each row's file
        and why its shape is wrong."""
        return [rows.c[ROW_FILE], rows.c[SHAPE]]

    def finish(self, t: Any, *, keep_file: bool) -> None:
        """Drop the reader's columns from the loaded table ``t`` (the file of each row
        stays, as ``ROW_FILE``, with ``keep_file``, or when no other column is left)."""
        keep_file = keep_file or len(t.c) == 2
        self.engine.drop_columns(t.name, [SHAPE] if keep_file else [SHAPE, ROW_FILE])

    def _lenient(self, error: str) -> bool:
        """Read again in the slower way that copes with ``error``: serially for quoted
        line breaks, line by line for JSONL files with lines that are not JSON."""
        if "parallel" in error:
            groups = [g for g in self.groups if g.fmt == "csv" and g.parallel]
            for g in groups:
                g.parallel = False
            return bool(groups)
        groups = [g for g in self.groups if g.fmt == "jsonl" and not g.ignore_errors]
        for g in groups:
            g.ignore_errors = True
        return bool(groups)

    def _load_query(
        self, selected: dict[str, Resolved | None], constants: dict[str, dict[int, Any]]
    ) -> Any:
        selects = []
        # each row's file as an enumeration of the files read: a small number per row,
        # where the path itself (tens of bytes) would weigh on memory like a column of data
        files = FileNames(sorted(self.file_names))
        for i, g in enumerate(self.groups):
            cols = []
            for alias, res in selected.items():
                value = constants.get(alias, {}).get(g.part_index)
                if value is not None:
                    expr: Any = literal(str(value), String())
                elif res is not None and i in res.exprs:
                    expr = _nulls(res.exprs[i], g)
                else:
                    expr = null()
                cols.append(expr.label(alias))
            cols.append(cast(column(csv.FILE), files).label(ROW_FILE))
            cols.append(cast(literal(g.part.timezone, String()), String()).label(ZONE))
            cols.append(self._shape(g).label(SHAPE))
            selects.append(select(*cols).select_from(g.expression()))
        return (
            union_all(*selects).subquery("rows")
            if len(selects) > 1
            else selects[0].subquery("rows")
        )

    def _shape(self, g: Group) -> Any:
        if g.fmt == "csv" and g.layout is not None:
            return csv.shape_expression(g.layout)
        if g.ignore_errors and g.columns:
            every = and_(*[column(c).is_(None) for c in g.columns])
            return case((every, literal("not json")), else_=literal(None, String()))
        return literal(None, String())

    def _reject_shapes(self, t: Any) -> None:
        """Rows with the wrong number of fields leave the table, as one finding. Only rows
        with a shape are counted (the engine skips the parts of the table without any),
        and the rows of a file without one only where the file has a trailing delimiter."""
        file, shape = t.c[ROW_FILE], t.c[SHAPE]
        counts = self.engine.fetch(
            select(file, shape, func.count()).where(shape.is_not(None)).group_by(file, shape)
        )
        if any(kind == "trailing" for _name, kind, _n in counts):
            good = select(file, shape, func.count()).where(shape.is_(None)).group_by(file, shape)
            counts.extend(self.engine.fetch(good))
        by_file: dict[str, dict[str | None, int]] = {}
        for name, kind, n in counts:
            by_file.setdefault(name, {})[kind] = int(n)
        styled = []  # files whose every row ends with a delimiter the header has not
        for name, shapes in by_file.items():
            if shapes.get("trailing") and set(shapes) == {"trailing"}:
                styled.append(name)
                shapes.pop("trailing")
        bad = {
            f: sum(n for s, n in shapes.items() if s and s != "not json")
            for f, shapes in by_file.items()
        }
        bad = {f: n for f, n in bad.items() if n}
        if bad:
            wrong = [shape.is_not(None), shape != "not json"]
            self.engine.run(delete(t).where(*wrong, *([file.not_in(styled)] if styled else [])))
            self._shape_problem(bad)
        for kind, rows in self._engine_rejects().items():
            self._rejects_problem(kind, rows)

    def _shape_problem(self, bad: dict[str, int]) -> None:
        layouts = {str(r): g.layout for g in self.groups for r in g.read}
        lines: list[tuple[str, int, str]] = []
        for file in sorted(bad, key=lambda f: self.original[f].name):
            lay = layouts.get(file)
            if lay is None or len(lines) >= self.samples:
                continue
            width = len(lay.names)
            for line, n in csv.bad_lines(Path(file), lay, self.samples - len(lines)):
                kind = "too many columns" if n > width else "too few columns"
                lines.append((self.original[file].name, line, kind))
        total = sum(bad.values())
        self._malformed.append((total, lines))

    def _engine_rejects(self) -> dict[bool, list[tuple[str, int, str, int]]]:
        """(file, line, kind, 1) of rows the engine rejected, by encoding or not."""
        import duckdb

        out: dict[bool, list[tuple[str, int, str, int]]] = {}
        for g in self.groups:
            if g.fmt != "csv":
                continue
            r = table(g.rejects, column("error_type"), column("file_id"), column("line"),
                      column("line_byte_position"), column("scan_id"))  # fmt: skip
            sc = table(f"{g.rejects}_scan", column("file_path"), column("scan_id"),
                       column("file_id"))  # fmt: skip
            joined = r.join(sc, (r.c.scan_id == sc.c.scan_id) & (r.c.file_id == sc.c.file_id))
            try:
                rows = self.engine.fetch(
                    select(
                        sc.c.file_path,
                        r.c.line,
                        func.min(r.c.line_byte_position),
                        func.any_value(r.c.error_type),
                    )
                    .select_from(joined)
                    .group_by(sc.c.file_path, r.c.line)
                    .order_by(sc.c.file_path, r.c.line)
                )
            except duckdb.Error:  # no rejects table: nothing was rejected
                continue
            # the engine numbers a row by the rows before it, which quoted line breaks
            # make fewer than the file's lines: the line is found from the row's offset
            where = {
                file: csv.lines_at(Path(file), [p for f, _l, p, _e in rows if f == file])
                for file in {f for f, _l, p, _e in rows if p is not None}
            }
            for file, line, position, etype in rows:
                if position is not None:
                    line = where[file][position]
                out.setdefault(etype == "INVALID ENCODING", []).append(
                    (file, int(line), etype.lower().replace("_", " "), 1)
                )
        return out

    def _rejects_problem(self, is_encoding: bool, rows: list[tuple[str, int, str, int]]) -> None:
        if not is_encoding:
            self._malformed.append(
                (len(rows), [(self.original[f].name, ln, k) for f, ln, k, _n in rows])
            )
            return
        file, line = rows[0][0], rows[0][1]
        src = self.original[file]
        enc = next((g.part.encoding for g in self.groups if file in map(str, g.read)), None)
        enc = enc or "utf-8"
        files = sorted({self.original[f].name for f, *_r in rows})
        self.problems.append(
            Problem(
                "OC-SRC-002",
                f"{', '.join(files[:3])}{' ...' if len(files) > 3 else ''} "
                f"{'is' if len(files) == 1 else 'are'} not {enc}: {n_of(len(rows), 'row')} with "
                f"invalid bytes (first at {src.name}:{line}) {'was' if len(rows) == 1 else 'were'} "
                "skipped",
                count=len(rows),
                samples=[
                    (f"{self.original[f].name}:{ln}: invalid bytes", 1)
                    for f, ln, _k, _n in rows[: self.samples]
                ],
                location=f"{src}:{line}",
                hint="Declare the file's encoding, e.g. source: {encoding: cp1252}.",
            )
        )

    def _reject_json(self, t: Any) -> None:
        for g in self.groups:
            if not g.ignore_errors:
                continue
            for read, src in zip(g.read, g.files, strict=True):
                count, first = json.bad_lines(read, self.samples)
                if count:
                    self._malformed.append(
                        (count, [(src.name, ln, "not a JSON record") for ln in first])
                    )
        if any(g.ignore_errors for g in self.groups):
            self.engine.run(delete(t).where(t.c[SHAPE] == "not json"))

    def malformed(self) -> Problem | None:
        """One OC-SRC-006 finding for every row rejected for its shape or syntax."""
        total = sum(n for n, _l in self._malformed)
        if not total:
            return None
        unique = {(f, ln): k for _n, group in self._malformed for f, ln, k in group}
        lines = sorted(((f, ln, k) for (f, ln), k in unique.items()), key=lambda t: (t[0], t[1]))
        first = lines[0] if lines else None
        where = f" (first: {first[0]}:{first[1]}, {first[2]})" if first else ""
        src = next((f for f in self.files if first and f.name == first[0]), None)
        return Problem(
            "OC-SRC-006",
            f"{n_of(total, 'row')} rejected{where}: a row must have the header's fields and parse",
            count=total,
            samples=[(f"{f}:{ln}: {k}", 1) for f, ln, k in lines[: self.samples]],
            location=f"{src}:{first[1]}" if src and first else None,
        )


def _suffix(path: Path) -> str:
    name = path.name.lower()
    name = name[:-3] if name.endswith(".gz") else name
    return Path(name).suffix or ".txt"


def _nulls(expr: Any, g: Group) -> Any:
    """A CSV value as NULL when it is one of the source's null values."""
    if g.fmt != "csv":
        return expr
    nulls = [""] if g.part.null_values is None else g.part.null_values
    if nulls == [""]:
        return func.nullif(expr, "")
    if not nulls:
        return expr
    return case((expr.in_(nulls), literal(None, String())), else_=expr)


def _find(name: str, columns: dict[str, str]) -> tuple[str, Any, str, str] | None:
    """(found name, column expression, type, source column) of a column in one group."""
    if name in columns:
        return name, column(name), columns[name], name
    lowered = {c.lower(): c for c in columns}
    if name.lower() in lowered:  # case differences are forgiven, not silently wrong
        real = lowered[name.lower()]
        return real, column(real), columns[real], real
    head, _, rest = name.partition(".")
    if rest and head in columns and columns[head].upper().startswith("STRUCT"):
        return name, struct_path(head, *rest.split(".")), "VARCHAR", head
    return None
