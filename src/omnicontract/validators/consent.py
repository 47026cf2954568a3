"""The master's consent state per customer and channel, for the consent checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, String, case, cast, column, func, literal, null, select, union_all

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import TableClause

    from omnicontract.validators.run import Run


def consent_table(run: Run) -> TableClause | None:
    """``consent_state(cid, channel, consent, changed_at)``: the latest state per customer
    and channel."""
    if run._consent != "":
        return run._consent  # type: ignore[no-any-return]
    index = run.identity()
    policy = run.project.settings.consent
    id_field = index.policy.id_field
    when = DateTime(timezone=True)
    parts = []
    for feed in index.master_feeds if index.ready else []:
        if id_field not in feed.fields:
            continue
        for channel, field in policy.channels.items():
            if field not in feed.fields:
                continue
            at = f"{field}_at"
            parts.append(
                select(
                    cast(column(id_field), String()).label("cid"),
                    literal(channel, String()).label("channel"),
                    column(field).label("consent"),
                    cast(column(at) if at in feed.fields else null(), when).label("changed_at"),
                ).select_from(feed.view)
            )
    table: Any = None
    if parts:
        u = union_all(*parts).subquery("u")
        # latest change wins; on a tie (or with no dates) an opt-out wins: privacy by default
        since = func.coalesce(u.c.changed_at, cast(literal("1900-01-01"), when))
        rank = func.epoch(since) * 2 + case((u.c.consent, 0), else_=1)
        table = run.engine.create_table(
            "consent_state",
            select(
                u.c.cid,
                u.c.channel,
                func.arg_max(u.c.consent, rank).label("consent"),
                func.max(u.c.changed_at).label("changed_at"),
            )
            .where(u.c.cid.is_not(None), u.c.consent.is_not(None))
            .group_by(u.c.cid, u.c.channel),
        )
    run._consent = table
    return table
