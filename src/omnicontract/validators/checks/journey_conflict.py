from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select, union_all

from omnicontract.validators.checks.base import Draft, ProjectCheck
from omnicontract.words import n_of, word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class JourneyConflict(ProjectCheck):
    """One case or conversation id (the entity's `journey_key`) whose interactions resolve
    to different customers: the journey is stitched across people. Counted per channel as
    the rows that take part in such cases; samples show the case ids."""

    code = "OC-JRN-001"
    name = "journey-conflict"
    summary = "one case id spans different customers"
    hint = "Check how case ids are generated per channel; they may be reused or collide."

    def run(self, run: Run) -> Iterable[Draft]:
        resolutions = run.identity().resolutions(every=True)  # cases span every channel
        if not resolutions:
            return
        a = union_all(
            *[
                select(
                    literal(i).label("feed"), r.table.c["__j"].label("j"), r.table.c.customer
                ).where(r.table.c["__j"].is_not(None))
                for i, r in enumerate(resolutions)
            ]
        ).subquery("a")
        bad = (
            select(a.c.j)
            .where(a.c.customer.is_not(None))
            .group_by(a.c.j)
            .having(func.count(a.c.customer.distinct()) > 1)
        )
        n = func.count()
        rows = run.fetch(
            select(a.c.feed, a.c.j, n)
            .where(a.c.j.in_(bad))
            .group_by(a.c.feed, a.c.j)
            .order_by(a.c.feed, n.desc(), a.c.j)
        )
        for i, res in enumerate(resolutions):
            mine = [(j, int(n)) for feed, j, n in rows if feed == i]
            if mine and res.feed.selected:
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
