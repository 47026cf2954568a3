from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from omnicontract.contracts.model import Severity
from omnicontract.validators import consent
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class ContactUndatedOptOut(ProjectCheck):
    """Outbound marketing contact to a customer whose master consent flag for the channel
    says opted-out, with no date, and about whom nothing else is known for that channel:
    no consent-log event and no dated flag. A flag is the state when the master was
    exported; the customer may have opted out after the contact, so this is not a proven
    violation (OC-CNS-001), only a contact whose lawfulness cannot be shown. Map the
    flag's date (`consent_<channel>_at`) or a consent log to settle it. The count is the
    number of contacts."""

    code = "OC-CNS-003"
    name = "contact-undated-opt-out"
    summary = "outbound contact to a customer opted out at an unknown time"
    hint = (
        "Map when consent changed (the flag's `_at` field, or a consent_event log) so the "
        "contacts can be judged; until then suppress opted-out customers."
    )
    default_severity = Severity.warning

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return consent.fields_read(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        if consent.consent_events(run) is None:
            return
        as_of = consent.as_of_param(run)

        def unknown(r: Any) -> Any:
            customer, channel = r.c.customer, r.c["__ch"]
            return consent.undated_opt_out(run, customer, channel) & ~consent.any_dated(
                run, customer, channel, as_of
            )

        for res in consent.contact_resolutions(run):
            total, channels = consent.contacts_where(run, res, unknown)
            if total:
                yield res.feed.draft(
                    self,
                    None,
                    total,
                    [],
                    f"{n_of(total, 'outbound contact')} went to customers whose undated flag "
                    f"says they opted out of {', '.join(channels)} (when is unknown)",
                )
