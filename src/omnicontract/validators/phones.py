"""Phone lookups on the DuckDB engine: raw value -> E.164, for one phone field of a feed.

The distinct raw values stay in DuckDB. Each becomes a work item in SQL (see
``normalize.phone_work``); the items no earlier feed of the run has normalized are read
back in batches, normalized on every core, and stored in a table shared by the run, so a
number written alike in several feeds is normalized once. Python never holds more than a
few batches, whatever the number of distinct values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import literal_column, select, table

from omnicontract.validators.normalize import BATCH, PhoneItem, normalize_phone_batches, phone_work

if TYPE_CHECKING:
    import duckdb

CACHE = "phone_e164"


class PhoneLookups:
    """The run's normalized numbers, and the lookups built from them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, dialect: Any):
        self.con = con
        self.dialect = dialect
        self._created = False

    def _sql(self, stmt: Any) -> str:
        return str(stmt.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))

    def build(
        self, name: str, source: str, column: str, region: str | None, international: bool
    ) -> None:
        """Create table ``name`` (raw, e164) for the distinct non-null values of
        ``source.column``."""
        if not self._created:
            self.con.execute(
                f"CREATE TEMP TABLE {CACHE} (text VARCHAR, reg VARCHAR, intl BOOLEAN, e164 VARCHAR)"
            )
            self._created = True
        raw = literal_column(f'CAST("{column}" AS VARCHAR)')
        work, todo = f"{name}_work", f"{name}_todo"
        distinct = (
            select(raw.label("raw"))
            .select_from(table(source))
            .where(literal_column(f'"{column}"').is_not(None))
            .distinct()
            .subquery()
        )
        items = phone_work(literal_column("raw"), region, international)
        stmt = select(
            literal_column("raw"),
            items[0].label("text"),
            items[1].label("reg"),
            items[2].label("intl"),
        ).select_from(distinct)
        self.con.execute(f"CREATE TEMP TABLE {work} AS {self._sql(stmt)}")
        self.con.execute(
            f"CREATE TEMP TABLE {todo} AS SELECT row_number() OVER () - 1 AS i, text, reg, intl "
            f"FROM (SELECT DISTINCT text, reg, intl FROM {work} w WHERE NOT EXISTS "
            f"(SELECT 1 FROM {CACHE} c WHERE c.text = w.text AND c.reg = w.reg "
            f"AND c.intl = w.intl))"
        )
        total = int(self.con.execute(f"SELECT count(*) FROM {todo}").fetchone()[0])  # type: ignore[index]

        def batches() -> Any:
            for start in range(0, total, BATCH):
                yield self.con.execute(
                    f"SELECT text, reg, intl FROM {todo} WHERE i >= ? AND i < ?",
                    [start, start + BATCH],
                ).fetchall()

        def store(batch: list[PhoneItem], results: list[str | None]) -> None:
            self.con.execute(
                f"INSERT INTO {CACHE} SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::BOOLEAN[]), unnest(?::VARCHAR[])",
                [[b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch], results],
            )

        normalize_phone_batches(batches(), store, total)
        self.con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT w.raw, c.e164 FROM {work} w JOIN {CACHE} c "
            "ON c.text = w.text AND c.reg = w.reg AND c.intl = w.intl"
        )
        self.con.execute(f"DROP TABLE {work}")
        self.con.execute(f"DROP TABLE {todo}")
