from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.identity import normalized, placeholder

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


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
                patterns = index.policy.placeholders.get(key.name, [])
                values = index.values
                # count per distinct value first: the pattern test runs on values, not rows
                source, value, weight = index.key_rows(feed, col)
                g = (
                    select(normalized(key, value).label("n"), weight.label("w"))
                    .select_from(source)
                    .subquery("g")
                )
                shared = (
                    select(values.c.norm)
                    .where(
                        values.c.key == key.name,
                        values.c.norm == g.c.n,
                        values.c.owners > threshold,
                    )
                    .exists()
                )
                total, samples = run.top_values(
                    select(g.c.n, func.sum(g.c.w))
                    .where(g.c.n.is_not(None))
                    .group_by(g.c.n)
                    .having(or_(placeholder(patterns, g.c.n), shared))
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
