from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from omnicontract.validators.checks.base import Draft, FeedCheck
from omnicontract.validators.queries import duplicate_groups
from omnicontract.validators.sqlfuncs import blank
from omnicontract.words import n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun


def message(key: str, empty: int, dup_rows: int, groups: int) -> str:
    """``primary key 'id': 2 empty, 4 rows sharing 2 duplicated keys``."""
    parts = [f"{empty} empty"] if empty else []
    if dup_rows:
        parts.append(f"{n_of(dup_rows, 'row')} sharing {n_of(groups, 'duplicated key')}")
    return f"primary key '{key}': " + ", ".join(parts)


class PrimaryKey(FeedCheck):
    """The entity's primary key is empty or repeated in a feed. Replaces the `required`
    and `unique` checks on that field, so each bad key is reported once. The count is the
    rows involved: every row with an empty key and every row of a repeated one (a record
    exported twice counts 2); samples show the empty key and the most repeated ones."""

    code = "OC-FLD-004"
    name = "primary-key"
    summary = "primary key empty or duplicated"
    hint = "Every record needs its own key; check the export for repeated or blank ids."
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        pk = feed.contract.primary_key
        if pk is None or pk not in feed.fields or feed.fields[pk].constant:
            return
        f = feed.fields[pk]
        missing = or_(f.value.is_(None), blank(f.value))
        if not f.spec.blank_is_missing:
            missing = f.value.is_(None)
        empty_q = select(func.count()).select_from(feed.view).where(missing)
        empty = feed.scalar(empty_q)
        dup_rows, groups, samples = duplicate_groups(feed, f.value, feed.sample_size)
        if empty or dup_rows:
            if empty:
                samples = [(None, empty), *samples][: max(feed.sample_size, 1)]
            yield feed.draft(
                self, f, empty + dup_rows, samples, message(pk, empty, dup_rows, groups)
            )
