from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.expression import ColumnElement

from omnicontract.contracts.model import Format
from omnicontract.validators.checks._format import FormatCheck
from omnicontract.validators.checks.base import FieldContext

E164_REGEX = r"\+[1-9][0-9]{6,14}"


class Phone(FormatCheck):
    """A phone number is not a valid number in E.164. Local numbers are normalized with
    the mapping's `phone_region` (libphonenumber rules); what cannot be normalized to a
    valid number fails here."""

    code = "OC-FLD-010"
    name = "phone"
    summary = "not a valid E.164 phone number"
    hint = "Set phone_region on the mapping for local numbers, or fix the numbers at the source."
    format = Format.e164
    regex = E164_REGEX

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        if f.transform == "phone" and f.raw is not None:
            return and_(f.raw.is_not(None), f.value.is_(None))
        return super().failing(f)
