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
        for feed in run.feeds:
            contract = feed.contract
            pk, when = contract.primary_key, contract.event_time
            if not (feed.ok and feed.selected) or not pk or not when:
                continue
            if feed.binding.entity == index.policy.master or pk not in feed.fields:
                continue
            if when not in feed.fields:
                continue
            keys = index.feed_keys(feed)
            if not keys:
                continue
            ident = "coalesce(" + ", ".join(index.norm_expr(k, c) for k, c, _r in keys) + ")"
            group = [ident, f'"{when}"'] + (['"kind"'] if "kind" in feed.fields else [])
            rows = run.con.execute(
                f"SELECT any_value(i), count(DISTINCT pk) - 1 AS extra, sum(count(DISTINCT pk) - 1) OVER () "
                f'FROM (SELECT {ident} AS i, {", ".join(group[1:])}, "{pk}" AS pk '
                f'FROM {feed.view_name}) t WHERE i IS NOT NULL AND "{when}" IS NOT NULL '
                f"GROUP BY i, {', '.join(group[1:])} HAVING count(DISTINCT pk) > 1 "
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
                f"{n_of(total, 'row')} repeat an interaction already in the feed (same key, time and kind)",
            )
            draft.pii = any(index.key_pii(feed, k) for k, _c, _r in keys)
            yield draft
