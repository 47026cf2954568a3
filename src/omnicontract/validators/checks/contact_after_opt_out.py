from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.consent import consent_table

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


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
        outbound = list(policy.outbound_values)
        marks = ", ".join("?" for _ in outbound)
        marketing = "AND r.__camp IS NOT NULL" if policy.marketing_only else ""
        for res in index.resolutions():
            rows = run.con.execute(
                f"SELECT r.__ch, count(*) AS c, sum(count(*)) OVER () FROM {res.table} r "
                f"JOIN {table} k ON k.cid = r.customer AND k.channel = r.__ch "
                f"WHERE r.__dir IN ({marks}) AND k.consent = false {marketing} "
                "AND (k.changed_at IS NULL OR r.__t IS NULL OR k.changed_at <= r.__t) "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT ?",
                [*outbound, max(run.sample_size, 1)],
            ).fetchall()
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
