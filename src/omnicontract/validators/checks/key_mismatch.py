from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.identity import ROWS

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class KeyMismatch(ProjectCheck):
    """Rows that name a known customer id together with an e-mail, phone or other key
    that the master records differently for that customer: the same customer id with
    different e-mails or phones in different channels. One finding per channel and key.

    Where the master has several sources (the CRM and an e-mail platform's subscriber
    list, say), a customer id whose key differs between them is reported too, on each
    source, counted as customers."""

    code = "OC-IDN-005"
    name = "key-mismatch"
    summary = "customer id and identity key disagree with the master"
    hint = "Decide which system owns the key and sync it; update the master if it is stale."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        yield from self._between_master_sources(run)
        index = run.identity()
        id_key = index.policy.id_field
        for res in index.resolutions():
            if id_key not in {k.name for k in res.keys}:
                continue
            t = res.by_key  # per key tuple, weighted by its rows
            cid = t.c[f"c_{id_key}"]
            p = index.pairs
            for key in res.keys:
                if key.name == id_key:
                    continue
                n = t.c[f"n_{key.name}"]
                known_id = select(p.c.cid).where(p.c.key == key.name, p.c.cid == cid).exists()
                same_key = (
                    select(p.c.cid)
                    .where(p.c.key == key.name, p.c.cid == cid, p.c.norm == n)
                    .exists()
                )
                total, samples = run.top_values(
                    select(n, func.sum(t.c[ROWS]))
                    .where(cid.is_not(None), n.is_not(None), known_id, ~same_key)
                    .group_by(n)
                )
                if not total:
                    continue
                field = res.feed.fields[key.field_for(res.feed.binding.entity)]
                yield res.feed.draft(
                    self,
                    field,
                    total,
                    samples,
                    f"{n_of(total, 'row')} give a '{key.name}' the master does not have for that customer id",
                )

    def _between_master_sources(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready or len({f.channel_name for f in index.master_feeds}) < 2:
            return
        p = index.pairs
        for feed in index.master_feeds:
            if not feed.selected:
                continue
            for key, _col, _raw in index.feed_keys(feed):
                if key.name == index.policy.id_field:
                    continue
                differs = (
                    select(p.c.cid)
                    .where(p.c.key == key.name)
                    .group_by(p.c.cid)
                    .having(func.count(p.c.channel.distinct()) > 1)
                    .having(func.count(p.c.norm.distinct()) > 1)
                )
                rows = run.fetch(
                    select(p.c.cid)
                    .where(p.c.key == key.name, p.c.channel == feed.channel_name)
                    .where(p.c.cid.in_(differs))
                    .distinct()
                    .order_by(p.c.cid)
                )
                if rows:
                    field = feed.fields[key.field_for(feed.binding.entity)]
                    draft = feed.draft(
                        self,
                        field,
                        len(rows),
                        [(r[0], 1, False) for r in rows[: run.sample_size]],
                        f"{n_of(len(rows), 'customer')} with a '{key.name}' that another "
                        "source of the master records differently",
                    )
                    yield draft
