from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck
from omnicontract.validators.duplicates import fields_read, shared_values
from omnicontract.words import n_of, word

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class IdentityConflict(ProjectCheck):
    """One e-mail, phone, document or other identity key owned by several customer ids in
    the master that are different people (up to the shared threshold; above it,
    OC-IDN-006): a family sharing a phone, a couple sharing an e-mail, a mistyped
    document. Records that are one person entered twice are OC-IDN-009 instead (see
    `identity.same_person`). The count is the number of customer records involved, per
    key; samples show the key values with how many customers own them."""

    code = "OC-IDN-004"
    name = "identity-conflict"
    summary = "one identity key owned by several customers"
    hint = "Find out who owns the key and correct the other records, or stop matching on it."

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return fields_read(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        conflicts = [v for v in shared_values(run) if not v.same_person]
        for feed in index.master_feeds:
            for key, _col, _raw in index.feed_keys(feed):
                mine = [
                    v for v in conflicts if v.key == key.name and feed.channel_name in v.channels
                ]
                if not mine:
                    continue
                customers = sum(len(v.owners) for v in mine)
                mine.sort(key=lambda v: (-len(v.owners), v.norm))
                field = feed.fields[key.field_for(feed.binding.entity)]
                yield feed.draft(
                    self,
                    field,
                    customers,
                    [(v.norm, len(v.owners)) for v in mine[: run.sample_size]],
                    f"{n_of(len(mine), repr(key.name) + ' value')} "
                    f"{word(len(mine), 'is', 'are each')} owned by several customers "
                    f"({n_of(customers, 'customer record')})",
                )
