from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck


class ValueRange(RowCheck):
    """A number is below the field's `minimum` or above its `maximum`."""

    code = "OC-FLD-007"
    name = "range"
    summary = "value out of range"
    hint = "Check units and signs at the source (cents vs units, seconds vs milliseconds)."

    def applies(self, f: FieldContext) -> bool:
        return f.spec.minimum is not None or f.spec.maximum is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        parts = []
        if f.spec.minimum is not None:
            parts.append(f.value < f.spec.minimum)
        if f.spec.maximum is not None:
            parts.append(f.value > f.spec.maximum)
        return and_(f.value.is_not(None), or_(false(), *parts))

    def sample(self, f: FieldContext):  # type: ignore[override]
        return f.value

    def message(self, f: FieldContext, count: int) -> str:
        lo = "-inf" if f.spec.minimum is None else f"{f.spec.minimum:g}"
        hi = "inf" if f.spec.maximum is None else f"{f.spec.maximum:g}"
        return f"'{f.name}' outside [{lo}, {hi}]"
