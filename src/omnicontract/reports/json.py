"""JSON report: the whole result object, stable keys, for machines."""

from __future__ import annotations

import json

from omnicontract.validators.result import RunResult


def render(result: RunResult, *, color: bool = False) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
