from __future__ import annotations

from pathlib import Path

import click

from omnicontract.cli.common import debug_option, handle_errors
from omnicontract.files import write_atomic


@click.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--entity",
    "-e",
    required=True,
    help="Canonical entity the export supplies (interaction, customer, ...).",
)
@click.option(
    "--channel", "-c", default=None, help="Channel name [default: guessed from the path]."
)
@click.option(
    "--project",
    "-p",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Project folder: its contracts, default time zone and phone region, and the base "
    "of the source path [default: the nearest folder above FILE with an omnicontract.yaml].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the binding to this file instead of standard output.",
)
@debug_option
@handle_errors
def infer(
    file: Path,
    entity: str,
    channel: str | None,
    project: Path | None,
    output: Path | None,
    debug: bool,
) -> None:
    """Draft a channel binding from a sample export FILE (csv, json, jsonl, parquet).

    Detects the format, encoding (Windows-1252 and Latin-1 told apart), delimiter and
    header, date formats (12-hour clocks, epoch numbers, a date and a time in two
    columns) and time zones, phone regions, e-mails, national and tax documents,
    durations, consent and opt-out flags, the column for each canonical field (by names
    in Portuguese, Spanish and English, by content, and the primary key by uniqueness)
    and value maps for enum fields; a value it cannot place is never mapped. Every
    uncertain choice carries a `# UNSURE:` comment saying what to check, what is left to
    decide a `# TODO`, and every column left unmapped and every canonical field not found
    is listed with its reason; a summary goes to standard error.
    """
    from omnicontract.infer import infer_binding

    drafted = infer_binding(file, entity, channel=channel, project=project)
    if output is None:
        click.echo(drafted.text, nl=False)
    else:
        write_atomic(output, drafted.text)
        click.echo(f"wrote {output}", err=True)
    click.echo(drafted.summary(), err=True)
