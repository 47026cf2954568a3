from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.identity import normalized_sql, placeholder_sql
from omnicontract.validators.queries import top_values

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


class SharedIdentifier(ProjectCheck):
    """Identity values that identify no one: a placeholder from the project's list
    (`test@test.com`, `00000000000`) or a value on more customers than the shared
    threshold (one store phone typed on 500 customers). They are ignored for resolution;
    the count is the number of rows carrying them, per feed and key."""

    code = "OC-IDN-006"
    name = "shared-identifier"
    summary = "placeholder or shared identity values"
    hint = "Leave the key empty when it is unknown; never type a placeholder or the store's phone."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        threshold = index.policy.shared_threshold
        for feed in run.feeds:
            if not (feed.ok and feed.selected):
                continue
            for key, col, _raw in index.feed_keys(feed):
                if key.name == index.policy.id_field:
                    continue
                norm = normalized_sql(key, col)
                patterns = index.policy.placeholders.get(key.name, [])
                total, samples = top_values(
                    run,
                    # count per distinct value first: the pattern test runs on values, not rows
                    f"WITH g AS (SELECT {norm} AS n, count(*) AS c FROM {feed.view_name} GROUP BY 1) "
                    "SELECT n, c, sum(c) OVER () FROM g "
                    f"WHERE n IS NOT NULL AND ({placeholder_sql(patterns, 'n')} OR EXISTS "
                    "(SELECT 1 FROM id_values v WHERE v.key = ? AND v.norm = g.n AND v.owners > ?)) "
                    "ORDER BY 2 DESC, 1 LIMIT ?",
                    [key.name, threshold],
                )
                if not total:
                    continue
                field = feed.fields[key.field_for(feed.binding.entity)]
                yield feed.draft(
                    self,
                    field,
                    total,
                    samples,
                    f"{n_of(total, 'row')} carry a placeholder or shared '{key.name}'",
                )
