"""How each channel's identity keys join the master: the rows every report shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnicontract.validators.result import RunResult


@dataclass(frozen=True)
class KeyRow:
    channel: str
    feed: str
    key: str
    as_written: int
    normalized: int
    unmatched: int
    empty: int


def key_rows(result: RunResult) -> list[KeyRow]:
    """One row per channel feed and identity key (feeds resolved against the master)."""
    out = []
    for ch in result.channels:
        for feed in ch.feeds:
            for key, figures in feed.key_match.items():
                out.append(
                    KeyRow(
                        ch.channel,
                        feed.feed,
                        key,
                        figures.get("as_written", 0),
                        figures.get("normalized", 0),
                        figures.get("unmatched", 0),
                        figures.get("empty", 0),
                    )
                )
    return out
