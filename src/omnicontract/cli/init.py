from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from omnicontract.cli.common import debug_option, handle_errors
from omnicontract.errors import UsageError


def _scaffold(name: str) -> str:
    return (
        resources.files("omnicontract.data").joinpath("scaffold", name).read_text(encoding="utf-8")
    )


@click.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", default=None, help="Project name [default: the folder name].")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@debug_option
@handle_errors
def init(directory: Path, name: str | None, force: bool, debug: bool) -> None:
    """Create a project in DIRECTORY: the canonical contracts, an example CRM channel
    and a small export, ready for `omnicontract validate DIRECTORY`."""
    from omnicontract.contracts.loader import builtin_contracts_dir

    name = name or directory.resolve().name or "customer-data"
    planned = {
        directory / "omnicontract.yaml": _scaffold("omnicontract.yaml").replace("{name}", name),
        directory / "channels" / "crm.yaml": _scaffold("crm.yaml"),
        directory / "exports" / "crm" / "customers.csv": _scaffold("customers.csv"),
    }
    for contract in sorted(builtin_contracts_dir().glob("*.yaml")):
        planned[directory / "contracts" / contract.name] = contract.read_text(encoding="utf-8")
    existing = [p for p in planned if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{existing[0]} already exists",
            hint="use --force to overwrite, or choose another directory",
        )
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Created project '{name}' in {directory}:")
    for path in planned:
        click.echo(f"  {path}")
    click.echo(f"\nNext: omnicontract validate {directory}")
