"""The period a feed's data covers: its first and last event time, for the reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import column, func, select

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


def _iso(value: object) -> str | None:
    if isinstance(value, str):  # SQLite returns its UTC text
        from omnicontract.validators.timeparse import as_instant

        value = as_instant(value) or value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat(timespec="seconds")
    return None if value is None else str(value)


def record_event_period(feed: FeedRun) -> None:
    """Set the feed summary's first and last value of the entity's ``event_time`` field,
    ISO 8601 in UTC; left None when the entity has no event time, the feed does not
    supply it or could not be read."""
    name = feed.contract.event_time
    f = feed.fields.get(name) if name else None
    if not feed.ok or feed.summary is None or f is None or f.constant:
        return
    value = column(name)
    rows = feed.fetch(select(func.min(value), func.max(value)).select_from(feed.view))
    if rows:
        feed.summary.first_event, feed.summary.last_event = _iso(rows[0][0]), _iso(rows[0][1])
