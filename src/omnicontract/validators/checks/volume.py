from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, FeedCheck
from omnicontract.words import n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


class VolumeChange(FeedCheck):
    """A feed's row count dropped or grew sharply against the median of its recent runs in
    the history store (the feed's `volume:` block sets the bounds and the window). A half
    empty export passes every row check; this is how it is caught. Needs `min_runs`
    recorded runs of the feed before it judges."""

    code = "OC-SRC-007"
    name = "volume-change"
    summary = "row count far from recent runs"
    hint = "Check the export job: a partial file, a filter changed, or a replayed backlog."
    default_severity = Severity.warning

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        spec = feed.binding.volume
        history = feed.run.feed_history
        if spec is None or history is None:
            return
        past = [n for n in history(feed.channel_name, feed.name)[: spec.window] if n is not None]
        if len(past) < spec.min_runs:
            return
        median = statistics.median(past)
        if median <= 0:
            return
        change = feed.rows / median - 1
        if change < -spec.max_drop or change > spec.max_growth:
            word = "below" if change < 0 else "above"
            draft = feed.draft(
                self,
                None,
                feed.rows,
                [(str(n), 1, False) for n in past[: feed.sample_size]],
                f"{n_of(feed.rows, 'row')}, {abs(change):.0%} {word} the median of the last "
                f"{n_of(len(past), 'run')} ({median:,.0f})",
            )
            draft.total = int(median)
            yield draft
