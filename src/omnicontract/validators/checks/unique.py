from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, FeedCheck
from omnicontract.validators.queries import duplicate_groups

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


class Unique(FeedCheck):
    """Two or more rows of a feed share a value of a field marked `unique`. The count is
    the number of rows involved; samples show the most repeated values."""

    code = "OC-FLD-003"
    name = "unique"
    summary = "duplicate values in a unique field"
    hint = "Deduplicate the export, or check whether the channel reuses ids."
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        for f in feed.fields.values():
            if not f.spec.unique or f.constant or f.primary_key:
                continue
            rows, groups, samples = duplicate_groups(feed, f.value, feed.sample_size)
            if rows:
                yield feed.draft(
                    self, f, rows, samples, f"'{f.name}' has {groups} values used more than once"
                )
