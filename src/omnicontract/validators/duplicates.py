"""Identity keys shared by several customer records of the master, told apart: one person
entered twice (OC-IDN-009) or different people sharing a key (OC-IDN-004).

Two records sharing a usable key value (not a placeholder, on no more customers than the
shared threshold) are the same person when every field of ``identity.same_person`` that
both fill is equal, and at least one is: names compared without case, accents, or
repeated spaces; other fields as text. A value is a duplicate when all its owners are
pairwise the same person, and a conflict otherwise.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, cast, column, select

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


@dataclass(frozen=True)
class SharedValue:
    key: str
    norm: str
    owners: tuple[str, ...]
    channels: frozenset[str]
    same_person: bool


def _fold(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split()) or None


def _same(a: dict[str, str | None], b: dict[str, str | None]) -> bool:
    compared = [f for f in a if a[f] is not None and b.get(f) is not None]
    return bool(compared) and all(a[f] == b[f] for f in compared)


def fields_read(run: Run, feed: FeedRun) -> set[str]:
    """What telling shared keys apart reads of ``feed``: the master's keys and customer
    id, and its ``same_person`` fields."""
    from omnicontract.validators.identity import resolution_fields

    names = resolution_fields(run, feed)
    policy = run.project.settings.identity
    if feed.binding.entity == policy.master:
        names |= set(policy.same_person)
    return names


def _attributes(run: Run, cids: set[str]) -> dict[str, dict[str, str | None]]:
    """Folded ``same_person`` fields of the given customers, from every master feed."""
    index = run.identity()
    id_field, wanted = index.policy.id_field, index.policy.same_person
    out: dict[str, dict[str, str | None]] = {}
    if not cids:  # no value is shared: nothing to ask the feeds
        return out
    for feed in index.master_feeds:
        fields = [f for f in wanted if f in feed.fields]
        if id_field not in feed.fields or not fields:
            continue
        cid = cast(column(id_field), String())
        stmt = (
            select(cid, *(cast(column(f), String()) for f in fields))
            .select_from(feed.view)
            .where(cid.in_(sorted(cids)))
        )
        for row in run.fetch(stmt):
            mine = out.setdefault(row[0], {})
            for name, value in zip(fields, row[1:], strict=True):
                if mine.get(name) is None:
                    mine[name] = _fold(value)
    return out


def shared_values(run: Run) -> list[SharedValue]:
    """Every key value owned by 2..shared_threshold customers, told apart (cached)."""
    cached = getattr(run, "_shared_values", None)
    if cached is not None:
        return cached
    index = run.identity()
    out: list[SharedValue] = []
    if index.ready:
        pairs, values = index.pairs, index.values
        stmt = (
            select(pairs.c.key, pairs.c.norm, pairs.c.cid, pairs.c.channel)
            .select_from(
                pairs.join(values, and_(values.c.key == pairs.c.key, values.c.norm == pairs.c.norm))
            )
            .where(
                values.c.owners.between(2, index.policy.shared_threshold),
                pairs.c.key != index.policy.id_field,
            )
        )
        groups: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        for key, norm, cid, channel in run.fetch(stmt):
            owners, channels = groups.setdefault((key, norm), (set(), set()))
            owners.add(cid)
            channels.add(channel)
        attrs = _attributes(run, {c for owners, _ch in groups.values() for c in owners})
        for (key, norm), (owners, channels) in sorted(groups.items()):
            ids = tuple(sorted(owners))
            same = all(
                _same(attrs.get(a, {}), attrs.get(b, {}))
                for i, a in enumerate(ids)
                for b in ids[i + 1 :]
            )
            out.append(SharedValue(key, norm, ids, frozenset(channels), same))
    run._shared_values = out  # type: ignore[attr-defined]
    return out
