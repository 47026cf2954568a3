from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.consent import consent_table

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class ContactAfterOptOut(ProjectCheck):
    """Outbound contact (direction in the consent policy's `outbound_values`) on a channel
    where the resolved customer had opted out at that time, according to the master's
    consent field for that channel (see the project's `consent.channels`). Where several
    sources of the master hold consent, the latest change wins, and an opt-out wins a tie
    or an undated disagreement. An opt-out with no date counts from the beginning of time. With `consent.marketing_only`, only contacts
    that carry a campaign id count. The count is the number of contacts."""

    code = "OC-CNS-001"
    name = "contact-after-opt-out"
    summary = "outbound contact after the customer opted out"
    hint = "Suppress opted-out customers in this channel's send lists, from the master's consent."

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        policy = run.project.settings.consent
        table = consent_table(run)
        if table is None:
            return
        k = table
        for res in index.resolutions():
            r = res.table
            conditions = [
                r.c["__dir"].in_(list(policy.outbound_values)),
                k.c.consent.is_(False),
                or_(k.c.changed_at.is_(None), r.c["__t"].is_(None), k.c.changed_at <= r.c["__t"]),
            ]
            if policy.marketing_only:
                conditions.append(r.c["__camp"].is_not(None))
            n = func.count()
            rows = run.fetch(
                select(r.c["__ch"], n, func.sum(n).over())
                .select_from(r.join(k, (k.c.cid == r.c.customer) & (k.c.channel == r.c["__ch"])))
                .where(*conditions)
                .group_by(r.c["__ch"])
                .order_by(n.desc())
                .limit(max(run.sample_size, 1))
            )
            if not rows:
                continue
            total = int(rows[0][2])
            yield res.feed.draft(
                self,
                None,
                total,
                [],
                f"{n_of(total, 'outbound contact')} went to customers who had opted out of "
                + ", ".join(str(r[0]) for r in rows),
            )
