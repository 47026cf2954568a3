from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, cast, exists, literal, or_, select

from omnicontract.contracts.model import Severity
from omnicontract.validators import consent
from omnicontract.validators.checks.base import Draft, ProjectCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class ConsentConflict(ProjectCheck):
    """A customer's consent flag for a channel in one source of the master disagrees with
    another source of the master (the CRM says opted in, the e-mail platform says opted
    out), or with the latest action the consent log records for that customer and channel
    up to the run's `as_of` moment (compared wherever the log has events for them; an
    opt-out wins a tie). Counted per source and flag, as customers; samples show the
    customer ids."""

    code = "OC-CNS-002"
    name = "consent-conflict"
    summary = "consent states disagree between sources"
    hint = "Make one system the owner of consent and sync the others from it, latest change wins."
    default_severity = Severity.warning

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return consent.fields_read(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        events = consent.consent_events(run)
        if events is None:
            return
        index = run.identity()
        policy = run.project.settings.consent
        as_of = consent.as_of_param(run)
        for n, feed in enumerate(index.master_feeds):
            for channel, field in sorted(policy.channels.items()):
                if field not in feed.fields or not feed.selected:
                    continue
                mine = events.alias("mine")
                other = events.alias("other")
                ch = cast(literal(channel), String())
                disagrees_with_source = (
                    exists()
                    .where(
                        other.c.origin == "flag",
                        other.c.src != n,
                        other.c.cid == mine.c.cid,
                        other.c.channel == mine.c.channel,
                        other.c.opt_in != mine.c.opt_in,
                    )
                    .correlate_except(other)
                )
                disagrees_with_log = or_(
                    and_(
                        mine.c.opt_in.is_(True),
                        consent.latest_is(run, False, mine.c.cid, ch, as_of, as_of, log_only=True),
                    ),
                    and_(
                        mine.c.opt_in.is_(False),
                        consent.latest_is(run, True, mine.c.cid, ch, as_of, as_of, log_only=True),
                    ),
                )
                stmt: Any = (
                    select(mine.c.cid)
                    .distinct()
                    .where(
                        mine.c.origin == "flag",
                        mine.c.src == n,
                        mine.c.channel == channel,
                        or_(disagrees_with_source, disagrees_with_log),
                    )
                    .order_by(mine.c.cid)
                )
                ids = [r[0] for r in run.fetch(stmt)]
                if ids:
                    yield feed.draft(
                        self,
                        feed.fields[field],
                        len(ids),
                        [(c, 1) for c in ids[: run.sample_size]],
                        f"'{field}' of {len(ids):,} customers disagrees with another source "
                        "or with the consent log",
                    )
