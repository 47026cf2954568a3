from __future__ import annotations

from omnicontract.contracts.model import Format
from omnicontract.validators.checks._format import FormatCheck


class Uuid(FormatCheck):
    """A value is not a UUID in its canonical 8-4-4-4-12 hexadecimal form."""

    code = "OC-FLD-016"
    name = "uuid"
    summary = "not a valid UUID"
    hint = "Export ids in canonical UUID form, without braces or prefixes."
    format = Format.uuid
    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
