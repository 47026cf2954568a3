from __future__ import annotations

from sqlalchemy import and_, not_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.redact import clip
from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import one_of


class EnumValue(RowCheck):
    """A value is outside the field's canonical vocabulary (`enum`)."""

    code = "OC-FLD-005"
    name = "enum"
    summary = "value outside the canonical vocabulary"
    hint = "Map the channel's values onto the canonical ones with values: in the mapping."

    def applies(self, f: FieldContext) -> bool:
        return bool(f.spec.enum) and f.transform != "values"

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        return and_(f.value.is_not(None), not_(one_of(f.value, list(f.spec.enum or []))))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' has values outside {{{clip(', '.join(f.spec.enum or []), 120)}}}"
