from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


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
            union = " UNION ALL ".join(
                f'SELECT CAST("{id_field}" AS VARCHAR) AS cid, "{field}" AS v, {i} AS src '
                f"FROM {f.view_name}"
                for i, f in enumerate(sources)
            )
            rows = run.con.execute(
                f"WITH s AS (SELECT DISTINCT cid, v, src FROM ({union}) WHERE cid IS NOT NULL AND v IS NOT NULL), "
                "c AS (SELECT cid FROM s GROUP BY cid HAVING count(DISTINCT v) > 1) "
                "SELECT s.src, s.cid FROM s JOIN c USING (cid) ORDER BY s.src, s.cid"
            ).fetchall()
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
