"""The master's consent state per customer and channel, for the consent checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnicontract.validators.engine import Run


def consent_table(run: Run) -> str | None:
    """``consent_state(cid, channel, consent, at)``: the latest state per customer and channel."""
    cached = getattr(run, "_consent_table", "")
    if cached != "":
        return cached
    index = run.identity()
    policy = run.project.settings.consent
    id_field = index.policy.id_field
    parts = []
    for feed in index.master_feeds if index.ready else []:
        if id_field not in feed.fields:
            continue
        for channel, field in policy.channels.items():
            if field not in feed.fields:
                continue
            at = f"{field}_at"
            at_sql = (
                f'CAST("{at}" AS TIMESTAMPTZ)' if at in feed.fields else "CAST(NULL AS TIMESTAMPTZ)"
            )
            parts.append(
                f"SELECT CAST(\"{id_field}\" AS VARCHAR) AS cid, '{channel}' AS channel, "
                f'"{field}" AS consent, {at_sql} AS changed_at FROM {feed.view_name}'
            )
    table: str | None = None
    if parts:
        table = "consent_state"
        run.con.execute(
            # latest change wins; on a tie (or with no dates) an opt-out wins: privacy by default
            f"CREATE TEMP TABLE {table} AS SELECT cid, channel, arg_max(consent, "
            "epoch(coalesce(changed_at, TIMESTAMPTZ '1900-01-01')) * 2 "
            "+ CASE WHEN consent THEN 0 ELSE 1 END) AS consent, max(changed_at) AS changed_at "
            f"FROM ({' UNION ALL '.join(parts)}) "
            "WHERE cid IS NOT NULL AND consent IS NOT NULL GROUP BY cid, channel"
        )
    run._consent_table = table  # type: ignore[attr-defined]
    return table
