"""Unified-view readiness: one number per channel, reproducible by hand from the findings.

    readiness(channel) = 100 × Π (1 - rate(f))   over the channel's findings of severity error
    rate(f)            = count / total, capped at 1; a finding with no row total (a missing
                         or unreadable source, a required field the feed cannot supply) is 1
    then capped:  a channel with a dead feed (missing, unreadable or empty) at DEAD_CEILING,
                  a channel with a stale feed or a volume out of range at STALE_CEILING
    readiness(overall) = Σ w(c) × readiness(c) / Σ w(c),  w(c) = rows(c), or for a channel
                         with a dead feed the median rows of the other channels (at least 1);
                         capped at OVERALL_DEAD_CEILING / OVERALL_STALE_CEILING when any
                         channel has a dead / stale feed

A channel with no error finding scores 100; one that cannot be read scores 0. Warnings
and info do not lower the score, except through the ceilings. See docs/readiness.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from omnicontract.contracts.model import Severity


class Finding(Protocol):
    """What readiness reads of a finding (``validators.result.Finding`` has it)."""

    code: str
    severity: Severity
    count: int
    total: int


class RunResult(Protocol):
    """What readiness reads of a run's result (``validators.result.RunResult`` has it)."""

    @property
    def channels(self) -> Sequence[Any]: ...

    @property
    def findings(self) -> Sequence[Any]: ...

    def channel_findings(self, channel: str) -> Sequence[Any]: ...


BLOCKER_FAMILIES = ("OC-SRC", "OC-REF", "OC-IDN", "OC-CNS", "OC-JRN", "OC-TIM")
DEAD_CEILING = 50.0  # a channel with a feed that is missing, unreadable or empty
STALE_CEILING = 80.0  # a channel with a stale feed (OC-SRC-008) or a volume out of range
OVERALL_DEAD_CEILING = 90.0
OVERALL_STALE_CEILING = 95.0
STALE_CODES = ("OC-SRC-007", "OC-SRC-008")


def finding_rate(f: Finding) -> float:
    if not f.total:
        return 1.0
    return min(1.0, f.count / f.total)


@dataclass
class ChannelReadiness:
    channel: str
    rows: int
    score: float
    resolution: dict[str, int]
    resolved_by: dict[str, int]
    dead: bool = False  # a feed is missing, unreadable or empty
    stale: bool = False  # a feed is stale or its volume is out of range

    @property
    def resolvable_rows(self) -> int:
        return sum(self.resolution.values())

    @property
    def resolved_share(self) -> float | None:
        total = self.resolvable_rows
        return self.resolution.get("resolved", 0) / total if total else None


def channel_readiness(result: RunResult) -> list[ChannelReadiness]:
    out = []
    for ch in result.channels:
        score = 100.0
        for f in result.channel_findings(ch.channel):
            if f.severity == Severity.error:
                score *= 1.0 - finding_rate(f)
        resolution: dict[str, int] = {}
        resolved_by: dict[str, int] = {}
        for feed in ch.feeds:
            for k, v in feed.resolution.items():
                resolution[k] = resolution.get(k, 0) + v
            for k, v in feed.resolved_by.items():
                resolved_by[k] = resolved_by.get(k, 0) + v
        rows = sum(f.rows or 0 for f in ch.feeds)
        dead = any(not f.rows for f in ch.feeds)
        stale = any(f.code in STALE_CODES for f in result.channel_findings(ch.channel))
        if dead:
            score = min(score, DEAD_CEILING)
        if stale:
            score = min(score, STALE_CEILING)
        out.append(
            ChannelReadiness(
                ch.channel, rows, round(score, 1), resolution, resolved_by, dead, stale
            )
        )
    return out


def _weights(channels: list[ChannelReadiness]) -> list[int]:
    """Rows per channel; a channel with a dead feed weighs like a typical channel (the
    median rows of the others), since its real size is what could not be read."""
    alive = sorted(c.rows for c in channels if not c.dead and c.rows)
    typical = alive[len(alive) // 2] if alive else 1
    return [max(c.rows, typical if c.dead else 1, 1) for c in channels]


def overall_readiness(channels: list[ChannelReadiness]) -> float | None:
    if not channels:
        return None
    weights = _weights(channels)
    score = sum(w * c.score for w, c in zip(weights, channels, strict=True)) / sum(weights)
    if any(c.dead for c in channels):
        score = min(score, OVERALL_DEAD_CEILING)
    if any(c.stale for c in channels):
        score = min(score, OVERALL_STALE_CEILING)
    return round(score, 1)


def is_blocker(f: Finding) -> bool:
    return f.code.rsplit("-", 1)[0] in BLOCKER_FAMILIES and f.severity.rank >= Severity.warning.rank


def top_blockers(result: RunResult, limit: int | None = None) -> list[Any]:
    blockers = sorted(
        (f for f in result.findings if is_blocker(f)),
        key=lambda f: (-f.severity.rank, -f.count, f.channel or "", f.code),
    )
    return blockers[:limit] if limit else blockers
