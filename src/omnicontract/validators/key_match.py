"""How each identity key of a channel joins the master: a profile figure per feed and key.

    as_written   the raw value is one the master holds: a plain join finds it
    normalized   it matches a customer only after normalization: a plain join misses it
    unmatched    a usable value no customer has
    empty        no value, or a placeholder

The four add up to the feed's rows. Only keys breaking a layout the channel declares are
a finding (OC-IDN-003); these figures say how much a raw join would miss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from omnicontract.validators.identity import ROWS

if TYPE_CHECKING:
    from omnicontract.validators.identity import Resolution
    from omnicontract.validators.run import Run

BUCKETS = ("as_written", "normalized", "unmatched", "empty")


def key_figures(run: Run, res: Resolution) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    rows = res.by_key  # one row per key tuple, weighted by the rows that carry it
    weight = rows.c[ROWS]
    for key in res.keys:
        n, x = rows.c["n_" + key.name], rows.c["x_" + key.name]
        master = run.identity().values.alias("m")
        joined = rows.outerjoin(master, and_(master.c.key == key.name, master.c.norm == n))
        found = master.c.norm.is_not(None)
        stmt = select(
            func.sum(weight).filter(and_(found, x.is_(None))),
            func.sum(weight).filter(x.is_not(None)),
            func.sum(weight).filter(and_(n.is_not(None), ~found)),
            func.sum(weight).filter(n.is_(None)),
        ).select_from(joined)
        counts = run.fetch(stmt)[0]
        out[key.name] = {b: int(c or 0) for b, c in zip(BUCKETS, counts, strict=True)}
    return out
