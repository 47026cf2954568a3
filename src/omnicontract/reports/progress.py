"""Progress on a terminal while feeds are read (stderr only, never in reports)."""

from __future__ import annotations


class TerminalProgress:
    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]validating[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self._task = None
        self._progress.start()

    def update(self, label: str, step: int, total: int) -> None:
        if self._task is None:
            self._task = self._progress.add_task(label, total=total)
        self._progress.update(self._task, completed=step - 1, description=label)

    def close(self) -> None:
        self._progress.stop()
