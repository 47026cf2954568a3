from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from omnicontract.validators.checks.base import Draft, ProjectCheck
from omnicontract.words import n_of, word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class IdentityConflict(ProjectCheck):
    """One e-mail, phone, document or other identity key owned by several customer ids in
    the master (up to the shared threshold; above it, OC-IDN-006): duplicate customer
    records, or a family sharing a phone. The count is the number of customer records
    involved, per key; samples show the key values with how many customers own them."""

    code = "OC-IDN-004"
    name = "identity-conflict"
    summary = "one identity key owned by several customers"
    hint = "Merge the duplicate customers in the master, or stop using this key for matching."

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        threshold = index.policy.shared_threshold
        for feed in index.master_feeds:
            for key, _col, _raw in index.feed_keys(feed):
                if key.name == index.policy.id_field:
                    continue  # duplicated ids are OC-FLD-004
                v, p = index.values, index.pairs
                in_feed = (
                    select(p.c.key)
                    .where(
                        p.c.key == v.c.key, p.c.norm == v.c.norm, p.c.channel == feed.channel_name
                    )
                    .exists()
                )
                rows = run.fetch(
                    select(v.c.norm, v.c.owners, func.sum(v.c.owners).over(), func.count().over())
                    .where(v.c.key == key.name, v.c.owners.between(2, threshold), in_feed)
                    .order_by(v.c.owners.desc(), v.c.norm)
                    .limit(max(run.sample_size, 1))
                )
                if not rows:
                    continue
                customers, values = int(rows[0][2]), int(rows[0][3])
                field = feed.fields[key.field_for(feed.binding.entity)]
                yield feed.draft(
                    self,
                    field,
                    customers,
                    [(v, int(o)) for v, o, _c, _n in rows[: run.sample_size]],
                    f"{n_of(values, repr(key.name) + ' value')} {word(values, 'is', 'are each')} "
                    f"owned by several customers ({n_of(customers, 'customer record')})",
                )
