"""``omnicontract history``: the recorded runs of a project, and how each channel moved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from omnicontract.cli.common import debug_option, handle_errors, terminal_width

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


def _grid(rows: list[list[str]], left: int) -> list[str]:
    """Aligned columns: the first ``left`` left-aligned, the rest (figures) right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i < left or n == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for n, row in enumerate(rows)
    ]


def render_table(
    runs: list[dict[str, Any]], previous: list[dict[str, Any] | None], width: int | None = None
) -> str:
    """One row per run. When the channels do not fit in ``width`` columns, the run's
    figures come first and the channels follow in blocks that fit, each led by the run id:
    a line never wraps, so a figure is never split."""
    channels = sorted({ch for r in runs for ch in r["channels"]})
    befores = [prev or {"readiness": None, "channels": {}} for prev in previous]
    head = ["run", "started (UTC)", "verdict", "readiness"]
    tail = ["errors", "warnings"]
    fixed = [
        [
            run["run_id"],
            run["started_at"][:16].replace("T", " "),
            "pass" if run["passed"] else "FAIL",
            _delta(run["readiness"], before["readiness"]),
        ]
        for run, before in zip(runs, befores, strict=True)
    ]
    counts = [[str(r["findings"]["error"]), str(r["findings"]["warning"])] for r in runs]
    per_channel = {
        ch: [
            _delta(run["channels"].get(ch), before["channels"].get(ch))
            if ch in run["channels"]
            else "-"
            for run, before in zip(runs, befores, strict=True)
        ]
        for ch in channels
    }
    whole = [[*head, *channels, *tail]] + [
        [*f, *(per_channel[ch][i] for ch in channels), *c]
        for i, (f, c) in enumerate(zip(fixed, counts, strict=True))
    ]
    lines = _grid(whole, 3)
    if width is None or max(len(line) for line in lines) <= width:
        return "\n".join(lines) + "\n"
    out = _grid([[*head, *tail]] + [[*f, *c] for f, c in zip(fixed, counts, strict=True)], 3)

    def block_grid(names: list[str]) -> list[str]:
        rows = [[r["run_id"], *(per_channel[c][i] for c in names)] for i, r in enumerate(runs)]
        return _grid([["run", *names], *rows], 1)

    blocks: list[list[str]] = [[]]
    for ch in channels:
        trial = [*blocks[-1], ch]
        if blocks[-1] and max(len(line) for line in block_grid(trial)) > width:
            blocks.append([ch])
        else:
            blocks[-1] = trial
    for names in blocks:
        out += ["", *block_grid(names)]
    return "\n".join(out) + "\n"


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
    click.echo(render_table(shown, previous, width=terminal_width()), nl=False)


# ---------------------------------------------------------------- used by validate


def _unreachable(exc: Exception, required: bool) -> None:
    """A store that cannot be reached: an error when the project requires the history,
    else a warning naming the store (its URL redacted), and the run goes on."""
    if required:
        raise exc
    click.echo(f"warning: this run is not recorded: {exc}", err=True)


def open_for_run(loaded: Any, no_history: bool, history_url: str | None) -> Any:
    """The opened store a ``validate`` run records into, or None (``--no-history``, or
    ``history.enabled: false`` without an explicit ``--history-url``, or a store that
    cannot be reached and is not required). Opened before any data is read, so a bad
    URL is known at once."""
    from omnicontract.history import HistoryError, store_for

    settings = loaded.settings.history
    if no_history or not (settings.enabled or history_url):
        return None
    try:
        store = store_for(loaded.root, url=history_url, configured=settings.url, keep=settings.keep)
        store.open()
    except HistoryError as exc:
        _unreachable(exc, settings.required)
        return None
    store.required = settings.required
    return store


def feed_history(store: Any, project: str) -> Callable[[str, str], list[int]] | None:
    """A feed's row counts in recent runs, most recent first (the volume check's input)."""
    if store is None:
        return None

    def counts(channel: str, feed: str) -> list[int]:
        from omnicontract.history import HistoryError

        try:
            past = store.feed_history(project, channel, feed, limit=100)
        except HistoryError:
            return []  # the store went away: record_run says so
        return [p["rows"] for p in reversed(past) if p["rows"] is not None]

    return counts


def record_run(store: Any, result: Any, *, partial: bool = False) -> str | None:
    """Record the run and fill its trend (the runs before it) and its changes since the
    previous run, for the reports; return the run id, or None when not recorded. A partial
    run (some channels only, or without the cross-channel checks) is not recorded, and
    not compared: the history compares whole runs with whole runs. It still gets the
    trend for its reports."""
    from omnicontract.history import HistoryError

    if store is None:
        return None
    with store:
        try:
            if partial:
                result.trend = store.trend(result.project)
                return None
            store.record(result)
            store.attach_history(result)
        except HistoryError as exc:
            result.run_id = None
            _unreachable(exc, store.required)
            return None
    return result.run_id


def forget_run(store: Any, run_id: str | None) -> None:
    """Take back a recorded run whose reports could not be written (it exits 2)."""
    if store is None or run_id is None:
        return
    from omnicontract.history import HistoryError

    with store:
        try:
            store.forget(run_id)
        except HistoryError as exc:
            _unreachable(exc, False)
