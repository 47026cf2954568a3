from __future__ import annotations

import json
from pathlib import Path

import omnicontract
from omnicontract.validators.result import result_from_dict
from tests.conftest import FIXED_NOW, ROOT


def test_json_document_round_trips() -> None:
    result = omnicontract.validate(ROOT / "examples" / "retail", now=FIXED_NOW)
    doc = json.loads(json.dumps(result.to_dict()))
    again = result_from_dict(doc)
    assert again.to_dict() == doc
    assert again.exit_code == result.exit_code
    assert [f.sort_key() for f in again.findings] == [f.sort_key() for f in result.findings]


def test_round_trip_keeps_readiness(tmp_path: Path) -> None:
    result = omnicontract.validate(ROOT / "examples" / "retail", now=FIXED_NOW)
    again = result_from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.unified_view() == result.unified_view()
