"""The functions SQLite lacks, registered on each connection so checks run inside it.

Each one has the meaning its DuckDB and PostgreSQL forms have (``sqlfuncs``): regular
expressions follow the project's portable dialect, timestamps the grammars of
``timeparse`` and come out as UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (the form SQLAlchemy
binds datetimes in on SQLite, so comparisons with a bound time are comparisons of
instants), time zones are IANA zones. All are deterministic and touch no data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from omnicontract.validators.timeparse import Grammar, parse

STAMP = "%Y-%m-%d %H:%M:%S.%f"


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _full_match(value: Any, pattern: str | None) -> int | None:
    if value is None or pattern is None:
        return None
    return int(_regex(pattern).fullmatch(str(value)) is not None)


def _search(value: Any, pattern: str | None) -> int | None:
    if value is None or pattern is None:
        return None
    return int(_regex(pattern).search(str(value)) is not None)


def _try_number(value: Any, kind: str) -> int | float | None:
    from omnicontract.validators.sqlfuncs import (
        BIGINT_MAX,
        DOUBLE_MAX,
        INTEGER_REGEX,
        NUMBER_REGEX,
    )

    if value is None:
        return None
    text = str(value)
    if kind == "BIGINT":
        if not _regex(INTEGER_REGEX).fullmatch(text):
            return None
        number = int(text.strip().split(".")[0])
        return number if -BIGINT_MAX - 1 <= number <= BIGINT_MAX else None
    if not _regex(NUMBER_REGEX).fullmatch(text):
        return None
    real = float(text.strip())
    return real if abs(real) <= DOUBLE_MAX else None


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return (  # by hand: strftime does not pad years before 1000
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def _from_stamp(text: Any) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.strptime(str(text), STAMP)
    except ValueError:
        return None


def _parse_timestamp(value: Any, regex: str, roles: str, aware: int) -> str | None:
    if value is None:
        return None
    grammar = Grammar(regex, tuple(roles.split(",")) if roles else ())
    return _stamp(parse(str(value), grammar, apply_offset=bool(aware)))


def _local_to_utc(value: Any, zone: str | None) -> str | None:
    local = _from_stamp(value)
    if local is None or zone is None:
        return None
    return _stamp(local.replace(tzinfo=ZoneInfo(zone)))


def _epoch(seconds: Any) -> str | None:
    if seconds is None:
        return None
    try:
        return _stamp(datetime(1970, 1, 1) + timedelta(seconds=float(seconds)))
    except (OverflowError, ValueError):
        return None


def register(dbapi_connection: Any) -> None:
    """Register the functions on one ``sqlite3`` connection."""
    fns = {
        "oc_full_match": (2, _full_match),
        "oc_search": (2, _search),
        "oc_try_number": (2, _try_number),
        "oc_parse_timestamp": (4, _parse_timestamp),
        "oc_local_to_utc": (2, _local_to_utc),
        "oc_epoch": (1, _epoch),
    }
    for name, (n, fn) in fns.items():
        dbapi_connection.create_function(name, n, fn, deterministic=True)
