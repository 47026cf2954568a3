"""The ``omnicontract`` command. Subcommands are imported only when invoked, so
``omnicontract --help`` never loads DuckDB, pydantic or the checks."""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading
from typing import Any

import click

from omnicontract import __version__

# name -> (module, function, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": (
        "omnicontract.cli.validate",
        "validate",
        "Validate every channel feed against the contracts.",
    ),
    "lint": (
        "omnicontract.cli.lint",
        "lint",
        "Check the contracts and bindings without reading data.",
    ),
    "checks": ("omnicontract.cli.checks", "checks", "List every check with its code and summary."),
    "diff": (
        "omnicontract.cli.diff",
        "diff",
        "Classify the changes between two versions of a contract or binding.",
    ),
    "init": ("omnicontract.cli.init", "init", "Create a project with the canonical contracts."),
    "infer": (
        "omnicontract.cli.infer",
        "infer",
        "Draft a channel binding from a sample export, marking what to check.",
    ),
    "history": (
        "omnicontract.cli.history",
        "history",
        "List the recorded runs and how each channel's readiness moved.",
    ),
    "report": (
        "omnicontract.cli.report",
        "report",
        "Render reports of a recorded run without reading the data again.",
    ),
    "export": (
        "omnicontract.cli.export",
        "export",
        "Export an entity contract to another tool's format.",
    ),
    "import": (
        "omnicontract.cli.import_contract",
        "import_contract",
        "Turn another tool's contract (ODCS) into an entity contract.",
    ),
    "schema": (
        "omnicontract.cli.schema",
        "schema",
        "Print the JSON Schema of a project file kind.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr, _help = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="omnicontract")
def cli() -> None:
    """Data contracts and cross-channel consistency checks for customer data.

    Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
    2 could not run (bad flags, malformed contract, project not found).
    """


# The command runs as the process's entry point (``main()``), which ends the process as
# soon as the command returns: what the command holds need not be freed on the way out.
process_ends = False


def main(argv: list[str] | None = None) -> Any:
    """Run the command line ``argv`` (default: the process's own). Without ``argv`` this is
    the process's entry point, and the process ends with the command (``end_process``)."""
    global process_ends
    if argv is not None:
        return _run(argv)
    process_ends = True
    try:
        return _run(None)
    except SystemExit as exc:
        end_process(exc)
        raise


def _run(argv: list[str] | None) -> Any:
    # Start-up (the command's modules, the pydantic models, SQLAlchemy, the checks) creates
    # a few hundred thousand objects that live to the end of the process, and next to no
    # garbage: the cyclic collector would walk them all several times over, a sixth of a
    # small run's CPU time. It is off until the command's start-up is over
    # (``common.start_up_over``: when a command's body begins, or for ``validate`` once
    # the project is loaded), and on again when the command returns.
    gc.disable()
    try:
        return cli.main(args=argv, prog_name="omnicontract")
    finally:
        gc.enable()


def end_process(exc: SystemExit) -> None:
    """End the process with ``exc``'s exit code once the output is flushed and the exit
    handlers have run, without tearing down the interpreter: start-up's few hundred
    thousand objects (modules, models, SQLAlchemy's and DuckDB's state) would otherwise be
    freed one by one, a twentieth of a small run's time, for a process that is about to
    vanish anyway. What the command wrote is closed by then (report files, the history
    store); DuckDB's in-memory database is left for the process's end to discard
    (``process_ends``). Returns, and the interpreter exits the usual way, where that would
    behave differently: an exit message rather than a code, threads still running, or
    output that cannot be flushed (a closed pipe is reported as usual)."""
    code = exc.code
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
        return
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    run_exit_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
