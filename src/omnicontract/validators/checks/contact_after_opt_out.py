from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators import consent
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class ContactAfterOptOut(ProjectCheck):
    """Outbound marketing contact on a channel where the resolved customer had opted out at
    that time: the latest dated consent event at or before the contact, from the consent
    log or a dated consent flag of the master, is an opt-out (an opt-out at the very
    moment of the contact counts; an opt-out wins a tie with an opt-in). Which contacts
    need consent is the consent policy's scope (`consent.kinds`, campaign ids,
    `outbound_values`). A contact to a customer whose flag says opted-out with no date is
    OC-CNS-003 instead: its timing is unknown. The count is the number of contacts."""

    code = "OC-CNS-001"
    name = "contact-after-opt-out"
    summary = "outbound contact after the customer opted out"
    hint = "Suppress opted-out customers in this channel's send lists, from the master's consent."

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return consent.fields_read(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        if consent.consent_events(run) is None:
            return
        as_of = consent.as_of_param(run)
        for res in consent.contact_resolutions(run):
            total, channels = consent.contacts_where(
                run,
                res,
                lambda r: consent.latest_is(
                    run, False, r.c.customer, r.c["__ch"], r.c["__t"], as_of
                ),
            )
            if total:
                yield res.feed.draft(
                    self,
                    None,
                    total,
                    [],
                    f"{n_of(total, 'outbound contact')} went to customers who had opted out of "
                    + ", ".join(channels),
                )
