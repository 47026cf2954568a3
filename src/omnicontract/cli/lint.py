from __future__ import annotations

import sys
from pathlib import Path

import click

from omnicontract.cli.common import (
    allow_path_option,
    color_option,
    debug_option,
    handle_errors,
    terminal_width,
    use_color,
)


@click.command()
@click.argument("project", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit code 1.",
)
@allow_path_option
@color_option
@debug_option
@handle_errors
def lint(
    project: Path,
    fmt: str,
    fail_on: str | None,
    allow_paths: tuple[Path, ...],
    no_color: bool,
    debug: bool,
) -> None:
    """Check PROJECT's contracts and channel bindings without reading any data.

    Malformed files exit 2 with the file and line; lint findings (OC-CON) exit 1 when
    they reach --fail-on.
    """
    from omnicontract import api
    from omnicontract.reports import render

    loaded = api.load_project(project, allow_paths=allow_paths, data=False)
    result = api.lint(loaded, fail_on=fail_on)
    text = render(fmt, result, color=use_color(no_color), width=terminal_width())
    click.echo(text, nl=False)
    sys.exit(result.exit_code)
