"""Great Expectations: the contract as a GX 1.x expectation suite, and GX as a row engine.

``export`` writes the suite as JSON (no GX needed): one expectation per rule, each with
``meta.omnicontract_code`` naming the check that enforces the same rule, and the suite's
``meta.omnicontract.not_expressed`` listing what the suite leaves out and why.

``row_engine(run)`` (``validate --engine gx``, needs ``pip install 'omnicontract[gx]'``):
omnicontract still reads and maps every feed with DuckDB (so values are canonical), then
hands each feed's canonical rows to an ephemeral GX context as a pandas DataFrame, runs
the feed's suite, and turns each expectation's result into the same finding omnicontract
would report (code, field, count, total; samples are fetched from DuckDB for the failing
rows, so they are the raw source values, masked as usual). Checks GX cannot express
(parsing, phone normalization, time checks, cross-channel checks) stay on DuckDB.
The whole feed is held in memory as a DataFrame: fine for moderate feeds, not for
tens of millions of rows (use the default engine there).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from omnicontract.contracts.model import EntityContract, FieldSpec, Format, LogicalType
from omnicontract.interop._rules import anchored
from omnicontract.validators.checks import primary_key

if TYPE_CHECKING:
    from omnicontract.validators.checks.base import Check, FieldContext
    from omnicontract.validators.run import FeedRun, Run

BLANK = r"^ *$"  # what the required and primary-key checks treat as empty text
ROW_ID = "rowid"  # the canonical table's row ids (gx runs on the DuckDB engine only)


def _format_check(fmt: Format) -> Any:
    from omnicontract.validators.checks._format import FormatCheck
    from omnicontract.validators.registry import registry

    for cls in registry().of_kind("row"):
        if issubclass(cls, FormatCheck) and cls.format == fmt:
            return cls
    raise KeyError(fmt)  # pragma: no cover - every format has its check


def _exp(kind: str, code: str, name: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "type": f"expect_column_{kind}",
        "kwargs": {"column": name, **kwargs},
        "meta": {"omnicontract_code": code, "field": name},
    }


@dataclass
class FieldPlan:
    """The expectations of one field, grouped by the omnicontract check they mirror."""

    name: str
    spec: FieldSpec
    by_code: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, code: str, kind: str, column: str | None = None, **kwargs: Any) -> None:
        exp = _exp(kind, code, column or self.name, **kwargs)
        exp["meta"]["field"] = self.name
        self.by_code.setdefault(code, []).append(exp)


def field_plan(
    name: str,
    spec: FieldSpec,
    *,
    primary_key: bool,
    raw: str | None = None,
    constant: bool = False,
    transform: str | None = None,
) -> FieldPlan:
    """The expectations for one field, exactly where the omnicontract check applies.
    ``raw``: column holding the source text (the required check looks at it);
    ``transform``: how the mapping derived the value (see FieldContext)."""
    plan = FieldPlan(name, spec)
    text = spec.type == LogicalType.string
    blank = spec.blank_is_missing  # blank text fails the required and primary-key checks
    if primary_key and not constant:
        plan.add("OC-FLD-004", "values_to_not_be_null")
        if text and blank:
            plan.add("OC-FLD-004", "values_to_not_match_regex", regex=BLANK)
        plan.add("OC-FLD-004", "values_to_be_unique")
    if spec.required and not constant and not primary_key:
        column = raw or name
        plan.add("OC-FLD-001", "values_to_not_be_null", column=column)
        if (raw is not None or text) and blank:
            plan.add("OC-FLD-001", "values_to_not_match_regex", column=column, regex=BLANK)
    if spec.unique and not constant and not primary_key:
        plan.add("OC-FLD-003", "values_to_be_unique")
    if spec.enum and transform != "values":
        plan.add("OC-FLD-005", "values_to_be_in_set", value_set=list(spec.enum))
    if spec.pattern is not None:
        plan.add("OC-FLD-006", "values_to_match_regex", regex=anchored(spec.pattern))
    if spec.minimum is not None or spec.maximum is not None:
        plan.add(
            "OC-FLD-007", "values_to_be_between", min_value=spec.minimum, max_value=spec.maximum
        )
    if text and (spec.min_length is not None or spec.max_length is not None):
        plan.add(
            "OC-FLD-008",
            "value_lengths_to_be_between",
            min_value=spec.min_length,
            max_value=spec.max_length,
        )
    skip = (spec.format == Format.e164 and transform == "phone") or spec.format == Format.document
    if spec.format is not None and not skip:
        check = _format_check(spec.format)
        allowed = check().allowed()
        if allowed is not None:
            plan.add(check.code, "values_to_be_in_set", value_set=list(allowed))
        else:
            plan.add(check.code, "values_to_match_regex", regex=anchored(check.regex))
    return plan


def suite_dict(contract: EntityContract, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The expectation suite of ``contract`` (GX 1.x ``ExpectationSuite`` JSON)."""
    options = dict(options or {})
    expectations: list[dict[str, Any]] = []
    not_expressed: list[dict[str, str]] = []
    for name, spec in contract.fields.items():
        plan = field_plan(name, spec, primary_key=contract.primary_key == name)
        for exps in plan.by_code.values():
            expectations.extend(exps)
        if spec.not_future:
            not_expressed.append(
                {
                    "field": name,
                    "code": "OC-FLD-014",
                    "reason": "not_future depends on the time of the run",
                }
            )
        if spec.references:
            not_expressed.append(
                {"field": name, "code": "OC-REF-001", "reason": "references span feeds"}
            )
    return {
        "name": options.get("name") or f"omnicontract.{contract.entity}",
        "id": None,
        "expectations": expectations,
        "meta": {
            "omnicontract": {
                "entity": contract.entity,
                "version": contract.version,
                "not_expressed": not_expressed,
                "note": "Columns are the canonical fields, as a channel binding maps them; "
                "values are expected after mapping (E.164 phones, UTC timestamps).",
            }
        },
        "notes": contract.description.strip() if contract.description else None,
    }


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    """GX 1.x expectation suite JSON. Option: ``name`` (default ``omnicontract.ENTITY``)."""
    return json.dumps(suite_dict(contract, options), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- engine


def _import_gx() -> Any:
    try:
        import great_expectations as gx
    except ImportError:
        from omnicontract.errors import MissingExtraError

        raise MissingExtraError("great-expectations", "gx", "validate --engine gx") from None
    return gx


class GxRowEngine:
    """Runs a feed's field checks through Great Expectations (see the module doc)."""

    def __init__(self, run: Run):
        gx = _import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.run = run
        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.context.data_sources.add_pandas("omnicontract")
        self.feeds = 0

    def plans(self, feed: FeedRun) -> list[tuple[FieldContext, FieldPlan]]:
        out = []
        for f in feed.fields.values():
            raw = f"{f.name}__raw" if f.raw is not None else None
            plan = field_plan(
                f.name,
                f.spec,
                primary_key=f.primary_key,
                raw=raw,
                constant=f.constant,
                transform=f.transform,
            )
            if plan.by_code:
                out.append((f, plan))
        return out

    def validate(self, feed: FeedRun, plans: list[tuple[FieldContext, FieldPlan]]) -> list[Any]:
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        self.feeds += 1
        from sqlalchemy import column, literal_column, select

        # rows are told apart by the canonical table's own row ids (DuckDB's rowid)
        frame = self.run.engine.frame(
            select(literal_column("*"), column(ROW_ID).label("__row")).select_from(feed.view)
        )
        suite = self.gx.ExpectationSuite(name=f"{feed.channel_name}.{feed.name}")
        for _f, plan in plans:
            for exps in plan.by_code.values():
                for exp in exps:
                    suite.add_expectation_configuration(ExpectationConfiguration(**exp))
        asset = self.source.add_dataframe_asset(f"feed_{self.feeds}")
        batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame}
        )
        result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        rows = frame["__row"].tolist()
        out = []
        for r in result.results:
            config = r.expectation_config
            if r.exception_info and r.exception_info.get("raised_exception"):
                from omnicontract.errors import OmnicontractError

                msg = r.exception_info.get("exception_message")
                raise OmnicontractError(f"Great Expectations could not run {config.type}: {msg}")
            indexes = r.result.get("unexpected_index_list") or []
            out.append((config.meta, config.type, [rows[i] for i in indexes]))
        return out

    def __call__(self, feed: FeedRun) -> set[tuple[str, str]]:
        """Append the feed's findings for every check GX runs; return (code, field) pairs."""
        from omnicontract.validators.registry import registry

        plans = self.plans(feed)
        covered = {(code, f.name) for f, plan in plans for code in plan.by_code}
        self.run.checks_run += len(covered)
        if feed.rows == 0 or not plans:
            return covered
        # (code, field) -> expectation type -> failing row ids
        failing: dict[tuple[str, str], dict[str, set[int]]] = {}
        for meta, kind, rows in self.validate(feed, plans):
            key = (meta["omnicontract_code"], meta["field"])
            failing.setdefault(key, {}).setdefault(kind, set()).update(rows)
        checks = {c.code: c for c in registry().all()}
        for f, plan in plans:
            for code in plan.by_code:
                by_kind = failing.get((code, f.name))
                if by_kind and any(by_kind.values()):
                    feed.drafts.append(self._draft(feed, checks[code](), f, by_kind))
        return covered

    def _rows_table(self, rows: set[int]) -> Any:
        """A temporary table ``r`` of the given row numbers."""
        from sqlalchemy import ARRAY, BigInteger, bindparam, cast, func, select

        array = ARRAY(BigInteger())
        self.run.engine.drop("gx_rows")
        ids = cast(bindparam("rows", sorted(rows), type_=array), array)
        return self.run.engine.create_table("gx_rows", select(func.unnest(ids).label("r")))

    def _samples(self, feed: FeedRun, value: Any, rows: set[int]) -> list[tuple[Any, int]]:
        """The sample omnicontract shows for these rows: top values by count."""
        from sqlalchemy import column, func, select

        if not self.run.sample_size or not rows:
            return []
        picked = self._rows_table(rows)
        v, n = value.label("v"), func.count().label("n")
        got = self.run.fetch(
            select(v, n)
            .select_from(feed.view)
            .where(column(ROW_ID).in_(select(picked.c.r)))
            .group_by(value)
            .order_by(n.desc(), value)
            .limit(self.run.sample_size)
        )
        return [(v, int(n)) for v, n in got]

    def _draft(
        self, feed: FeedRun, check: Check, f: FieldContext, by_kind: dict[str, set[int]]
    ) -> Any:
        unique_rows = by_kind.get("expect_column_values_to_be_unique", set())
        if check.code == "OC-FLD-003":
            samples = self._samples(feed, f.value, unique_rows)
            groups = len(self._samples_all(feed, f, unique_rows))
            msg = f"'{f.name}' has {groups} values used more than once"
            return feed.draft(check, f, len(unique_rows), samples, msg)
        if check.code == "OC-FLD-004":
            empty = len(set().union(*(r for k, r in by_kind.items() if "unique" not in k)))
            dup_samples = self._samples(feed, f.value, unique_rows)
            groups = len(self._samples_all(feed, f, unique_rows))
            samples = dup_samples
            if empty:
                samples = [(None, empty), *dup_samples][: max(self.run.sample_size, 1)]
            msg = primary_key.message(f.name, empty, len(unique_rows), groups)
            return feed.draft(check, f, empty + len(unique_rows), samples, msg)
        rows = set().union(*by_kind.values())
        samples = self._samples(feed, check.sample(f), rows)  # type: ignore[attr-defined]
        return feed.draft(check, f, len(rows), samples, check.message(f, len(rows)))  # type: ignore[attr-defined]

    def _samples_all(self, feed: FeedRun, f: FieldContext, rows: set[int]) -> list[Any]:
        """Every distinct value of these rows (to count duplicated keys)."""
        from sqlalchemy import column, select

        if not rows:
            return []
        picked = self._rows_table(rows)
        got = self.run.fetch(
            select(column(f.name))
            .select_from(feed.view)
            .where(column(ROW_ID).in_(select(picked.c.r)))
            .distinct()
        )
        return [g[0] for g in got]


def row_engine(run: Run) -> Callable[[FeedRun], set[tuple[str, str]]]:
    """The ``--engine gx`` hook for :class:`omnicontract.validators.run.Run`."""
    return GxRowEngine(run)
