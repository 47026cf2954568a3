from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck
from omnicontract.words import n_of, word

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


class JourneyConflict(ProjectCheck):
    """One case or conversation id (the entity's `journey_key`) whose interactions resolve
    to different customers: the journey is stitched across people. Counted per channel as
    the rows that take part in such cases; samples show the case ids."""

    code = "OC-JRN-001"
    name = "journey-conflict"
    summary = "one case id spans different customers"
    hint = "Check how case ids are generated per channel; they may be reused or collide."

    def run(self, run: Run) -> Iterable[Draft]:
        resolutions = run.identity().resolutions()
        if not resolutions:
            return
        union = " UNION ALL ".join(
            f"SELECT {i} AS feed, __j AS j, customer FROM {r.table} WHERE __j IS NOT NULL"
            for i, r in enumerate(resolutions)
        )
        rows = run.con.execute(
            f"WITH a AS ({union}), bad AS (SELECT j FROM a WHERE customer IS NOT NULL "
            "GROUP BY j HAVING count(DISTINCT customer) > 1) "
            "SELECT a.feed, a.j, count(*) FROM a JOIN bad USING (j) GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"
        ).fetchall()
        for i, res in enumerate(resolutions):
            mine = [(j, int(n)) for feed, j, n in rows if feed == i]
            if mine:
                total = sum(n for _j, n in mine)
                yield res.feed.draft(
                    self,
                    None,
                    total,
                    mine[: run.sample_size],
                    f"{n_of(len(mine), 'case id')} in this feed also "
                    f"{word(len(mine), 'points', 'point')} to other customers "
                    f"({n_of(total, 'row')})",
                )
