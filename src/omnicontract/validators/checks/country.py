from __future__ import annotations

from functools import cache

from omnicontract.contracts.model import Format
from omnicontract.validators.checks._format import FormatCheck


@cache
def country_codes() -> list[str]:
    import pycountry

    return sorted(c.alpha_2 for c in pycountry.countries)


class Country(FormatCheck):
    """A country is not an ISO 3166-1 alpha-2 code (upper case, e.g. `BR`)."""

    code = "OC-FLD-011"
    name = "country"
    summary = "not a valid ISO 3166-1 country code"
    hint = "Map names or lower-case codes to ISO alpha-2 with values: in the mapping."
    format = Format.iso_country

    def allowed(self) -> list[str]:
        return country_codes()
