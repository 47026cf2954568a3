"""pandera schemas from a contract: validate DataFrames inside a pipeline with the same
rules ``omnicontract validate`` applies to the feeds.

Python API (needs ``pip install 'omnicontract[pandera]'``)::

    from omnicontract.contracts.loader import load_contract
    from omnicontract.interop.pandera import schema

    contract = load_contract("contracts/customer.yaml").model
    schema(contract).validate(df, lazy=True)             # a polars DataFrame
    schema(contract, backend="pandas").validate(pdf)     # a pandas DataFrame

``omnicontract export pandera contracts/customer.yaml --option backend=pandas`` writes the
same schema as a readable, importable Python module.

Each column's checks are listed in a fixed order with the omnicontract check they stand
for (``check_codes``), so a failure reported by pandera can be traced to its code. The
columns are the canonical values (E.164 phones, lower-case e-mails, parsed timestamps);
what pandera cannot express is listed in docs/interop.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omnicontract.contracts.model import EntityContract, FieldSpec, LogicalType
from omnicontract.errors import MissingExtraError, UsageError
from omnicontract.interop._rules import (
    check_options,
    format_rule,
    is_unique,
    not_null,
    refuses_blank,
)

BACKENDS = ("polars", "pandas")
# required text holds something other than spaces (OC-FLD-001 trims spaces, as SQL does)
NOT_BLANK = r"^[\s\S]*[^ ]"

_DTYPES = {
    "polars": {
        LogicalType.string: "pl.Utf8",
        LogicalType.integer: "pl.Int64",
        LogicalType.number: "pl.Float64",
        LogicalType.boolean: "pl.Boolean",
        LogicalType.date: "pl.Date",
        LogicalType.timestamp: 'pl.Datetime(time_zone="UTC")',
    },
    "pandas": {
        LogicalType.string: "str",
        LogicalType.integer: "Int64",
        LogicalType.number: "float64",
        LogicalType.boolean: "boolean",
        LogicalType.date: "datetime64[us]",
        LogicalType.timestamp: "datetime64[us, UTC]",
    },
}


@dataclass
class CheckPlan:
    """One pandera built-in check: ``pa.Check.<builtin>(*args)``, standing for ``code``."""

    code: str
    builtin: str
    args: tuple[Any, ...]


@dataclass
class ColumnPlan:
    name: str
    spec: FieldSpec
    nullable: bool
    unique: bool
    required: bool
    checks: list[CheckPlan] = field(default_factory=list)


def full_match(pattern: str, backend: str) -> str:
    """``pattern`` matching the whole value. pandera's ``str_matches`` anchors at the
    start only; the end anchor differs: Python's ``$`` also matches before a final
    newline, so pandas gets ``\\Z``; polars (Rust regex) has no ``\\Z`` and its ``$``
    is the end of the text."""
    return f"^(?:{pattern})" + (r"\Z" if backend == "pandas" else "$")


def _text_checks(spec: FieldSpec, backend: str) -> list[CheckPlan]:
    out: list[CheckPlan] = []
    if spec.pattern is not None:
        out.append(CheckPlan("OC-FLD-006", "str_matches", (full_match(spec.pattern, backend),)))
    if spec.min_length is not None or spec.max_length is not None:
        out.append(CheckPlan("OC-FLD-008", "str_length", (spec.min_length, spec.max_length)))
    if spec.format is not None:
        rule = format_rule(spec.format)
        if rule.values is not None:
            out.append(CheckPlan(rule.code, "isin", (list(rule.values),)))
        elif rule.pattern is not None:
            out.append(CheckPlan(rule.code, "str_matches", (full_match(rule.pattern, backend),)))
    return out


def plan(contract: EntityContract, backend: str = "polars") -> list[ColumnPlan]:
    """The columns and checks of the schema, backend-neutral but for regex anchors."""
    pk = contract.primary_key
    columns = []
    for name, spec in contract.fields.items():
        required = not_null(name, spec, pk)
        col = ColumnPlan(name, spec, not required, is_unique(name, spec, pk), required)
        if refuses_blank(name, spec, pk):
            code = "OC-FLD-004" if name == pk else "OC-FLD-001"
            col.checks.append(CheckPlan(code, "str_matches", (NOT_BLANK,)))
        if spec.enum:
            col.checks.append(CheckPlan("OC-FLD-005", "isin", (list(spec.enum),)))
        if spec.minimum is not None or spec.maximum is not None:
            lo, hi = _whole(spec.minimum), _whole(spec.maximum)
            if lo is not None and hi is not None:
                col.checks.append(CheckPlan("OC-FLD-007", "in_range", (lo, hi)))
            elif lo is not None:
                col.checks.append(CheckPlan("OC-FLD-007", "greater_than_or_equal_to", (lo,)))
            else:
                col.checks.append(CheckPlan("OC-FLD-007", "less_than_or_equal_to", (hi,)))
        if spec.type == LogicalType.string:
            col.checks.extend(_text_checks(spec, backend))
        columns.append(col)
    return columns


def _whole(value: float | None) -> int | float | None:
    return int(value) if value is not None and value.is_integer() else value


def _backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise UsageError(f"unknown pandera backend '{backend}'", hint="backends: polars, pandas")
    return backend


def _import(backend: str) -> tuple[Any, Any]:
    """(pandera module for the backend, the DataFrame library)."""
    try:
        if backend == "polars":
            import pandera.polars as pa
            import polars as lib
        else:
            import pandas as lib
            import pandera.pandas as pa
    except ImportError as exc:
        raise MissingExtraError(
            exc.name or "pandera", "pandera", f"a pandera schema for {backend}"
        ) from None
    return pa, lib


def _dtype(spec: FieldSpec, backend: str, lib: Any) -> Any:
    if backend == "pandas":
        return _DTYPES[backend][spec.type]
    if spec.type == LogicalType.timestamp:
        return lib.Datetime(time_zone="UTC")
    return getattr(lib, _DTYPES[backend][spec.type].removeprefix("pl."))


def _description(spec: FieldSpec) -> str | None:
    return " ".join(spec.description.split()) if spec.description else None


def _metadata(spec: FieldSpec) -> dict[str, Any]:
    meta: dict[str, Any] = {"type": spec.type.value}
    for key in ("format", "references"):
        if getattr(spec, key) is not None:
            meta[key] = str(getattr(spec, key))
    for key in ("pii", "not_future"):
        if getattr(spec, key):
            meta[key] = True
    return meta


def schema(contract: EntityContract, backend: str = "polars") -> Any:
    """A live pandera ``DataFrameSchema`` for DataFrames of ``contract``'s records.

    ``backend="polars"`` (default) validates polars DataFrames and LazyFrames,
    ``"pandas"`` pandas DataFrames. Columns the contract does not require may be absent.
    ``schema.metadata["check_codes"]`` maps each column to the omnicontract codes of its
    checks, in order (pandera's ``check_number`` indexes into it).
    """
    pa, lib = _import(_backend(backend))
    columns = {}
    codes: dict[str, list[str]] = {}
    for col in plan(contract, backend):
        columns[col.name] = pa.Column(
            _dtype(col.spec, backend, lib),
            nullable=col.nullable,
            unique=col.unique,
            required=col.required,
            checks=[getattr(pa.Check, c.builtin)(*c.args) for c in col.checks],
            description=_description(col.spec),
            metadata=_metadata(col.spec),
        )
        codes[col.name] = [c.code for c in col.checks]
    return pa.DataFrameSchema(
        columns,
        name=contract.entity,
        coerce=backend == "pandas",  # pandas' dtypes vary by reader: coerce, then check
        description=_description_of(contract),
        metadata={"entity": contract.entity, "version": contract.version, "check_codes": codes},
    )


def _description_of(contract: EntityContract) -> str | None:
    text = contract.description or contract.title
    return " ".join(text.split()) if text else None


# ---------------------------------------------------------------- the module as code


def _column_code(col: ColumnPlan, backend: str) -> list[str]:
    dtype = _DTYPES[backend][col.spec.type]
    lines = [f"        {col.name!r}: pa.Column(", f"            {_dtype_code(dtype, backend)},"]
    lines.append(f"            nullable={col.nullable},")
    if col.unique:
        lines.append("            unique=True,")
    lines.append(f"            required={col.required},")
    if col.checks:
        lines.append("            checks=[")
        for c in col.checks:
            args = ", ".join(_literal(a, 16) for a in c.args)
            lines.append(f"                pa.Check.{c.builtin}({args}),  # {c.code}")
        lines.append("            ],")
    if col.spec.description:
        lines.append(f"            description={_description(col.spec)!r},")
    lines.append(f"            metadata={_metadata(col.spec)!r},")
    lines.append("        ),")
    return lines


def _dtype_code(dtype: str, backend: str) -> str:
    return dtype if backend == "polars" else repr(dtype)


def _literal(value: Any, indent: int) -> str:
    """Python source for a check argument: raw strings for regular expressions, whole
    numbers without ``.0``, long lists wrapped."""
    if isinstance(value, str) and "\\" in value and "'" not in value and value[-1] != "\\":
        return f"r'{value}'"
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if isinstance(value, list) and len(repr(value)) > 60:
        import textwrap

        pad = " " * (indent + 4)
        rows = textwrap.wrap(", ".join(repr(v) for v in value) + ",", 96 - len(pad))
        return "[\n" + "".join(f"{pad}{row}\n" for row in rows) + " " * indent + "]"
    return repr(value)


def module_code(contract: EntityContract, backend: str = "polars", name: str | None = None) -> str:
    """A Python module defining the schema as ``<entity>_schema`` (or ``name``)."""
    _backend(backend)
    var = name or f"{contract.entity}_schema"
    if not var.isidentifier():
        raise UsageError(f"name={var!r} is not a Python identifier")
    imports = (
        ["import pandera.polars as pa", "import polars as pl"]
        if backend == "polars"
        else ["import pandera.pandas as pa"]
    )
    head = [
        f'"""pandera schema ({backend}) for the {contract.entity!r} contract, '
        f"version {contract.version}.",
        "",
        "Generated by `omnicontract export pandera`; regenerate rather than edit.",
        "Each check's comment names the omnicontract check it stands for.",
        '"""',
        "",
        *imports,
        "",
        f"{var} = pa.DataFrameSchema(",
        "    {",
    ]
    body: list[str] = []
    codes: dict[str, list[str]] = {}
    for col in plan(contract, backend):
        body += _column_code(col, backend)
        codes[col.name] = [c.code for c in col.checks]
    tail = [
        "    },",
        f"    name={contract.entity!r},",
        *(
            ["    coerce=True,  # pandas' dtypes vary by reader: coerce, then check"]
            if backend == "pandas"
            else []
        ),
        f"    description={_description_of(contract)!r},",
        "    metadata={",
        f'        "entity": {contract.entity!r},',
        f'        "version": {contract.version!r},',
        f'        "check_codes": {codes!r},',
        "    },",
        ")",
        "",
    ]
    return "\n".join(head + body + tail)


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    check_options(options, {"backend", "name"}, "pandera")
    return module_code(contract, options.get("backend") or "polars", options.get("name") or None)
