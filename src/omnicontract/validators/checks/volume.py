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
    recorded runs of the feed before it judges. Absolute bounds (`min_rows`, `max_rows`)
    are judged on every run, as errors. The count is the feed's rows in this run; against
    recent runs the total is their median and the samples their row counts."""

    code = "OC-SRC-007"
    name = "volume-change"
    summary = "row count far from recent runs"
    hint = "Check the export job: a partial file, a filter changed, or a replayed backlog."
    default_severity = Severity.warning
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        spec = feed.binding.volume
        if spec is None:
            return
        bounds = _outside_bounds(feed.rows, spec.min_rows, spec.max_rows)
        if bounds:
            draft = feed.draft(self, None, feed.rows, [], f"{n_of(feed.rows, 'row')}: {bounds}")
            draft.severity = Severity.error  # a bound the binding promises, not a trend
            yield draft
        history = feed.run.feed_history
        if history is None:
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


def _outside_bounds(rows: int, low: int | None, high: int | None) -> str | None:
    if low is not None and rows < low:
        return f"fewer than the {n_of(low, 'row')} the feed must hold at least"
    if high is not None and rows > high:
        return f"more than the {n_of(high, 'row')} the feed may hold at most"
    return None
