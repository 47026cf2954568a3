from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck


class EnumValue(RowCheck):
    """A value is outside the field's canonical vocabulary (`enum`)."""

    code = "OC-FLD-005"
    name = "enum"
    summary = "value outside the canonical vocabulary"
    hint = "Map the channel's values onto the canonical ones with values: in the mapping."

    def applies(self, f: FieldContext) -> bool:
        return bool(f.spec.enum) and f.transform != "values"

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        return and_(f.value.is_not(None), f.value.not_in(list(f.spec.enum or [])))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' has values outside {{{', '.join(f.spec.enum or [])}}}"
