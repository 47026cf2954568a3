"""Identity-key normalization, applied to distinct values only (never row by row)."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


@lru_cache(maxsize=1_000_000)
def to_e164(raw: str | None, region: str | None, international: bool = False) -> str | None:
    """A valid number in E.164, or None. ``region`` is the ISO country of local numbers;
    ``international`` reads numbers as country-code-first even without a ``+``."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if international and not text.startswith("+"):
        text = "+" + text.removeprefix("00")
    if text.startswith("00") and region is None:
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
