from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import text_length


class Length(RowCheck):
    """A text value is shorter than `min_length` or longer than `max_length`."""

    code = "OC-FLD-008"
    name = "length"
    summary = "text length out of bounds"
    hint = "Look for truncated or concatenated values at the source."
    default_severity = Severity.warning

    def applies(self, f: FieldContext) -> bool:
        return f.spec.type == "string" and (
            f.spec.min_length is not None or f.spec.max_length is not None
        )

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        n = text_length(f.value)
        parts = []
        if f.spec.min_length is not None:
            parts.append(n < f.spec.min_length)
        if f.spec.max_length is not None:
            parts.append(n > f.spec.max_length)
        return and_(f.value.is_not(None), or_(false(), *parts))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' length outside [{f.spec.min_length or 0}, {f.spec.max_length or '∞'}]"
