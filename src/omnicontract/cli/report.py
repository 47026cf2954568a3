"""``omnicontract report``: render any report from a stored run, without reading data."""

from __future__ import annotations

from pathlib import Path

import click

from omnicontract.cli.common import (
    color_option,
    debug_option,
    handle_errors,
    terminal_width,
    use_color,
)
from omnicontract.cli.history import history_url_option, project_store
from omnicontract.files import write_atomic


@click.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--run",
    "run",
    default="latest",
    show_default=True,
    metavar="latest|ID",
    help="Stored run to render (ids: 'omnicontract history').",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:PATH",
    help="Write a report file, e.g. json:out/findings.json (repeatable; the format is "
    "inferred from a known suffix).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["console", "json", "junit", "markdown", "html"]),
    default=None,
    help="Print the run in this format [default: console, unless --report is given].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the printed report to this file instead of standard output.",
)
@history_url_option
@color_option
@debug_option
@handle_errors
def report(
    project: Path,
    run: str,
    reports: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    history_url: str | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Render reports of a run of PROJECT recorded by 'omnicontract validate' (the
    latest by default). Exit code 0, or 2 when no such run is stored.
    """
    from omnicontract.history import HistoryError
    from omnicontract.reports import check_report_targets, render, write_reports

    check_report_targets(list(reports), output)  # before the store is opened
    name, store = project_store(project, history_url)
    with store:
        try:
            if not store.exists():
                raise LookupError(run)
            result = store.open().load(run, project=name)
        except LookupError:
            what = "no run" if run == "latest" else f"no run {run}"
            raise HistoryError(
                f"{what} of project '{name}' is recorded in {store.display_url}",
                hint="'omnicontract validate' records every run"
                if run == "latest"
                else "'omnicontract history' lists the recorded runs",
            ) from None
    if reports:
        for path in write_reports(result, list(reports)):
            click.echo(f"run {result.run_id} ({result.started_at}): wrote {path}", err=True)
        if fmt is None and output is None:
            return
    to_terminal = output is None
    text = render(
        fmt or "console",
        result,
        color=to_terminal and use_color(no_color),
        width=terminal_width() if to_terminal else None,
    )
    if output is not None:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
