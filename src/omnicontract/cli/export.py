from __future__ import annotations

from pathlib import Path

import click

from omnicontract.cli.common import debug_option, handle_errors
from omnicontract.errors import UsageError
from omnicontract.files import write_atomic


def _entity(project_or_file: Path, entity: str | None):
    """An entity contract: a contract file, or one entity of a project."""
    from omnicontract import api
    from omnicontract.contracts.loader import load_contract

    if project_or_file.is_file() and project_or_file.name != "omnicontract.yaml":
        return load_contract(project_or_file).model
    project = api.load_project(project_or_file)
    if entity is None:
        if len(project.contracts) == 1:
            return next(iter(project.contracts.values())).model
        raise UsageError(
            "this project has several entities: choose one with --entity",
            hint="entities: " + ", ".join(sorted(project.contracts)),
        )
    if entity not in project.contracts:
        raise UsageError(
            f"no entity '{entity}' in this project",
            hint="entities: " + ", ".join(sorted(project.contracts)),
        )
    return project.contracts[entity].model


@click.command()
@click.argument("fmt", metavar="FORMAT")
@click.argument("source", default=".", type=click.Path(path_type=Path, exists=True))
@click.option("--entity", "-e", default=None, help="Entity to export (a project with several).")
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Exporter option (repeatable), e.g. dialect=postgresql for ddl.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@debug_option
@handle_errors
def export(
    fmt: str,
    source: Path,
    entity: str | None,
    options: tuple[str, ...],
    output: Path | None,
    debug: bool,
) -> None:
    """Export an entity contract to another tool's FORMAT.

    SOURCE is a contract file or a project folder (then pick the entity with --entity).
    FORMAT is one of the registered exporters; `omnicontract export list` shows them.
    """
    from omnicontract.interop import EXPORTERS
    from omnicontract.interop import export as run_export

    if fmt == "list":
        for name, (_target, desc, suffix) in sorted(EXPORTERS.items()):
            click.echo(f"{name:<12} {desc} (*{suffix})")
        return
    if fmt not in EXPORTERS:
        raise UsageError(
            f"unknown export format '{fmt}'", hint="formats: " + ", ".join(sorted(EXPORTERS))
        )
    parsed: dict[str, str] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option {item!r} is not KEY=VALUE")
        parsed[key] = value
    text = run_export(fmt, _entity(source, entity), parsed)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_atomic(output, text)
