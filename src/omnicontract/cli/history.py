"""``omnicontract history``: the recorded runs of a project, and how each channel moved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from omnicontract.cli.common import debug_option, handle_errors

HISTORY_URL_HELP = (
    "Run store (SQLAlchemy URL; ${ENV_VAR} in the password is expanded) "
    "[default: $OMNICONTRACT_HISTORY_URL, else history.url of the project, else .omnicontract/history.db in the project]."
)


def history_url_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--history-url", metavar="URL", default=None, help=HISTORY_URL_HELP)(func)


def project_store(project: Path, history_url: str | None) -> tuple[str, Any]:
    """The project's name and its (not yet opened) store, from the project file alone:
    reading the history needs neither the contracts nor the data."""
    from omnicontract.contracts.loader import find_project_file, load_yaml, parse_model
    from omnicontract.contracts.model import ProjectFile
    from omnicontract.history import store_for

    project_file = find_project_file(Path(project))
    settings: ProjectFile = parse_model(load_yaml(project_file), ProjectFile)
    store = store_for(
        project_file.parent,
        url=history_url,
        configured=settings.history.url,
        keep=settings.history.keep,
    )
    return settings.project, store


def _delta(now: float | None, before: float | None) -> str:
    if now is None:
        return "-"
    if before is None or round(now - before, 1) == 0:
        return f"{now:.1f}"
    return f"{now:.1f} {now - before:+.1f}"


def _changes(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each run (newest first) with its change since the run after it in the list."""
    out = []
    for i, run in enumerate(runs):
        prev = runs[i + 1] if i + 1 < len(runs) else None
        change: dict[str, Any] = {"readiness": None, "channels": {}}
        if prev is not None:
            if run["readiness"] is not None and prev["readiness"] is not None:
                change["readiness"] = round(run["readiness"] - prev["readiness"], 1)
            for ch, score in run["channels"].items():
                old = prev["channels"].get(ch)
                if score is not None and old is not None:
                    change["channels"][ch] = round(score - old, 1)
        out.append({**run, "change": change})
    return out


def render_table(runs: list[dict[str, Any]], previous: list[dict[str, Any] | None]) -> str:
    channels = sorted({ch for r in runs for ch in r["channels"]})
    header = ["run", "started (UTC)", "verdict", "readiness", *channels, "errors", "warnings"]
    rows = [header]
    for run, prev in zip(runs, previous, strict=True):
        before = prev or {"readiness": None, "channels": {}}
        rows.append(
            [
                run["run_id"],
                run["started_at"][:16].replace("T", " "),
                "pass" if run["passed"] else "FAIL",
                _delta(run["readiness"], before["readiness"]),
                *[
                    _delta(run["channels"].get(ch), before["channels"].get(ch))
                    if ch in run["channels"]
                    else "-"
                    for ch in channels
                ],
                str(run["findings"]["error"]),
                str(run["findings"]["warning"]),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 3 or n == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--limit", type=click.IntRange(1, 10000), default=20, show_default=True, help="Runs shown."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["console", "json"]),
    default="console",
    show_default=True,
    help="Output format.",
)
@history_url_option
@debug_option
@handle_errors
def history(project: Path, limit: int, fmt: str, history_url: str | None, debug: bool) -> None:
    """List the recorded runs of PROJECT, newest first: verdict, readiness overall and
    per channel with the change since the run before, and error and warning counts."""
    name, store = project_store(project, history_url)
    with store:
        runs = store.open().list_runs(name, limit=limit + 1) if store.exists() else []
    shown = runs[:limit]
    if fmt == "json":
        click.echo(json.dumps(_changes(runs)[:limit], indent=2, ensure_ascii=False))
        return
    if not shown:
        click.echo(
            f"no run of project '{name}' is recorded in {store.display_url}\n"
            "  hint: 'omnicontract validate' records every run",
            err=True,
        )
        return
    previous = [runs[i + 1] if i + 1 < len(runs) else None for i in range(len(shown))]
    click.echo(render_table(shown, previous), nl=False)


# ---------------------------------------------------------------- used by validate


def open_for_run(loaded: Any, no_history: bool, history_url: str | None) -> Any:
    """The opened store a ``validate`` run records into, or None (``--no-history``, or
    ``history.enabled: false`` without an explicit ``--history-url``). Opened before any
    data is read, so a bad URL fails fast."""
    from omnicontract.history import store_for

    settings = loaded.settings.history
    if no_history or not (settings.enabled or history_url):
        return None
    store = store_for(loaded.root, url=history_url, configured=settings.url, keep=settings.keep)
    return store.open()


def feed_history(store: Any, project: str) -> Callable[[str, str], list[int]] | None:
    """A feed's row counts in recent runs, most recent first (the volume check's input)."""
    if store is None:
        return None

    def counts(channel: str, feed: str) -> list[int]:
        past = store.feed_history(project, channel, feed, limit=100)
        return [p["rows"] for p in reversed(past) if p["rows"] is not None]

    return counts


def record_run(store: Any, result: Any, *, partial: bool = False) -> None:
    """Record the run and fill its trend (the runs before it) for the reports. A partial
    run (some channels only, or without the cross-channel checks) is not recorded: the
    history compares whole runs with whole runs. It still gets the trend for its reports."""
    if store is None:
        return
    with store:
        if partial:
            result.trend = store.trend(result.project)
            return
        store.record(result)
        result.trend = store.trend(result.project, before=result.run_id)
