from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class DuplicateInteraction(ProjectCheck):
    """The same interaction exported twice under different ids: rows of one feed (across
    all its files) with the same identity key, the same event time and the same kind.
    Re-exports and webhook redeliveries double-count contacts in the unified view. The
    count is the number of extra ids per group (a repeat under the same id is OC-FLD-004)."""

    code = "OC-IDN-007"
    name = "duplicate-interaction"
    summary = "same interaction exported more than once"
    hint = "Deduplicate on (key, time) when loading, and fix the export that repeats rows."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        for res in index.resolutions():
            feed = res.feed
            pk, when = feed.contract.primary_key, feed.contract.event_time
            if not pk or pk not in feed.fields or not when or when not in feed.fields:
                continue
            t = res.table
            ident = func.coalesce(*[t.c[f"n_{k.name}"] for k in res.keys])
            # each interaction id once per (key, time, kind), then groups of more than one:
            # two plain aggregations, cheaper than a count of distinct ids per group
            ids = (
                select(
                    ident.label("v"),
                    t.c["__t"].label("t"),
                    t.c["__kind"].label("kind"),
                    t.c["__ch"].label("ch"),
                    t.c["__act"].label("act"),
                    t.c["__pk"].label("pk"),
                )
                .where(ident.is_not(None), t.c["__t"].is_not(None), t.c["__pk"].is_not(None))
                .distinct()
                .subquery("ids")
            )
            total, samples = run.top_values(
                select(ids.c.v, (func.count() - 1).label("n"))
                .group_by(ids.c.v, ids.c.t, ids.c.kind, ids.c.ch, ids.c.act)
                .having(func.count() > 1)
            )
            if not total:
                continue
            draft = feed.draft(
                self,
                None,
                total,
                samples,
                f"{n_of(total, 'row')} repeat an interaction already in the feed "
                "(same key, time and kind)",
            )
            draft.pii = any(index.key_pii(feed, k) for k in res.keys)
            yield draft
