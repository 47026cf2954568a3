from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck


class TypeMismatch(RowCheck):
    """A value cannot be read as the field's logical type (integer, number, boolean, date,
    timestamp) and no parse format is declared."""

    code = "OC-FLD-002"
    name = "type"
    summary = "value is not of the field's type"
    hint = "Declare a parse format (format:, decimal_separator:, true_values:) in the mapping."

    def applies(self, f: FieldContext) -> bool:
        return f.transform == "cast" and f.raw is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.raw is not None
        return and_(f.raw.is_not(None), f.value.is_(None))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' values are not valid {f.spec.type}s"
