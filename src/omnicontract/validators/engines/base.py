"""The engine interface (see the package docstring for the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import column, table

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import Select, TableClause

    from omnicontract.validators.run import FeedRun


@dataclass(frozen=True)
class EngineOptions:
    """What a run asks of its engine; each engine honours what applies to it."""

    memory_limit: int | None = None  # bytes; already parsed and validated
    threads: int | None = None
    master: str | None = None  # where a distributed engine runs (Spark: master or sc:// URL)
    # the process ends soon after the run (the command line): what the engine holds in this
    # process's memory may be left for the process's end to discard when it closes
    process_ends: bool = False


class Engine:
    """One engine of a run. Subclasses implement every method below."""

    name: ClassVar[str]
    # whether a database feed's keys can be brought into this engine's tables in batches
    # (``append`` and list parameters); otherwise ``load_feed`` says it cannot read it
    takes_database_feeds: ClassVar[bool] = True

    def __init__(self, options: EngineOptions):
        self.options = options

    # ------------------------------------------------------------ compiling and running
    @property
    def dialect(self) -> Any:
        """The SQLAlchemy dialect statements are compiled for."""
        raise NotImplementedError

    def compile(self, stmt: Any, *, literal: bool = False) -> tuple[str, list[Any]]:
        """SQL text and positional parameters of a query-builder statement (``literal``:
        values rendered inline as escaped literals, for statements that take no parameters)."""
        kw: dict[str, Any] = {"render_postcompile": True}
        if literal:
            kw["literal_binds"] = True
        compiled = stmt.compile(dialect=self.dialect, compile_kwargs=kw)
        return str(compiled), [compiled.params[k] for k in (compiled.positiontup or [])]

    def fetch(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        """Run a query; all of its rows as tuples (queries ask for counts and capped samples)."""
        raise NotImplementedError

    def frame(self, stmt: Select[Any]) -> Any:
        """A query's rows as a pandas DataFrame (for interop that needs one, such as
        ``--engine gx``); optional."""
        raise NotImplementedError(f"the {self.name} engine cannot return a DataFrame")

    # ------------------------------------------------------------ tables of the run
    def create_table(self, name: str, stmt: Select[Any], *, keep: bool = False) -> TableClause:
        """Materialize ``stmt`` as a temporary table ``name`` and return it. ``keep``: the
        table lives to the end of the run (an engine may store it compressed)."""
        raise NotImplementedError

    def create_view(self, name: str, stmt: Select[Any]) -> TableClause:
        raise NotImplementedError

    def append(self, target: TableClause, stmt: Select[Any]) -> None:
        """Insert the rows of ``stmt`` into a table made by ``create_table`` (the key
        columns of a database feed arrive in batches this way); optional."""
        raise NotImplementedError(f"the {self.name} engine cannot take rows in batches")

    def drop_columns(self, name: str, columns: list[str]) -> None:
        """Drop columns that are no longer needed (memory); an engine may ignore it."""

    def drop(self, name: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ feeds
    def load_feed(self, feed: FeedRun) -> None:
        """Read ``feed``'s source, map it onto its entity and create its canonical table
        (``feed.view_name``, one column per canonical field, see ``validators/binding``).
        Problems with the source are OC-SRC drafts on the feed, never exceptions; on
        success set ``feed.ok``."""
        raise NotImplementedError

    def load_table(self, feed: FeedRun) -> None:
        """Like ``load_feed``, for a feed that is a table of the engine's own catalog
        (``source: {table: ...}`` without a connection). Only the Spark engine has a
        catalog; elsewhere the feed is not read, and says why (OC-SRC-002)."""
        feed.source_draft(
            "OC-SRC-002",
            f"table {feed.binding.source.table} is a table of the Spark catalog: the "
            f"{self.name} engine cannot read it; the feed was not read",
            location=str(feed.channel.feed_location(feed.index, "source", "table")),
        )
        feed.drafts[-1].hint = "Run with --engine spark, or read it through a connection:"

    def close(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ contract SQL rules
    def rule_value(self, sql: str, timeout_s: float) -> Any:
        """The single value of a contract's SQL rule (checked and rendered by
        ``contracts.sqlrule``), stopped after ``timeout_s`` (TimeoutError); optional."""
        raise NotImplementedError(f"the {self.name} engine does not run SQL rules")


def table_of(name: str, stmt: Select[Any], schema: str | None = None) -> TableClause:
    """A table clause named ``name`` with the columns ``stmt`` selects."""
    return table(name, *[column(c.key) for c in stmt.selected_columns], schema=schema)
