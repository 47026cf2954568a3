from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.queries import top_values

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


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
            cid = f'"c_{id_key}"'
            for key in res.keys:
                if key.name == id_key:
                    continue
                n = f'"n_{key.name}"'
                total, samples = top_values(
                    run,
                    f"SELECT {n}, count(*) AS c, sum(count(*)) OVER () FROM {res.table} t "
                    f"WHERE {cid} IS NOT NULL AND {n} IS NOT NULL "
                    f"AND EXISTS (SELECT 1 FROM id_pairs p WHERE p.key = ? AND p.cid = t.{cid}) "
                    f"AND NOT EXISTS (SELECT 1 FROM id_pairs p WHERE p.key = ? AND p.cid = t.{cid} "
                    f"AND p.norm = t.{n}) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
                    [key.name, key.name],
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
        for feed in index.master_feeds:
            if not feed.selected:
                continue
            for key, _col, _raw in index.feed_keys(feed):
                if key.name == index.policy.id_field:
                    continue
                rows = run.con.execute(
                    "WITH d AS (SELECT cid FROM id_pairs WHERE key = ? GROUP BY cid "
                    "HAVING count(DISTINCT channel) > 1 AND count(DISTINCT norm) > 1) "
                    "SELECT DISTINCT p.cid FROM id_pairs p JOIN d USING (cid) "
                    "WHERE p.key = ? AND p.channel = ? ORDER BY 1",
                    [key.name, key.name, feed.channel_name],
                ).fetchall()
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
