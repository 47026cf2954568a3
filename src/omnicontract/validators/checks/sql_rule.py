from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from omnicontract.validators.checks.base import Draft, FeedCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


class SqlRuleBroken(FeedCheck):
    """A SQL rule of the entity contract (`sql_rules:`, an ODCS `type: sql` quality rule)
    gives a value outside its bound, or cannot run on the feed (a column it names is not
    there, it took longer than a minute). The query reads the feed's canonical rows under
    the entity's name; it was checked at load to be one SELECT of that table only."""

    code = "OC-QLT-001"
    name = "sql-rule"
    summary = "contract SQL rule not met"
    hint = "Fix the rows the rule counts, or correct the rule in the contract."
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        rules = feed.contract.sql_rules
        if not rules:
            return
        if feed.remote is not None or feed.run.engine.name != "duckdb":
            feed.cannot_run(self, None, "SQL rules run on the DuckDB engine, on files")
            return
        from omnicontract.contracts.sqlrule import TIME_LIMIT_S, parse_rule, render

        view = self._rows_view(feed)
        entity = feed.contract.entity
        for i, rule in enumerate(rules):
            label = rule.name or rule.description or f"sql_rules[{i}]"
            sql = render(parse_rule(rule.query, entity), entity, view)
            try:
                value = feed.run.engine.rule_value(sql, TIME_LIMIT_S)
                number = _number(value)
                broken = (
                    f"the query gave {str(value)[:40]!r}, not a number"
                    if value is not None and number is None
                    else rule.broken_by(number)
                )
            except TimeoutError as exc:
                broken = f"the query did not finish: {exc}"
            except Exception as exc:  # an engine error is a finding of the rule
                from omnicontract.validators.feeds import clean_duckdb_error

                broken = f"the query cannot run on this feed: {clean_duckdb_error(exc)}"
            if broken:
                draft = feed.draft(self, None, 0, [], f"rule '{str(label)[:80]}': {broken}")
                draft.total = 0  # a verdict on the feed, not a count of rows
                draft.severity = rule.severity
                contract = feed.run.project.contracts.get(entity)
                if contract is not None:
                    draft.location = str(contract.doc.location(("sql_rules", i)))
                yield draft

    @staticmethod
    def _rows_view(feed: FeedRun) -> str:
        """A view of the feed's canonical fields, each also under the source column it is
        read from when that name differs (a rule may be written against either)."""
        cols: list[Any] = []
        names: set[str] = set()
        for name, f in feed.fields.items():
            cols.append(f.value.label(name))
            names.add(name.lower())
        for f in feed.fields.values():
            source = f.mapping.column if f.mapping is not None else None
            if isinstance(source, str) and source.lower() not in names:
                cols.append(f.value.label(source))
                names.add(source.lower())
        name = f"rules_{feed.number}"
        feed.run.engine.create_view(name, select(*cols).select_from(feed.view))
        return name


def _number(value: Any) -> float | None:
    """The rule's value as a number (booleans and decimals included), or None."""
    return float(value) if isinstance(value, bool | int | float | Decimal) else None
