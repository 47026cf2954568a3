"""Query shapes shared by several checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, true

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement, Select

    from omnicontract.validators.run import FeedRun


def most_frequent(stmt: Select[Any], k: int) -> Select[Any]:
    """``stmt`` selects ``(value, count, *more)`` rows: the ``k`` most frequent values
    (ties by value), each row ``(value, count, total of the counts, number of values,
    *more)``. Both totals are read from the grouped rows computed once, not by a window
    over them (a window takes the grouping's result on one thread)."""
    grouped = stmt.cte("grouped")
    value, count, *more = list(grouped.c)
    totals = (
        select(func.sum(count).label("total"), func.count().label("values"))
        .select_from(grouped)
        .subquery("totals")
    )
    return (
        select(value, count, totals.c.total, totals.c["values"], *more)
        .select_from(grouped.join(totals, true()))
        .order_by(count.desc(), value)
        .limit(max(k, 1))
    )


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
    )
    result = feed.fetch(most_frequent(grouped, k))
    if not result:
        return 0, 0, []
    rows, groups = int(result[0][2]), int(result[0][3])
    return rows, groups, [(r[0], int(r[1])) for r in result[:k]]
