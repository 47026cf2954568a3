from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from omnicontract.cli.common import (
    allow_path_option,
    color_option,
    debug_option,
    ends_start_up_itself,
    handle_errors,
    start_up_over,
    terminal_width,
    use_color,
)
from omnicontract.cli.history import history_url_option
from omnicontract.files import write_atomic
from omnicontract.validators.engines import ENGINES

SEVERITIES = ["error", "warning", "info"]


def parse_as_of(value: str | None) -> datetime | None:
    """An ISO-8601 date or time; without an offset it is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not an ISO-8601 date or time (e.g. 2024-12-31T23:59:59Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["console", "json", "junit", "markdown", "html"]),
    default="console",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT:PATH",
    help="Also write a report file, e.g. json:out/findings.json (repeatable; the format is "
    "inferred from a known suffix).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Lowest severity that makes the exit code 1 [default: the project's policy, else error].",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="NAME",
    help="Validate only this channel (repeatable). The feeds its checks need are read "
    "too (the customer master, consent logs, the channels it links to or shares case ids "
    "with), and their findings left out; the hour profiles of OC-TIM-001 compare it with "
    "those channels only.",
)
@click.option(
    "--sample-size",
    type=click.IntRange(0, 100),
    default=None,
    help="Failing values shown per finding [default: the project's policy, 5].",
)
@click.option(
    "--show-pii", is_flag=True, help="Show samples of fields marked pii unmasked. Off by default."
)
@click.option(
    "--memory-limit",
    default=None,
    metavar="SIZE",
    help="Memory the engine may use before spilling to disk, e.g. 1GB.",
)
@click.option(
    "--per-feed",
    is_flag=True,
    help="Check each feed on its own only; skip the cross-channel checks.",
)
@click.option(
    "--no-history",
    is_flag=True,
    help="Do not record this run in the project's run history (runs limited with --channel "
    "or --per-feed are never recorded).",
)
@click.option(
    "--engine",
    type=click.Choice([*ENGINES, "gx"]),
    default="duckdb",
    show_default=True,
    help="Where the checks run: DuckDB, in this process; spark, as Spark jobs (pip install "
    "'omnicontract[spark]'; see --spark-master); gx, the field checks of each feed through "
    "Great Expectations (pip install 'omnicontract[gx]'; holds each feed in memory).",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    envvar="OMNICONTRACT_SPARK_MASTER",
    help="With --engine spark: local[N], a cluster master URL (spark://, yarn, k8s://) or a "
    "Spark Connect URL (sc://host:15002) [default: the active session, else local[2]].",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="TIME",
    callback=lambda _ctx, _p, v: parse_as_of(v),
    help="The moment the exports represent (ISO-8601, e.g. 2024-12-31T23:59:59Z; no offset "
    "means UTC): 'now' for future timestamps, freshness, volume and consent [default: the "
    "project's policy.as_of, else the time of the run].",
)
@history_url_option
@allow_path_option
@click.option(
    "--server",
    metavar="NAME",
    help="With an ODCS contract as PROJECT: the server of its servers: to read [default: the "
    "first that can be read here, type local].",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line; no progress.")
@color_option
@debug_option
@handle_errors
@ends_start_up_itself
def validate(
    project: Path,
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    fail_on: str | None,
    channels: tuple[str, ...],
    sample_size: int | None,
    show_pii: bool,
    memory_limit: str | None,
    per_feed: bool,
    no_history: bool,
    engine: str,
    as_of: datetime | None,
    spark_master: str | None,
    history_url: str | None,
    allow_paths: tuple[Path, ...],
    server: str | None,
    quiet: bool,
    no_color: bool,
    debug: bool,
) -> None:
    """Validate every channel feed of PROJECT (a folder or its omnicontract.yaml), or the
    data an ODCS contract's server holds (PROJECT: the contract file).

    Exit code 0 when no finding reaches --fail-on, 1 when one does, 2 when the
    project cannot be run.
    """
    from omnicontract import api
    from omnicontract.cli import history
    from omnicontract.cli import main as entry
    from omnicontract.reports import check_report_targets, render, write_reports
    from omnicontract.reports.progress import wanted

    check_report_targets(list(reports), output)  # before any data is read
    loaded = api.load_project(project, allow_paths=allow_paths, server=server)
    store = history.open_for_run(loaded, no_history, history_url)
    progress = None
    if wanted(quiet):
        from omnicontract.reports.progress import TerminalProgress

        progress = TerminalProgress(color=use_color(no_color, sys.stderr))
    start_up_over()
    try:
        result = api.validate(
            loaded,
            channels=channels or None,
            fail_on=fail_on,
            sample_size=sample_size,
            show_pii=show_pii,
            memory_limit=memory_limit,
            cross_channel=not per_feed,
            progress=progress.update if progress else None,
            feed_history=history.feed_history(store, loaded.name),
            engine=engine,
            as_of=as_of,
            spark_master=spark_master,
            process_ends=entry.process_ends,
        )
    finally:
        if progress:
            progress.close()
    recorded = history.record_run(store, result, partial=bool(channels) or per_feed)
    try:
        if reports:
            write_reports(result, list(reports))
        if quiet and fmt == "console":
            from omnicontract.reports.console import verdict_line

            text = verdict_line(result) + "\n"
        else:
            to_terminal = output is None
            text = render(
                fmt,
                result,
                color=to_terminal and use_color(no_color),
                width=terminal_width() if to_terminal else None,
            )
        if output is not None:
            write_atomic(output, text)
    except BaseException:
        history.forget_run(store, recorded)  # a run that could not report is not recorded
        raise
    if output is not None:
        if not quiet:
            from omnicontract.reports.console import verdict_line

            click.echo(verdict_line(result), err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(result.exit_code)
