"""Run history: every ``validate`` run recorded in a store, for trends and later reports.

    from omnicontract.history import open_store
    with open_store(project) as store:          # the project's store, migrated if older
        store.record(result)                    # sets result.run_id
        store.trend(result.project, before=result.run_id)
        store.load("latest", project=result.project)

See docs/history.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from omnicontract.history.url import ENV_URL, HistoryError, mask, resolve

if TYPE_CHECKING:
    from omnicontract.contracts.loader import Project
    from omnicontract.history.store import HistoryStore

__all__ = ["ENV_URL", "HistoryError", "mask", "open_store", "store_for"]


def store_for(
    root: Path, *, url: str | None = None, configured: str | None = None, keep: int | None = None
) -> HistoryStore:
    """The store of the project at ``root``, not yet opened: ``url`` (a flag) wins over
    the ``OMNICONTRACT_HISTORY_URL`` environment variable, which wins over the project's
    ``history.url`` (``configured``); the default is SQLite under the project."""
    from omnicontract.history.store import HistoryStore

    chosen = url or os.environ.get(ENV_URL) or configured
    resolved, password = resolve(chosen, Path(root))
    return HistoryStore(resolved, password=password, keep=keep)


def open_store(project: Project | str | Path, url: str | None = None) -> HistoryStore:
    """Open (creating or migrating) the store of a project (loaded, or its folder)."""
    from omnicontract.contracts.loader import Project, load_project

    if not isinstance(project, Project):
        project = load_project(project)
    settings = project.settings.history
    store = store_for(project.root, url=url, configured=settings.url, keep=settings.keep)
    return store.open()
