from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.validators.checks.base import FieldContext, RowCheck


class Unparseable(RowCheck):
    """A value does not match the parse format the mapping declares (for example a date
    written `2024-03-01` in a feed declared `%d/%m/%Y`)."""

    code = "OC-MAP-001"
    name = "unparseable"
    summary = "value does not match the declared format"
    hint = "Fix the mapping's format:, or the export that produced these values."

    def applies(self, f: FieldContext) -> bool:
        return f.transform == "format" and f.raw is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.raw is not None
        return and_(f.raw.is_not(None), f.value.is_(None))

    def message(self, f: FieldContext, count: int) -> str:
        fmt = f.mapping.format if f.mapping else None
        return f"'{f.name}' values do not match format {fmt!r}"
