from __future__ import annotations

import json

import click


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option(
    "--family", default=None, metavar="PREFIX", help="Only codes starting with this, e.g. OC-FLD."
)
def checks(fmt: str, family: str | None) -> None:
    """List every check: code, name, default severity and summary."""
    from omnicontract.reports.catalogue import catalogue_markdown, catalogue_rows

    rows = catalogue_rows(family)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(catalogue_markdown(family), nl=False)
    else:
        width = max(len(r["name"]) for r in rows) if rows else 4
        for r in rows:
            click.echo(f"{r['code']}  {r['name']:<{width}}  {r['severity']:<7}  {r['summary']}")
