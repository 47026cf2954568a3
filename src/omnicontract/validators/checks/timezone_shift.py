from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import column, func, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run

MIN_ROWS = 200  # fewer events give too noisy an hour profile
MIN_GAIN = 0.15  # cosine-similarity gain a shift must bring to be reported


def _profile(counts: dict[int, int]) -> list[float]:
    total = sum(counts.values()) or 1
    return [counts.get(h, 0) / total for h in range(24)]


def _cosine(a: list[float], b: list[float]) -> float:
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb) if na and nb else 0.0


def best_shift(mine: list[float], others: list[float]) -> tuple[int, float, float]:
    """(shift in hours that best aligns ``mine`` with ``others``, similarity then, at 0)."""
    scores = {s: _cosine([mine[(h + s) % 24] for h in range(24)], others) for s in range(-12, 12)}
    shift = max(scores, key=lambda s: (round(scores[s], 9), -abs(s)))
    return shift, scores[shift], scores[0]


class TimezoneShift(ProjectCheck):
    """A channel whose hour-of-day profile of events (in UTC) lines up with the other
    channels' only when shifted by a whole number of hours: local times read as UTC, or
    the wrong zone declared. Needs at least 200 events per channel and two channels."""

    code = "OC-TIM-001"
    name = "timezone-shift"
    summary = "channel's clock shifted against the others"
    hint = "Declare the source's real time zone (timezone:) on this channel's mapping."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        profiles: dict[str, tuple[FeedRun, dict[int, int], int]] = {}
        for feed in run.feeds:
            when = feed.contract.event_time
            if not feed.ok or not when or when not in feed.fields or feed.fields[when].constant:
                continue
            t = column(when)
            hour = func.hour(t)
            rows = run.fetch(
                select(hour, func.count())
                .select_from(feed.view)
                .where(t.is_not(None))
                .group_by(hour)
            )
            name = feed.channel_name
            prev = profiles.get(name)
            counts = dict(prev[1]) if prev else {}
            for h, n in rows:
                counts[int(h)] = counts.get(int(h), 0) + int(n)
            profiles[name] = (prev[0] if prev else feed, counts, sum(counts.values()))
        usable = {c: p for c, p in profiles.items() if p[2] >= MIN_ROWS}
        if len(usable) < 2:
            return
        for channel, (feed, counts, total) in sorted(usable.items()):
            if not feed.selected:
                continue
            others = [_profile(p[1]) for c, p in usable.items() if c != channel]
            pooled = [sum(o[h] for o in others) / len(others) for h in range(24)]
            shift, score, at_zero = best_shift(_profile(counts), pooled)
            if shift != 0 and score - at_zero >= MIN_GAIN:
                direction = "later" if shift > 0 else "earlier"
                yield feed.draft(
                    self,
                    None,
                    total,
                    [],
                    f"events run {abs(shift)}h {direction} than on the other channels "
                    f"(profile similarity {at_zero:.2f} as is, {score:.2f} shifted)",
                )
