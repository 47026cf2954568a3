"""Engines: where a run's checks execute.

The model
---------
A run executes on one engine. A check states *what* to compute as SQLAlchemy Core
expressions over the tables of the run (each feed's canonical table, the identity
tables), and the engine compiles them for its dialect and runs them. Everything that
depends on an engine lives in its module: reading sources, normalizing phone numbers,
temporary tables, samples. No check holds engine text, and values from contracts,
bindings and flags reach SQL only as bound parameters or literals escaped by the dialect.

The interface (:class:`~omnicontract.validators.engines.base.Engine`)
--------------------------------------------------------------------
``Engine(options)``
    ``options.memory_limit`` (bytes, parsed before it reaches the engine) and
    ``options.threads``.
``dialect``
    The SQLAlchemy dialect statements are compiled for; ``compile(stmt)`` gives the
    SQL text and its positional parameters.
``fetch(select) -> rows``
    Run a query and return its rows (checks ask for counts and capped samples).
``create_table(name, select, keep=False) -> table``, ``create_view``, ``drop``,
``drop_columns``
    The run's temporary tables; ``keep`` marks tables that live to the end of the run.
``load_feed(feed)``
    Read a feed's source, map it (``validators/binding.py`` does the engine-neutral
    part: column resolution, OC-SRC-003/004, the mapped expressions) and create the
    feed's canonical table ``feed.view_name``. Source problems become OC-SRC drafts.
``close()``
    Release everything the run created.

Adding an engine
----------------
One new module with an ``Engine`` subclass, plus one line in :data:`ENGINES` (or, from
another package, an ``omnicontract.engines`` entry point naming the class). Engines are
imported only when a run asks for them, so ``omnicontract --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from omnicontract.errors import UsageError

if TYPE_CHECKING:
    from omnicontract.validators.engines.base import Engine

GROUP = "omnicontract.engines"

#: engine name -> "module:Class"; the first is the default.
ENGINES: dict[str, str] = {
    "duckdb": "omnicontract.validators.engines.duckdb:DuckDBEngine",
    "spark": "omnicontract.validators.engines.spark:SparkEngine",
}


def engine_names() -> list[str]:
    names = dict(ENGINES)
    for ep in entry_points(group=GROUP):
        names.setdefault(ep.name, ep.value)
    return list(names)


def engine_class(name: str) -> type[Engine]:
    """The engine class registered as ``name`` (imported on first use)."""
    target = ENGINES.get(name)
    if target is None:
        found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
        if not found:
            raise UsageError(
                f"unknown engine '{name}'", hint="engines: " + ", ".join(engine_names())
            )
        target = found[0].value
    module, _, cls = target.partition(":")
    return getattr(import_module(module), cls)  # type: ignore[no-any-return]
