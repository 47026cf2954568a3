from __future__ import annotations

from omnicontract.contracts.model import Format, Severity
from omnicontract.validators.checks._format import FormatCheck


class Language(FormatCheck):
    """A language tag is not of the BCP 47 shape `ll`, `ll-RR` or `ll-Ssss-RR`
    (`pt`, `pt-BR`, `zh-Hant-TW`)."""

    code = "OC-FLD-015"
    name = "language"
    summary = "not a valid BCP 47 language tag"
    hint = "Use tags such as pt-BR or es-AR; map free text with values: in the mapping."
    default_severity = Severity.warning
    format = Format.language
    regex = r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?"
