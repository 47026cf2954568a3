"""Phone lookups on the DuckDB engine: raw value -> E.164, for one phone field of a feed.

The distinct raw values stay in DuckDB. Each becomes a work item in SQL (see
``normalize.phone_work``); of the items no earlier feed of the run has normalized, those
of the plain layouts are normalized in SQL (``phone_sql``), the others are read back in
batches, normalized on every core, and all are stored in a table shared by the run, so a
number written alike in several feeds is normalized once. Python never holds more than a
few batches, whatever the number of distinct values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    String,
    and_,
    bindparam,
    cast,
    column,
    exists,
    false,
    func,
    insert,
    null,
    select,
)

from omnicontract.validators import normalize
from omnicontract.validators.normalize import PhoneItem, normalize_phone_batches, phone_work

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import TableClause

    from omnicontract.validators.engines.duckdb import DuckDBEngine

CACHE = "phone_e164"
ITEM = ("text", "reg", "intl")
# Above this many new items, those of the plain layouts are normalized in SQL: below, the
# SQL's fixed cost (the metadata read, two small queries) is more than libphonenumber's.
SQL_THRESHOLD = 20_000


class PhoneLookups:
    """The run's normalized numbers, and the per-feed lookups built from them."""

    def __init__(self, engine: DuckDBEngine):
        self.engine = engine
        self._cache: TableClause | None = None

    def _cache_table(self) -> TableClause:
        if self._cache is None:
            empty = select(
                cast(null(), String()).label("text"),
                cast(null(), String()).label("reg"),
                cast(null(), Boolean()).label("intl"),
                cast(null(), String()).label("e164"),
            ).where(false())
            self._cache = self.engine.create_table(CACHE, empty)
        return self._cache

    def build(
        self, name: str, source: TableClause, src: str, region: str | None, international: bool
    ) -> TableClause:
        """Create and return table ``name`` (raw, e164) for the distinct non-null values of
        ``source.src``."""
        eng, cache = self.engine, self._cache_table()
        distinct = (
            select(cast(column(src), String()).label("raw"))
            .select_from(source)
            .where(column(src).is_not(None))
            .distinct()
            .subquery()
        )
        item = phone_work(distinct.c.raw, region, international)
        work = eng.create_table(
            f"{name}_work",
            select(distinct.c.raw, *(e.label(k) for e, k in zip(item, ITEM, strict=True))),
        )

        def same(a: Any, b: Any) -> Any:
            return and_(*(a.c[k] == b.c[k] for k in ITEM))

        new = (
            select(*(work.c[k] for k in ITEM))
            .where(~exists().where(same(cache, work)))
            .distinct()
            .subquery()
        )
        size = normalize.BATCH
        # few new items (the common case): one query; many: the plain ones normalized in
        # SQL, the others numbered, then read in batches. The first read stops one item
        # past the smaller bound; past a batch, a bounded count tells whether there are
        # more than the threshold.
        items = select(*(new.c[k] for k in ITEM))
        first = eng.fetch(items.limit(min(size, SQL_THRESHOLD) + 1))
        many = len(first) > SQL_THRESHOLD
        if not many and len(first) > size:
            capped = items.limit(SQL_THRESHOLD + 1).subquery()
            many = eng.fetch(select(func.count()).select_from(capped))[0][0] > SQL_THRESHOLD
        if many:
            self._store_plain(name, new)
            first = eng.fetch(items.limit(size + 1))
        if len(first) <= size:
            normalize_phone_batches([first] if first else [], self._store, len(first))
        else:
            numbered = (func.row_number().over() - 1).label("i")
            todo = eng.create_table(f"{name}_todo", select(numbered, *(new.c[k] for k in ITEM)))
            total = int(eng.fetch(select(func.count()).select_from(todo))[0][0])

            def batches() -> Any:
                for start in range(0, total, size):
                    yield eng.fetch(
                        select(*(todo.c[k] for k in ITEM)).where(
                            todo.c.i >= start, todo.c.i < start + size
                        )
                    )

            normalize_phone_batches(batches(), self._store, total)
            eng.drop(todo.name)
        lookup = eng.create_table(
            name,
            select(work.c.raw, cache.c.e164).select_from(work.join(cache, same(cache, work))),
        )
        eng.drop(work.name)
        return lookup

    def _store_plain(self, name: str, new: Any) -> None:
        """Normalize in SQL the new items of the plain layouts (``phone_sql``), so only
        the others are read back into Python."""
        from omnicontract.validators.phone_sql import normalize_plain

        stmt, tables = normalize_plain(self.engine, new, name)
        self.engine.run(insert(self._cache_table()).from_select([*ITEM, "e164"], stmt))
        for t in tables:
            self.engine.drop(t)

    def _store(self, batch: list[PhoneItem], results: list[str | None]) -> None:
        """Add normalized items to the run's table."""
        columns = [*(list(v) for v in zip(*batch, strict=True)), results]
        types = [String(), String(), Boolean(), String()]
        arrays = [
            func.unnest(cast(bindparam(f"v{i}", values, type_=ARRAY(t)), ARRAY(t)))
            for i, (values, t) in enumerate(zip(columns, types, strict=True))
        ]
        self.engine.run(insert(self._cache_table()).from_select([*ITEM, "e164"], select(*arrays)))
