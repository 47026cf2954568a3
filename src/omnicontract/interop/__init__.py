"""Interop: the contracts exported to (and imported from) other tools' formats.

An exporter is a function ``export(contract: EntityContract, options: dict) -> str``
in its own module, registered in ``EXPORTERS`` by name; ``omnicontract export NAME``
lists and runs them. Heavy libraries (pandera, Great Expectations) are imported only
inside the exporter that needs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# name -> ("module:function", one-line description, default file suffix)
EXPORTERS: dict[str, tuple[str, str, str]] = {
    "odcs": (
        "omnicontract.interop.odcs:export",
        "Open Data Contract Standard v3.1.0 data contract",
        ".odcs.yaml",
    ),
    "gx": (
        "omnicontract.interop.gx:export",
        "Great Expectations 1.x expectation suite (JSON)",
        ".gx.json",
    ),
    "jsonschema": (
        "omnicontract.interop.jsonschema:export",
        "JSON Schema 2020-12 of a record, for API payloads",
        ".schema.json",
    ),
    "dbt": ("omnicontract.interop.dbt:export", "dbt schema.yml model with data tests", ".yml"),
    "ddl": ("omnicontract.interop.ddl:export", "SQL DDL (CREATE TABLE) for a dialect", ".sql"),
    "pandera": (
        "omnicontract.interop.pandera:export",
        "pandera DataFrameSchema as a Python module (polars or pandas)",
        ".py",
    ),
}


def exporter(name: str) -> Callable[..., str]:
    target, _desc, _suffix = EXPORTERS[name]
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def export(name: str, contract: Any, options: dict[str, Any] | None = None) -> str:
    return exporter(name)(contract, dict(options or {}))
