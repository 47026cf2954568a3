"""JSON Schemas of the three file kinds, generated from the models.

The generated files are committed under ``omnicontract/schemas/`` (shipped in the
package) and a test fails when they drift from the models; regenerate them with
``python -m omnicontract.contracts.schema``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import ChannelBinding, EntityContract, ProjectFile

SCHEMA_VERSION = "1"
KINDS = {"entity": EntityContract, "channel": ChannelBinding, "project": ProjectFile}
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def json_schema(kind: str) -> dict[str, Any]:
    model = KINDS[kind]
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://omnicontract.dev/schemas/v{SCHEMA_VERSION}/{kind}.schema.json",
        **schema,
    }


def schema_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{kind}.schema.json"


def render(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_all() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        schema_path(kind).write_text(render(kind), encoding="utf-8")


if __name__ == "__main__":
    write_all()
