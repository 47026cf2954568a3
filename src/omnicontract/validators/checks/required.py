from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import blank


class Required(RowCheck):
    """A required canonical field is empty in the source (null, empty or blank; null
    alone where the field says `blank_is_missing: false`)."""

    code = "OC-FLD-001"
    name = "required"
    summary = "required value missing"
    hint = "Fill the value at the source, or map the column that carries it."

    def applies(self, f: FieldContext) -> bool:
        return f.spec.required and not f.constant and not f.primary_key

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        base: Any = f.raw if f.raw is not None else f.value
        if not f.spec.blank_is_missing or (f.raw is None and f.spec.type != "string"):
            return base.is_(None)
        return or_(base.is_(None), blank(base))

    def message(self, f: FieldContext, count: int) -> str:
        return f"required field '{f.name}' is empty"
