from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.identity import ROWS
from omnicontract.words import word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class OrphanInteraction(ProjectCheck):
    """Rows that carry at least one usable identity key, none of which matches a customer
    of the master: the unified view cannot attach them to anyone. Samples show the key
    that was tried first."""

    code = "OC-IDN-001"
    name = "orphan"
    summary = "rows that resolve to no known customer"
    hint = "Check that the master export is complete and that both sides format the keys alike."

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        for res in index.resolutions():
            count = index.status_count(res, "orphan")
            if not count:
                continue
            t = res.by_key
            # the key tried first, and its value
            tried = (
                select(
                    func.coalesce(*[t.c[f"n_{k.name}"] for k in res.keys]).label("v"),
                    case(*[(t.c[f"n_{k.name}"].is_not(None), k.name) for k in res.keys]).label("k"),
                    t.c[ROWS].label("rows"),
                )
                .where(t.c.status == "orphan")
                .subquery()
            )
            n = func.sum(tried.c.rows)
            rows = run.fetch(
                select(tried.c.v, tried.c.k, n)
                .group_by(tried.c.v, tried.c.k)
                .order_by(n.desc(), tried.c.v)
                .limit(max(run.sample_size, 1))
            )[: run.sample_size]
            pii = {k.name: index.key_pii(res.feed, k) for k in res.keys}
            draft = res.feed.draft(
                self,
                None,
                int(count),
                [(v, int(n), pii.get(k, True)) for v, k, n in rows],
                f"{n_of(count, 'row')} {word(count, 'matches', 'match')} no customer by any identity key",
            )
            yield draft
