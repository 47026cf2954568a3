from __future__ import annotations

import sys
from pathlib import Path

import click

from omnicontract.cli.common import debug_option, handle_errors
from omnicontract.errors import UsageError
from omnicontract.files import write_atomic
from omnicontract.words import n_of

IMPORT_FORMATS = {
    "odcs": "Open Data Contract Standard v3.0.x / v3.1 data contract",
    "dcs": "Data Contract Specification 1.x (dataContractSpecification:, models:)",
}


@click.command(name="import")
@click.argument("fmt", metavar="FORMAT")
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--entity",
    "-e",
    default=None,
    help="Schema object to import, for a file that defines several.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when the file expresses something omnicontract does not honour.",
)
@debug_option
@handle_errors
def import_contract(
    fmt: str,
    source: Path,
    entity: str | None,
    output: Path | None,
    strict: bool,
    debug: bool,
) -> None:
    """Turn another tool's contract (FORMAT: odcs, dcs) in SOURCE into an entity contract.

    Everything SOURCE expresses that omnicontract does not honour is listed on standard
    error by its place in the file (e.g. schema[0].properties[3].quality[1]); nothing
    is dropped silently. An ODCS or DCS file can also be listed directly in a project's
    `contracts:`, or validated on its own against its servers (omnicontract validate FILE).
    """
    from omnicontract.contracts.loader import parse_model
    from omnicontract.contracts.model import EntityContract
    from omnicontract.contracts.odcs_import import as_odcs, convert, to_yaml
    from omnicontract.contracts.yamlio import load_yaml

    if fmt not in IMPORT_FORMATS:
        raise UsageError(
            f"unknown import format '{fmt}'", hint="formats: " + ", ".join(sorted(IMPORT_FORMATS))
        )
    doc = as_odcs(load_yaml(source)) or load_yaml(source)
    imported = convert(doc, entity)
    parse_model(imported.positioned(doc), EntityContract)  # fails with file:line if invalid
    for note in imported.unsupported:
        click.echo(f"warning: {note}", err=True)
    text = to_yaml(imported.data)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
    if imported.unsupported:
        click.echo(
            f"{n_of(len(imported.unsupported), 'part')} of {source.name} not honoured (listed above)",
            err=True,
        )
        if strict:
            sys.exit(1)
