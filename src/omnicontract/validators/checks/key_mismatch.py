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
    different e-mails or phones in different channels. One finding per channel and key."""

    code = "OC-IDN-005"
    name = "key-mismatch"
    summary = "customer id and identity key disagree with the master"
    hint = "Decide which system owns the key and sync it; update the master if it is stale."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
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
