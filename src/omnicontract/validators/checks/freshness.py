from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, String, cast, column, func, literal, select

from omnicontract.contracts.model import duration_seconds
from omnicontract.validators.checks.base import Draft, FeedCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


class StaleFeed(FeedCheck):
    """The newest record of a feed is older than the `max_age` its `freshness:` block
    declares, at the time of the run: the export stopped, or delivers yesterday's file
    again. The field is the block's `field`, else the entity's `event_time`."""

    code = "OC-SRC-008"
    name = "stale-feed"
    summary = "newest record older than allowed"
    hint = "Check that the channel's export job ran and picked up new data."

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        spec = feed.binding.freshness
        if spec is None or feed.rows == 0 or feed.run.now is None:
            return
        name = spec.field or feed.contract.event_time
        f = feed.fields.get(name) if name else None
        if f is None or f.constant:
            return
        t = column(name)
        now = cast(literal(feed.run.now.isoformat(), String()), DateTime(timezone=True))
        rows = feed.fetch(
            select(
                cast(func.max(t), String()), func.date_diff("second", func.max(t), now)
            ).select_from(feed.view)
        )
        newest = rows[0] if rows else None
        if newest is None or newest[1] is None:
            return
        age = int(newest[1])
        limit = duration_seconds(spec.max_age)
        if age > limit:
            yield feed.draft(
                self,
                f,
                0,
                [(newest[0], 1, False)],
                f"newest '{name}' is {timedelta(seconds=age)} old (allowed: {spec.max_age})",
            )
