"""Links between channels: a field whose values are another channel's field (a web
visit's ``ref_id`` is an e-mail's ``link_id``), declared with ``links: channel.field`` on
its mapping. Linked pairs of records happen together, so the difference of their times,
rounded, measures the clock offset between the two channels exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DateTime,
    String,
    and_,
    cast,
    column,
    exists,
    extract,
    func,
    null,
    select,
    union_all,
)

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run

BIN_S = 900  # shifts are rounded to the quarter hour (zones with :30 and :45 offsets too)


@dataclass
class Link:
    feed: FeedRun  # the feed holding the link
    field: str
    channel: str  # the linked channel and field
    target_field: str
    targets: list[FeedRun]


def links(run: Run) -> list[Link]:
    out = []
    for feed in run.feeds:
        if not feed.ok:
            continue
        for name, mapping in feed.binding.fields.items():
            if not mapping.links or name not in feed.fields:
                continue
            channel, _, target_field = mapping.links.partition(".")
            targets = [
                f
                for f in run.feeds
                if f.ok and f.channel_name == channel and target_field in f.fields
            ]
            out.append(Link(feed, name, channel, target_field, targets))
    return out


def link_fields(run: Run, feed: FeedRun) -> set[str]:
    """The fields of ``feed`` that link to another channel, and the fields of it that
    another channel's links name."""
    names = {name for name, mapping in feed.binding.fields.items() if mapping.links}
    for _channel, _index, other in run.project.iter_feeds():
        for mapping in other.fields.values():
            channel, _, target_field = (mapping.links or "").partition(".")
            if channel == feed.channel_name:
                names.add(target_field)
    return names


def _time(feed: FeedRun) -> Any:
    when = feed.contract.event_time
    ok = when and when in feed.fields and not feed.fields[when].constant
    return column(when) if ok else cast(null(), DateTime(timezone=True))


def _targets(link: Link) -> Any:
    return union_all(
        *[
            select(
                cast(column(link.target_field), String()).label("v"), _time(f).label("t")
            ).select_from(f.view)
            for f in link.targets
        ]
    ).subquery("linked")


def broken(run: Run, link: Link) -> tuple[int, list[tuple[Any, int]]]:
    """Rows whose link matches no record of the linked channel: (rows, top values)."""
    if not link.targets:  # the linked channel could not be read: OC-SRC says so
        return 0, []
    value = cast(column(link.field), String())
    found = exists().where(_targets(link).c.v == value)
    return run.top_values(
        select(value, func.count())
        .select_from(link.feed.view)
        .where(value.is_not(None), ~found)
        .group_by(value)
    )


def shifts(run: Run, link: Link) -> dict[int, int]:
    """Linked pairs per time difference (this record minus the linked one), in seconds
    rounded to the quarter hour."""
    if not link.targets or link.feed.contract.event_time is None:
        return {}
    linked = _targets(link)
    mine = (
        select(cast(column(link.field), String()).label("v"), _time(link.feed).label("t"))
        .select_from(link.feed.view)
        .subquery("mine")
    )
    diff = extract("epoch", mine.c.t) - extract("epoch", linked.c.t)
    pairs = (
        select(func.round(diff / BIN_S).label("b"))
        .select_from(mine.join(linked, linked.c.v == mine.c.v))
        .where(and_(mine.c.t.is_not(None), linked.c.t.is_not(None)))
        .subquery("pairs")
    )
    rows = run.fetch(select(pairs.c.b, func.count()).group_by(pairs.c.b))
    return {int(b) * BIN_S: int(n) for b, n in rows}


def duration(seconds: int) -> str:
    """``3h``, ``5h30m``, ``45m``."""
    h, m = divmod(abs(seconds) // 60, 60)
    return (f"{h}h" if h else "") + (f"{m:02d}m" if m and h else f"{m}m" if m else "") or "0h"


MIN_PAIRS = 10  # fewer linked pairs say nothing about a clock


@dataclass
class Offset:
    """A channel's clock against another's, measured on linked pairs."""

    channel: str  # the channel whose clock is off
    other: str
    shift: int  # seconds its times run ahead (+) or behind (-) the other channel's
    pairs: int
    agreeing: int  # pairs in the winning quarter hour
    histogram: dict[int, int]


def _measured(run: Run) -> list[tuple[Link, int, int, dict[int, int]]]:
    """(link, the difference most of its pairs share, pairs, histogram) of every link
    with enough pairs, more than half of them in one quarter hour."""
    out = []
    for link in links(run):
        hist = shifts(run, link)
        pairs = sum(hist.values())
        if pairs < MIN_PAIRS:
            continue
        mode = max(hist, key=lambda s: (hist[s], -abs(s)))
        if hist[mode] * 2 > pairs:  # else the pairs agree on no difference
            out.append((link, mode, pairs, hist))
    return out


def clock_offsets(run: Run, profile_gain: Any = None) -> tuple[list[Offset], set[str]]:
    """Offsets found on linked channels, and every channel that links judged (with enough
    pairs, more than half of them in one quarter hour). A link's pairs mostly in one
    non-zero quarter hour mean that one of the two clocks is off by it; which one: the
    channel whose other links show no offset is right; failing that, the one in more
    links showing an offset; failing that, the one whose hour-of-day profile gains more
    from the correction (``profile_gain(channel, hours)``); failing that, the linking
    channel. Pairs that no quarter hour holds the most of (a pickup days after the
    order) judge neither clock: their channels are left to the hour profiles."""
    measured = _measured(run)
    decided = {c for link, *_ in measured for c in (link.feed.channel_name, link.channel)}
    right = {
        c for link, off, *_ in measured if off == 0 for c in (link.feed.channel_name, link.channel)
    }
    wrong: dict[str, int] = {}  # channel -> its links that show an offset
    for link, off, *_ in measured:
        if off:
            for c in (link.feed.channel_name, link.channel):
                wrong[c] = wrong.get(c, 0) + 1
    out: dict[str, Offset] = {}
    for link, off, pairs, hist in sorted(measured, key=lambda m: -m[2]):
        if off == 0:
            continue
        a, b = link.feed.channel_name, link.channel
        if (a in right) != (b in right):
            blame_b = a in right
        elif wrong[a] != wrong[b]:
            blame_b = wrong[b] > wrong[a]
        elif profile_gain is not None:
            blame_b = (profile_gain(b, round(-off / 3600)) or 0.0) > (
                profile_gain(a, round(off / 3600)) or 0.0
            )
        else:
            blame_b = False
        if blame_b:
            found = Offset(b, a, -off, pairs, hist[off], hist)
        else:
            found = Offset(a, b, off, pairs, hist[off], hist)
        out.setdefault(found.channel, found)
    return list(out.values()), decided
