"""Timestamp grammars with one meaning on every engine.

A mapping reads a timestamp either with a ``format`` (strptime notation) or, without
one, as ISO 8601. Both are turned here into one regular expression whose groups are
the parts of the date (year, month, ..., offset), plus the range rules a real date obeys
(month 1-12, day within its month, hour 0-23 ...). DuckDB parses with its own
``strptime`` and casts, gated by the same grammar; databases without a forgiving parser
(PostgreSQL raises an error on the first bad value, and SQLite has no date type) build the
timestamp from the groups, so a value the grammar rejects is NULL, never an error, and
a value it accepts means the same instant everywhere. The grammar is documented in
``docs/engines.md``; the supported directives are those of :data:`DIRECTIVES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

WS = r"[ \t]*"  # blanks a parser skips: spaces and tabs, on every engine
# directive -> (role, regular expression of its text); every engine reads the same text
DIRECTIVES: dict[str, tuple[str, str]] = {
    "Y": ("year", r"([0-9]{1,4})"),
    "y": ("year2", r"([0-9]{1,2})"),
    "m": ("month", r"([0-9]{1,2})"),
    "d": ("day", r"([0-9]{1,2})"),
    "H": ("hour", r"([0-9]{1,2})"),
    "I": ("hour12", r"([0-9]{1,2})"),
    "M": ("minute", r"([0-9]{1,2})"),
    "S": ("second", r"([0-9]{1,2})"),
    "f": ("fraction", r"([0-9]{1,6})"),
    "p": ("ampm", r"([AaPp][Mm])"),
    "b": (
        "month_abbr",
        "(" + "|".join("".join(f"[{c.upper()}{c}]" for c in m) for m in MONTHS) + ")",
    ),
    "z": ("offset", r"([+-][0-9]{2}(?::?[0-9]{2})?)"),
}
# ISO 8601 as every engine reads it; ranges are in the expression, so an engine that casts
# after this gate (DuckDB) cannot accept more than one that builds from the parts
ISO_REGEX = (
    WS + r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0?[1-9]|1[0-2])"
    r"-(0?[1-9]|[12][0-9]|3[01])"
    r"(?:(?:T| +)([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]{1,6})[0-9]*)?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?" + WS
)
ISO_ROLES = ("year", "month", "day", "hour", "minute", "second", "fraction", "offset")


class UnsupportedFormat(ValueError):
    """A strptime directive outside the portable set."""


@dataclass(frozen=True)
class Grammar:
    """A timestamp text grammar: a full-match regex and the role of each group."""

    regex: str
    roles: tuple[str, ...]

    @property
    def aware(self) -> bool:
        return "offset" in self.roles


ISO = Grammar(ISO_REGEX, ISO_ROLES)


@lru_cache(maxsize=256)
def compile_format(fmt: str) -> Grammar:
    """The grammar of a strptime format; UnsupportedFormat names a directive it lacks."""
    parts, roles = [WS], []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            i += 2
            if d == "%":
                parts.append("%")
                continue
            if d not in DIRECTIVES:
                raise UnsupportedFormat(f"%{d}")
            role, rx = DIRECTIVES[d]
            if role in roles:
                raise UnsupportedFormat(f"%{d} twice")
            roles.append(role)
            parts.append(rx)
            continue
        i += 1
        parts.append(WS if ch.isspace() else re.escape(ch))
    parts.append(WS)
    return Grammar("".join(parts), tuple(roles))


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _offset_minutes(text: str) -> int:
    if text == "Z":
        return 0
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return -minutes if text[0] == "-" else minutes


def parse(text: str | None, grammar: Grammar, *, apply_offset: bool = True) -> datetime | None:
    """The instant ``text`` means under ``grammar``: aware (UTC) when the grammar has an
    offset group and the text carries one (and ``apply_offset``; otherwise the local time
    is kept, as a cast to a naive timestamp does), naive otherwise; None when it does not
    parse.
    This is the reference the SQL builders below are tested against."""
    if text is None:
        return None
    match = re.fullmatch(grammar.regex, text)
    if match is None:
        return None
    got = dict(zip(grammar.roles, match.groups(), strict=True))
    year = int(got["year"]) if got.get("year") else 1900
    if got.get("year2") is not None:
        y2 = int(got["year2"])
        year = 2000 + y2 if y2 < 69 else 1900 + y2
    month = int(got["month"]) if got.get("month") else 1
    if got.get("month_abbr"):
        month = MONTHS.index(got["month_abbr"].lower()) + 1
    day = int(got["day"]) if got.get("day") else 1
    hour = int(got["hour"]) if got.get("hour") else 0
    if got.get("hour12") is not None:
        h12 = int(got["hour12"])
        if not 1 <= h12 <= 12:
            return None
        hour = h12 % 12 + (12 if (got.get("ampm") or "am").lower() == "pm" else 0)
    minute = int(got["minute"]) if got.get("minute") else 0
    second = int(got["second"]) if got.get("second") else 0
    micro = int((got.get("fraction") or "0")[:6].ljust(6, "0"))
    if not (year >= 1 and 1 <= month <= 12 and 1 <= day <= days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    value = datetime(year, month, day, hour, minute, second, micro)
    if got.get("offset") and apply_offset:
        try:
            return (value - timedelta(minutes=_offset_minutes(got["offset"]))).replace(tzinfo=UTC)
        except OverflowError:
            return None
    return value


def as_instant(value: object) -> datetime | None:
    """A timestamp or date as an engine returns it (a datetime, a date, or SQLite's UTC
    text) as an aware UTC datetime; naive values are UTC."""
    from datetime import date

    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def shown_instant(value: datetime, date_only: bool = False) -> str:
    """How a timestamp is printed in findings: ``2026-05-30 12:00:00+00`` (UTC)."""
    if date_only:
        return value.strftime("%Y-%m-%d")
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "+00"
