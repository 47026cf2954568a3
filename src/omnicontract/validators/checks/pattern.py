from __future__ import annotations

from sqlalchemy import and_, not_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import matches


class Pattern(RowCheck):
    """A text value does not match the field's `pattern` (the whole value must match)."""

    code = "OC-FLD-006"
    name = "pattern"
    summary = "value does not match the pattern"
    hint = "Clean the values at the source or correct the contract's pattern."

    def applies(self, f: FieldContext) -> bool:
        return f.spec.pattern is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.spec.pattern is not None
        return and_(f.value.is_not(None), not_(matches(f.value, f.spec.pattern)))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' does not match {f.spec.pattern!r}"
