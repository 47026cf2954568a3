from __future__ import annotations

from functools import cache

from omnicontract.contracts.model import Format
from omnicontract.validators.checks._format import FormatCheck


@cache
def currency_codes() -> list[str]:
    import pycountry

    return sorted(c.alpha_3 for c in pycountry.currencies)


class Currency(FormatCheck):
    """A currency is not an ISO 4217 code (upper case, e.g. `BRL`)."""

    code = "OC-FLD-012"
    name = "currency"
    summary = "not a valid ISO 4217 currency code"
    hint = "Map symbols such as R$ or € to ISO codes with values: in the mapping."
    format = Format.iso_currency

    def allowed(self) -> list[str]:
        return currency_codes()
