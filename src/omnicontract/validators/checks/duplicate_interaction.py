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
            extra = func.count(t.c["__pk"].distinct()) - 1
            first = func.any_value(ident)
            rows = run.fetch(
                select(first, extra, func.sum(extra).over())
                .where(ident.is_not(None), t.c["__t"].is_not(None))
                .group_by(ident, t.c["__t"], t.c["__kind"], t.c["__ch"], t.c["__act"])
                .having(func.count(t.c["__pk"].distinct()) > 1)
                .order_by(extra.desc(), first)
                .limit(max(run.sample_size, 1))
            )
            if not rows:
                continue
            total = int(rows[0][2])
            draft = feed.draft(
                self,
                None,
                total,
                [(v, int(c)) for v, c, _t in rows[: run.sample_size]],
                f"{n_of(total, 'row')} repeat an interaction already in the feed "
                "(same key, time and kind)",
            )
            draft.pii = any(index.key_pii(feed, k) for k in res.keys)
            yield draft
