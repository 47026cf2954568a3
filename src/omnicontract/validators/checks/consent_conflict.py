from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import String, cast, column, func, literal, select, union_all

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class ConsentConflict(ProjectCheck):
    """The same customer has different consent states for the same channel in different
    sources of the master (the CRM says opted in, the e-mail platform says opted out).
    Counted per source, as the number of customers whose state disagrees with another
    source; samples show the customer ids."""

    code = "OC-CNS-002"
    name = "consent-conflict"
    summary = "consent states disagree between sources"
    hint = "Make one system the owner of consent and sync the others from it, latest change wins."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        id_field = index.policy.id_field
        for field in sorted(set(run.project.settings.consent.channels.values())):
            sources = [f for f in index.master_feeds if field in f.fields and id_field in f.fields]
            if len(sources) < 2:
                continue
            u = union_all(
                *[
                    select(
                        cast(column(id_field), String()).label("cid"),
                        column(field).label("v"),
                        literal(i).label("src"),
                    ).select_from(f.view)
                    for i, f in enumerate(sources)
                ]
            ).subquery("u")
            s = (
                select(u.c.cid, u.c.v, u.c.src)
                .where(u.c.cid.is_not(None), u.c.v.is_not(None))
                .distinct()
                .subquery("s")
            )
            c = select(s.c.cid).group_by(s.c.cid).having(func.count(s.c.v.distinct()) > 1)
            rows = run.fetch(
                select(s.c.src, s.c.cid).where(s.c.cid.in_(c)).order_by(s.c.src, s.c.cid)
            )
            for i, feed in enumerate(sources):
                ids = sorted({cid for src, cid in rows if src == i})
                if ids:
                    f = feed.fields[field]
                    yield feed.draft(
                        self,
                        f,
                        len(ids),
                        [(c, 1) for c in ids[: run.sample_size]],
                        f"'{field}' of {len(ids):,} customers disagrees with another source",
                    )
