from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run

OPENING = ("open",)
CLOSING = ("closed", "resolved")


class CaseOutOfOrder(ProjectCheck):
    """A case (the entity's `journey_key`) that was closed before it was opened: its last
    `closed`/`resolved` event lies before its first `open` event, across all channels.
    Usually one channel's clock or zone is off. Counted per channel holding the closing
    event, as the number of such cases."""

    code = "OC-TIM-002"
    name = "case-out-of-order"
    summary = "case closed before it was opened"
    hint = "Compare the time zones of the channels in these cases; one of them is likely off."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        resolutions = run.identity().resolutions()
        if not resolutions:
            return
        union = " UNION ALL ".join(
            f"SELECT {i} AS feed, __j AS j, __t AS t, __status AS s FROM {r.table} "
            "WHERE __j IS NOT NULL AND __t IS NOT NULL AND __status IS NOT NULL"
            for i, r in enumerate(resolutions)
        )
        opening = ", ".join(f"'{s}'" for s in OPENING)
        closing = ", ".join(f"'{s}'" for s in CLOSING)
        rows = run.con.execute(
            f"WITH a AS ({union}), "
            f"o AS (SELECT j, min(t) AS opened FROM a WHERE s IN ({opening}) GROUP BY j), "
            f"c AS (SELECT j, arg_max(feed, t) AS feed, max(t) AS closed FROM a "
            f"WHERE s IN ({closing}) GROUP BY j) "
            "SELECT c.feed, c.j FROM c JOIN o USING (j) WHERE c.closed < o.opened ORDER BY 1, 2"
        ).fetchall()
        for i, res in enumerate(resolutions):
            cases = [j for feed, j in rows if feed == i]
            if cases:
                yield res.feed.draft(
                    self,
                    None,
                    len(cases),
                    [(j, 1) for j in cases[: run.sample_size]],
                    f"{n_of(len(cases), 'case')} closed here before they were opened",
                )
