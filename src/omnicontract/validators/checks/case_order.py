from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select, union_all

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import Run

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
        resolutions = run.identity().resolutions(every=True)  # cases span every channel
        if not resolutions:
            return
        a = union_all(
            *[
                select(
                    literal(i).label("feed"),
                    r.events.c["__j"].label("j"),
                    r.events.c["__t"].label("t"),
                    r.events.c["__status"].label("s"),
                ).where(
                    r.events.c["__j"].is_not(None),
                    r.events.c["__t"].is_not(None),
                    r.events.c["__status"].is_not(None),
                )
                for i, r in enumerate(resolutions)
            ]
        ).subquery("a")
        o = (
            select(a.c.j, func.min(a.c.t).label("opened"))
            .where(a.c.s.in_(OPENING))
            .group_by(a.c.j)
            .subquery("o")
        )
        c = (
            select(
                a.c.j,
                func.arg_max(a.c.feed, a.c.t).label("feed"),
                func.max(a.c.t).label("closed"),
            )
            .where(a.c.s.in_(CLOSING))
            .group_by(a.c.j)
            .subquery("c")
        )
        rows = run.fetch(
            select(c.c.feed, c.c.j)
            .select_from(c.join(o, c.c.j == o.c.j))
            .where(c.c.closed < o.c.opened)
            .order_by(c.c.feed, c.c.j)
        )
        for i, res in enumerate(resolutions):
            cases = [j for feed, j in rows if feed == i]
            if cases and res.feed.selected:
                yield res.feed.draft(
                    self,
                    None,
                    len(cases),
                    [(j, 1) for j in cases[: run.sample_size]],
                    f"{n_of(len(cases), 'case')} closed here before they were opened",
                )
