"""Declared key layouts: the shape a channel promises for a key's raw values.

A binding declares one per field (``layout: digits``, or ``layout: {pattern: ...}``).
Values are judged in Python on distinct values (never per row), like phone numbers.

| layout | a raw value keeps it when |
| --- | --- |
| ``e164`` | ``+`` then the country code and number, digits only (``+5511987654321``) |
| ``digits`` | digits only (``5511987654321``, ``12345678909``) |
| ``national`` | digits only, without the country code of the phone region (``11987654321``) |
| ``lowercase`` | no capital letters and no surrounding spaces |
| ``{pattern: ...}`` | the whole value matches the regular expression |
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from omnicontract.contracts.model import LayoutPattern

if TYPE_CHECKING:
    from omnicontract.contracts.model import KeyLayout

E164 = re.compile(r"\+[1-9]\d{6,14}")


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _national(value: str, region: str | None) -> bool:
    if not value.isdigit():
        return False
    if region is None:
        return True
    import phonenumbers

    code = str(phonenumbers.country_code_for_region(region))
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    # written with the country code in front: international, not national
    return not (value.startswith(code) and str(number.national_number) != value.lstrip("0"))


def keeps(layout: KeyLayout, value: str, region: str | None = None) -> bool:
    """Does the raw ``value`` follow ``layout``?"""
    if isinstance(layout, LayoutPattern):
        return _compiled(layout.pattern).fullmatch(value) is not None
    match layout:
        case "e164":
            return E164.fullmatch(value) is not None
        case "digits":
            return value.isdigit()
        case "national":
            return _national(value, region)
        case "lowercase":
            return value == value.strip().lower()
    return True


def describe(layout: KeyLayout) -> str:
    return f"pattern {layout.pattern}" if isinstance(layout, LayoutPattern) else str(layout)
