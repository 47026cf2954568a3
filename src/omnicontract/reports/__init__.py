"""Reports render a RunResult; they never run a check. One module per format."""

from __future__ import annotations

import importlib

from omnicontract.validators.result import RunResult

FORMATS = {"console": "omnicontract.reports.console", "json": "omnicontract.reports.json"}


def render(fmt: str, result: RunResult, *, color: bool = False) -> str:
    module = importlib.import_module(FORMATS[fmt])
    return module.render(result, color=color)
