from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import column, func, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck
from omnicontract.validators.links import clock_offsets, duration, link_fields

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
    """A channel whose clock is shifted against the others: local times read as UTC, or the
    wrong zone declared. Where channels are linked (`links: channel.field`), the linked
    pairs decide: when more than half of them (at least 10) differ by the same non-zero
    quarter hour, one of the two clocks is off by exactly that (the channel whose other
    links agree is right; failing that, the one whose daily profile the correction fits
    better); when more than half differ by less than that, both clocks agree. Linked pairs
    that agree on no difference (a store pickup hours or days after the web order) say
    nothing about either clock. Elsewhere, a channel whose hour-of-day profile of events
    (in UTC) lines up with the other channels' only when shifted by whole hours (at least
    200 events per channel, two channels). The count is the channel's events with a time;
    samples show the shifts of the linked pairs."""

    code = "OC-TIM-001"
    name = "timezone-shift"
    summary = "channel's clock shifted against the others"
    hint = "Declare the source's real time zone (timezone:) on this channel's mapping."
    default_severity = Severity.warning

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        """Every feed's event time (its hour profile), and the linked pairs."""
        when = feed.contract.event_time
        return link_fields(run, feed) | ({when} if when else set())

    def run(self, run: Run) -> Iterable[Draft]:
        profiles: dict[str, tuple[FeedRun, dict[int, int], int]] = {}
        consent_entity = run.project.settings.consent.entity
        for feed in run.feeds:
            if feed.binding.entity == consent_entity:
                continue  # opt-outs follow no daily rhythm of contacts
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
        decided = yield from self._by_links(run, profiles, usable)
        if len(usable) < 2:
            return
        for channel, (feed, counts, total) in sorted(usable.items()):
            if not feed.selected or channel in decided:
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

    def _by_links(
        self,
        run: Run,
        profiles: dict[str, tuple[FeedRun, dict[int, int], int]],
        usable: dict[str, tuple[FeedRun, dict[int, int], int]],
    ) -> Generator[Draft, None, set[str]]:
        """Channels linked to others are judged on their linked pairs; returns them."""

        def gain(channel: str, hours: int) -> float | None:
            if channel not in usable or len(usable) < 2:
                return None
            mine = _profile(usable[channel][1])
            others = [_profile(p[1]) for c, p in usable.items() if c != channel]
            pooled = [sum(o[h] for o in others) / len(others) for h in range(24)]
            shifted = _cosine([mine[(h + hours) % 24] for h in range(24)], pooled)
            return shifted - _cosine(mine, pooled)

        offsets, decided = clock_offsets(run, gain)
        for o in offsets:
            if o.channel not in profiles or not profiles[o.channel][0].selected:
                continue
            feed, _counts, total = profiles[o.channel]
            direction = "later" if o.shift > 0 else "earlier"
            top = sorted(o.histogram.items(), key=lambda p: (-p[1], p[0]))
            yield feed.draft(
                self,
                None,
                total,
                [(("+" if s > 0 else "-" if s < 0 else "") + duration(s), n) for s, n in top[:5]],
                f"events run {duration(o.shift)} {direction} than on {o.other}: "
                f"{o.agreeing:,} of {o.pairs:,} linked pairs differ by it",
            )
        return decided
