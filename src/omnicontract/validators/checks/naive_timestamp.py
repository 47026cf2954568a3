from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import FieldContext, RowCheck


class NaiveTimestamp(RowCheck):
    """A timestamp carries no time zone and the binding declares none, so it is read as
    UTC. If the source writes local time, every join on time with other channels is off
    by the zone's offset."""

    code = "OC-FLD-013"
    name = "naive-timestamp"
    summary = "timestamp without time zone"
    hint = "Declare timezone: on the mapping (or the channel), e.g. America/Sao_Paulo."
    default_severity = Severity.warning

    def applies(self, f: FieldContext) -> bool:
        return f.spec.type == "timestamp" and f.naive is not None

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        assert f.naive is not None
        return and_(f.value.is_not(None), f.naive)

    def message(self, f: FieldContext, count: int) -> str:
        return f"'{f.name}' has no time zone and none is declared; read as UTC"
