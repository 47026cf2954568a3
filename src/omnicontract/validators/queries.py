"""Query shapes shared by several checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

    from omnicontract.validators.run import FeedRun


def duplicate_groups(
    feed: FeedRun, value: ColumnElement[Any], k: int
) -> tuple[int, int, list[tuple[Any, int]]]:
    """Rows involved in duplicated values, number of such values, and the top ``k``."""
    grouped = (
        select(value.label("v"), func.count().label("n"))
        .select_from(feed.view)
        .where(value.is_not(None))
        .group_by(value)
        .having(func.count() > 1)
        .subquery()
    )
    stmt = (
        select(
            grouped.c.v,
            grouped.c.n,
            func.sum(grouped.c.n).over().label("rows"),
            func.count().over().label("groups"),
        )
        .order_by(grouped.c.n.desc(), grouped.c.v)
        .limit(max(k, 1))
    )
    result = feed.fetch(stmt)
    if not result:
        return 0, 0, []
    rows, groups = int(result[0][2]), int(result[0][3])
    return rows, groups, [(r[0], int(r[1])) for r in result[:k]]
