"""Shared CLI plumbing: error handling, output files, common options."""

from __future__ import annotations

import functools
import gc
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from omnicontract.errors import OmnicontractError
from omnicontract.redact import clip, redact


def start_up_over() -> None:
    """The command has imported what it needs and loaded the project: turn the cyclic
    collector back on for the work that follows (``main`` turned it off), and keep it
    from walking what start-up built, which lives to the end of the process anyway
    (``gc.freeze``). Nothing changes where the collector was left on (the command
    invoked other than through ``main``, as from click's test runner)."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()


def debug_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(func)


def allow_path_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--allow-path",
        "allow_paths",
        multiple=True,
        metavar="FOLDER",
        type=click.Path(file_okay=False, path_type=Path),
        help="Let sources and contract globs read this folder outside the project "
        "(repeatable; named in the run header). Everything else outside is refused.",
    )(func)


def print_traceback() -> None:
    """The current traceback on standard error (``--debug``), credentials hidden."""
    click.echo(redact(traceback.format_exc()), err=True, nl=False)


def ends_start_up_itself(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a command that calls ``start_up_over`` itself, once its project is loaded
    (below ``handle_errors``). Other commands end start-up when their body begins, so
    their own work (inferring a large file, say) runs with the collector on."""
    func.ends_start_up_itself = True  # type: ignore[attr-defined]
    return func


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear message and exit code 2."""
    ends_itself = getattr(func, "ends_start_up_itself", False)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        if not ends_itself:
            start_up_over()
        try:
            return func(*args, **kwargs)
        except OmnicontractError as exc:
            if debug:
                print_traceback()
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if debug:
                print_traceback()
            else:
                click.echo(
                    f"error: unexpected {type(exc).__name__}: {clip(redact(str(exc)), 300)}\n"
                    "  hint: rerun with --debug for the traceback, and report it if it persists",
                    err=True,
                )
            sys.exit(2)

    return wrapper


def color_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-color",
        is_flag=True,
        help="Plain text, no colours (also when $NO_COLOR is set or output is not a terminal).",
    )(func)


def use_color(no_color: bool, stream: Any = None) -> bool:
    """Colour only on a terminal, and never with --no-color or $NO_COLOR (no-color.org)."""
    stream = sys.stdout if stream is None else stream
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def terminal_width(stream: Any = None) -> int | None:
    """The width to lay a console report out in: the terminal's when writing to one,
    else $COLUMNS when set, else None (the report's default width)."""
    import shutil

    stream = sys.stdout if stream is None else stream
    if getattr(stream, "isatty", lambda: False)():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None
