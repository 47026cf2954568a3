from __future__ import annotations

import sys
from pathlib import Path

import click

from omnicontract.cli.common import color_option, debug_option, handle_errors, use_color
from omnicontract.files import write_atomic


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["console", "json", "markdown"]),
    default="console",
    show_default=True,
    help="markdown suits a pull-request comment.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@color_option
@debug_option
@handle_errors
def diff(old: str, new: str, fmt: str, output: Path | None, no_color: bool, debug: bool) -> None:
    """Classify the changes from OLD to NEW as breaking or not, and suggest the version bump.

    OLD and NEW are two versions of one entity contract or one channel binding: file
    paths, or git:REV:PATH for the file in a git revision (git:main:contracts/customer.yaml,
    PATH from the repository root). A file missing on one side is added or removed.

    With a project folder as NEW, every contract and binding of the project is compared
    with OLD: another folder, or git:REV for the same folder in a git revision
    (omnicontract diff git:main .). The rules are in docs/diff.md.

    Exit codes: 0 no breaking change, 1 breaking changes, 2 could not run (unreadable or
    malformed file, two different kinds or entities).
    """
    from omnicontract.contracts.compare import diff as run_diff
    from omnicontract.contracts.project_diff import diff_projects, is_project_spec
    from omnicontract.reports.diff import render, verdict

    result = diff_projects(old, new) if is_project_spec(old, new) else run_diff(old, new)
    color = output is None and fmt == "console" and use_color(no_color)
    text = render(fmt, result, color=color)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(verdict(result), err=True)
    sys.exit(result.exit_code)
