"""Diff rules for a whole file that is added or removed: an entity contract or a channel
binding new in one version, or gone from it. Registered with the other rules of
:mod:`omnicontract.contracts.diff` (scope ``file``); one side of the pair is None."""

from __future__ import annotations

from collections.abc import Iterator

from omnicontract.contracts.diff import MINOR, B, Hit, Pair, rule
from omnicontract.contracts.model import ChannelBinding, EntityContract
from omnicontract.words import n_of


def _feeds(binding: ChannelBinding) -> str:
    names = ", ".join(f"'{f.name}' ({f.entity})" for f in binding.feeds)
    return f"{n_of(len(binding.feeds), 'feed')}: {names}" if names else "no feed"


@rule("entity-removed", "file", B, "an entity contract is removed")
def _entity_removed(p: Pair) -> Iterator[Hit]:
    if isinstance(p.old, EntityContract) and p.new is None:
        yield (
            "entity",
            f"entity '{p.old.entity}' removed: every feed bound to it no longer loads, and "
            "consumers of its records lose them",
            p.old_at("entity"),
        )


@rule("entity-added", "file", MINOR, "an entity contract is added")
def _entity_added(p: Pair) -> Iterator[Hit]:
    if p.old is None and isinstance(p.new, EntityContract):
        yield (
            "entity",
            f"entity '{p.new.entity}' added ({n_of(len(p.new.fields), 'field')}): nothing "
            "existing depends on it",
            p.new_at("entity"),
        )


@rule("channel-removed", "file", B, "a channel binding is removed")
def _channel_removed(p: Pair) -> Iterator[Hit]:
    if isinstance(p.old, ChannelBinding) and p.new is None:
        yield (
            "channel",
            f"channel '{p.old.channel}' removed with {_feeds(p.old)}: its records leave the "
            "unified view",
            p.old_at("channel"),
        )


@rule("channel-added", "file", MINOR, "a channel binding is added")
def _channel_added(p: Pair) -> Iterator[Hit]:
    if p.old is None and isinstance(p.new, ChannelBinding):
        yield (
            "channel",
            f"channel '{p.new.channel}' added with {_feeds(p.new)}",
            p.new_at("channel"),
        )
