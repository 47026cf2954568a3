from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from omnicontract.contracts.model import duration_seconds
from omnicontract.validators.checks.base import Draft, FeedCheck
from omnicontract.validators.timeparse import as_instant, shown_instant

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


class StaleFeed(FeedCheck):
    """The newest record of a feed is older than the `max_age` its `freshness:` block
    declares, at the time of the run: the export stopped, or delivers yesterday's file
    again. The field is the block's `field`, else the entity's `event_time`. The feed is
    judged as a whole: the count is 0 and the sample is the newest value (the readiness
    score caps the channel instead, docs/readiness.md)."""

    code = "OC-SRC-008"
    name = "stale-feed"
    summary = "newest record older than allowed"
    hint = "Check that the channel's export job ran and picked up new data."
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        spec = feed.binding.freshness
        if spec is None or feed.rows == 0 or feed.run.now is None:
            return
        name = spec.field or feed.contract.event_time
        f = feed.fields.get(name) if name else None
        if f is None or f.constant:
            return
        # the newest value comes back and its age is taken here: the same on every engine
        value = feed.fetch(select(func.max(f.value)).select_from(feed.view))[0][0]
        newest = as_instant(value)
        if newest is None:
            return
        age = int((feed.run.now - newest).total_seconds())
        limit = duration_seconds(spec.max_age)
        if age > limit:
            yield feed.draft(
                self,
                f,
                0,
                [(shown_instant(newest, date_only=f.spec.type == "date"), 1, False)],
                f"newest '{name}' is {timedelta(seconds=age)} old (allowed: {spec.max_age})",
            )
