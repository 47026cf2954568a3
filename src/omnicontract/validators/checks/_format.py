"""Shared shape of the well-known-format checks (email, phone, country, ...)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import and_, not_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import Format
from omnicontract.validators.checks.base import FieldContext, RowCheck
from omnicontract.validators.sqlfuncs import matches


class FormatCheck(RowCheck):
    format: ClassVar[Format]
    regex: ClassVar[str | None] = None

    def applies(self, f: FieldContext) -> bool:
        return f.spec.format == self.format

    def allowed(self) -> list[str] | None:
        return None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        allowed = self.allowed()
        if allowed is not None:
            return and_(f.value.is_not(None), f.value.not_in(allowed))
        assert self.regex is not None
        return and_(f.value.is_not(None), not_(matches(f.value, self.regex)))

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' is not a valid {self.summary.split('not a valid ')[-1]}"
