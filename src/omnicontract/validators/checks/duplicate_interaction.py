from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


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
            ident = "coalesce(" + ", ".join(f'"n_{k.name}"' for k in res.keys) + ")"
            rows = run.con.execute(
                f"SELECT any_value({ident}), count(DISTINCT __pk) - 1 AS extra, "
                f"sum(count(DISTINCT __pk) - 1) OVER () FROM {res.table} "
                f"WHERE {ident} IS NOT NULL AND __t IS NOT NULL "
                f"GROUP BY {ident}, __t, __kind, __ch, __act HAVING count(DISTINCT __pk) > 1 "
                "ORDER BY 2 DESC, 1 LIMIT ?",
                [max(run.sample_size, 1)],
            ).fetchall()
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
