from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, literal
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import Date, DateTime

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import FieldContext, RowCheck


class FutureTimestamp(RowCheck):
    """A date or timestamp marked `not_future` lies after the time of the run (beyond the
    project's `future_tolerance` for clock skew). Usually a time-zone or day/month mix-up."""

    code = "OC-FLD-014"
    name = "future-timestamp"
    summary = "timestamp in the future"
    hint = "Check the mapping's format (day/month order) and timezone for this feed."
    default_severity = Severity.warning

    def applies(self, f: FieldContext) -> bool:
        return f.spec.not_future and f.now is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.now is not None
        if f.spec.type == "date":
            limit = literal(f.now.date(), Date())
        else:
            limit = literal(
                f.now + timedelta(seconds=f.future_tolerance_s), DateTime(timezone=True)
            )
        return and_(f.value.is_not(None), f.value > limit)

    def sample(self, f: FieldContext):  # type: ignore[override]
        return f.raw if f.raw is not None else f.value

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' lies in the future"
