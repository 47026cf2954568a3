from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.duplicates import fields_read, shared_values

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class DuplicateCustomer(ProjectCheck):
    """One person recorded twice (or more) in the master under different customer ids:
    the records share a usable identity key value (e-mail, phone, document; not a
    placeholder or a shared value) and agree on every field of `identity.same_person`
    that both fill (by default the full name, compared without case, accents or extra
    spaces, and the birth date), at least one of them. Different people sharing a key are
    OC-IDN-004. The count is the number of customer records involved; samples show the
    ids of each person's records."""

    code = "OC-IDN-009"
    name = "duplicate-customer"
    summary = "the same person recorded as several customers"
    hint = "Merge the duplicate records into one customer id and search before creating one."

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return fields_read(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        duplicates = [v for v in shared_values(run) if v.same_person]
        for feed in index.master_feeds:
            if not feed.selected:
                continue
            groups = sorted({v.owners for v in duplicates if feed.channel_name in v.channels})
            people = _merge(groups)
            if not people:
                continue
            records = sum(len(p) for p in people)
            yield feed.draft(
                self,
                None,
                records,
                [(" = ".join(p), len(p)) for p in people[: run.sample_size]],
                f"{n_of(len(people), 'person', 'people')} recorded as several customers "
                f"({records:,} customer records)",
            )


def _merge(groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Owner groups joined where they share a record (one person, several shared keys)."""
    people: list[set[str]] = []
    for group in groups:
        joined = set(group)
        for p in [p for p in people if p & joined]:
            joined |= p
            people.remove(p)
        people.append(joined)
    return sorted(tuple(sorted(p)) for p in people)
