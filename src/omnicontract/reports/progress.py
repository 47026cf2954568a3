"""Progress on a terminal while a run works: standard error only, never in a report.

One line per stage (reading each feed, then each cross-channel check), with the step,
what is being done and the time elapsed in the stage and in the whole run. The engine
calls ``update(label, step, total)`` with ``label`` = ``"<stage> <what>"``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

STAGE_TITLES = {"feed": "reading feeds", "cross-channel": "cross-channel checks"}


def wanted(quiet: bool, stream: Any = None) -> bool:
    """Progress is shown only on a terminal, and never with --quiet."""
    stream = sys.stderr if stream is None else stream
    return not quiet and bool(getattr(stream, "isatty", lambda: False)())


class TerminalProgress:
    def __init__(self, *, color: bool = True) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._started = time.perf_counter()
        self._progress = Progress(
            TextColumn("[bold]{task.fields[stage]}[/]"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}", markup=False),
            TextColumn("[dim]run {task.fields[total_elapsed]}[/]"),
            console=Console(stderr=True, no_color=not color, highlight=False),
            transient=True,
        )
        self._tasks: dict[str, Any] = {}
        self._progress.start()

    def _elapsed(self) -> str:
        return f"{time.perf_counter() - self._started:.1f}s"

    def update(self, label: str, step: int, total: int) -> None:
        stage, _, what = label.partition(" ")
        title = STAGE_TITLES.get(stage, stage)
        for other, (task, size) in self._tasks.items():  # a stage that gave way is complete
            if other != title:
                self._progress.update(task, completed=size)
        if title not in self._tasks:
            task = self._progress.add_task(
                what, total=total, stage=title, total_elapsed=self._elapsed()
            )
            self._tasks[title] = (task, total)
        self._progress.update(
            self._tasks[title][0],
            completed=step - 1,
            description=what,
            total_elapsed=self._elapsed(),
        )
        self._progress.refresh()  # a short stage is shown too, not only the long ones

    def close(self) -> None:
        self._progress.stop()
