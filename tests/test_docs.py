"""Generated references and schemas must match the code; the README must stay true."""

from __future__ import annotations

import importlib.util
import json
import re
import typing

import jsonschema
import pytest

from omnicontract.contracts.loader import load_yaml
from omnicontract.contracts.schema import KINDS, render, schema_path
from tests.conftest import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "docs" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current() -> None:
    stale = [
        p.name
        for p, text in _generator().pages().items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"regenerate with: python docs/generate.py ({stale})"


def _models_of(annotation: object, seen: dict[str, type]) -> None:
    from pydantic import BaseModel

    for arg in typing.get_args(annotation):
        _models_of(arg, seen)
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    if is_model and annotation.__name__ not in seen:
        seen[annotation.__name__] = annotation
        for info in annotation.model_fields.values():
            _models_of(info.annotation, seen)


def test_reference_lists_every_key_a_file_can_hold() -> None:
    """Every block a user can write (a consent policy, a freshness rule, a `files:` entry,
    an identity key...) has its table of keys in docs/reference.md."""
    from omnicontract.contracts import model as m

    models: dict[str, type] = {}
    for root in (m.EntityContract, m.ChannelBinding, m.ProjectFile):
        _models_of(root, models)
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    tables = [
        set(re.findall(r"^\| `(\w+)` \|", section, re.M)) for section in text.split("\n## ")[1:]
    ]
    missing = sorted(
        name for name, model in models.items() if set(model.model_fields) not in tables
    )
    assert not missing, f"docs/reference.md has no table for: {missing}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_json_schemas_are_current(kind: str) -> None:
    assert schema_path(kind).read_text(encoding="utf-8") == render(kind), (
        "regenerate with: python -m omnicontract.contracts.schema"
    )


def test_shipped_files_validate_against_the_published_schemas() -> None:
    schemas = {k: json.loads(schema_path(k).read_text()) for k in KINDS}
    files = [(p, "entity") for p in (ROOT / "contracts").glob("*.yaml")]
    for project in (ROOT / "examples").glob("*/omnicontract.yaml"):
        files.append((project, "project"))
        files += [(p, "channel") for p in (project.parent / "channels").glob("*.yaml")]
    assert files
    for path, kind in files:
        jsonschema.validate(load_yaml(path).data, schemas[kind])


def _readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```(?:bash|sh)?\n(.+?)\n```", text, re.S)
    assert match, f"README has no <!-- {marker} --> block"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = _readme_block("test-command")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines(), "'.ci/run' must run the README's test command verbatim"


def test_readme_quickstart_runs_the_bundled_example() -> None:
    command = _readme_block("quickstart")
    assert "omnicontract validate examples/retail" in command


def test_channel_schema_accepts_what_the_loader_accepts() -> None:
    from omnicontract.contracts.model import ChannelBinding

    schema = json.loads(schema_path("channel").read_text())
    doc = {
        "channel": "w",
        "feeds": [
            {
                "name": "m",
                "entity": "interaction",
                "source": {"path": "x.csv"},
                "fields": {"interaction_id": "message_id", "phone": {"column": "wa_id"}},
            }
        ],
    }
    jsonschema.validate(doc, schema)
    ChannelBinding.model_validate(doc)
    doc["feeds"][0]["fields"]["phone"] = {"colum": "wa_id"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)
