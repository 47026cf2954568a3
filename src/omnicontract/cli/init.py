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


SCHEMAS = "schemas"


def _with_schema(text: str, kind: str, up: str) -> str:
    """``text`` with a first line telling YAML editors (yaml-language-server: VS Code,
    Neovim, JetBrains) which JSON Schema the file follows, by a path relative to it."""
    line = f"# yaml-language-server: $schema={up}{SCHEMAS}/{kind}.schema.json\n"
    return line + text


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
    from omnicontract.contracts.schema import schema_path

    name = name or directory.resolve().name or "customer-data"
    planned = {
        directory / "omnicontract.yaml": _with_schema(
            _scaffold("omnicontract.yaml").replace("{name}", name), "project", ""
        ),
        directory / "channels" / "crm.yaml": _with_schema(_scaffold("crm.yaml"), "channel", "../"),
        directory / "exports" / "crm" / "customers.csv": _scaffold("customers.csv"),
    }
    for contract in sorted(builtin_contracts_dir().glob("*.yaml")):
        text = contract.read_text(encoding="utf-8")
        planned[directory / "contracts" / contract.name] = _with_schema(text, "entity", "../")
    for kind in ("project", "channel", "entity"):  # for editors: completion and checking
        planned[directory / SCHEMAS / f"{kind}.schema.json"] = schema_path(kind).read_text(
            encoding="utf-8"
        )
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
