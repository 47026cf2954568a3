from __future__ import annotations

from omnicontract.contracts.model import Format
from omnicontract.validators.checks._format import FormatCheck

# Pragmatic address syntax: local part, one @, a dotted domain with a 2+ letter TLD.
EMAIL_REGEX = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class Email(FormatCheck):
    """An e-mail address is not syntactically valid (after lower-casing and trimming,
    which the mapping does for every `format: email` field)."""

    code = "OC-FLD-009"
    name = "email"
    summary = "not a valid e-mail address"
    hint = "Fix the addresses at the source; typos here break identity resolution."
    format = Format.email
    regex = EMAIL_REGEX
