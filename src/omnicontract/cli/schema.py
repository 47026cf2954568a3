from __future__ import annotations

import json

import click


@click.command()
@click.argument("kind", type=click.Choice(["entity", "channel", "project"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a file KIND (entity contract, channel binding, project)."""
    from omnicontract.contracts.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))
