from __future__ import annotations

from sqlalchemy import and_, not_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import one_of


class UnmappedValue(RowCheck):
    """A source value is neither in the mapping's value map nor already a canonical value:
    vocabulary the channel uses that the mapping does not know. The canonical field is left
    empty for those rows. The count is rows, over all such values; samples show each value
    with its rows."""

    code = "OC-MAP-002"
    name = "unmapped-value"
    summary = "value missing from the value map"
    hint = "Add the listed values to the mapping's values:, mapped to canonical ones."
    default_severity = Severity.warning

    def applies(self, f: FieldContext) -> bool:
        return f.transform == "values" and f.raw is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.raw is not None and f.mapping is not None and f.mapping.values is not None
        known = set(f.mapping.values) | set(f.spec.enum or [])
        return and_(f.raw.is_not(None), not_(one_of(f.raw, sorted(known))))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' has values the value map does not cover"
