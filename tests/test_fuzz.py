"""Property-based fuzzing of the three file kinds and the feed readers.

Whatever a file holds, loading it ends in a loaded project or in one ContractError naming
the file, never in another exception; whatever an export holds, a run ends in findings
(exit 0 or 1), never in exit 2 or a traceback. Example counts are bounded so the suite
stays fast; ``tools/fuzz.py`` runs the long campaign through the command line.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicontract.cli.main import cli
from omnicontract.contracts.yamlio import load_yaml
from omnicontract.errors import ContractError

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("oc_fuzz_tool", ROOT / "tools" / "fuzz.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["oc_fuzz_tool"] = fuzz
_spec.loader.exec_module(fuzz)

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
SLOW = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["(?=a)", "x{1001}", "\\Z", "Mars/Base", "%Q", "/etc/passwd", "*@*"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _lint(files: dict[str, bytes]) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), files)
        result = CliRunner().invoke(cli, ["lint", tmp])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        err = result.stderr
        assert "Traceback" not in err and "error: unexpected" not in err, err
        assert result.exit_code in (0, 1, 2)
        if result.exit_code == 2:
            assert tmp in err, err  # the message names the file
        return result.exit_code, err


@FAST
@given(st.text(max_size=300))
def test_any_text_loads_or_is_one_contract_error(text: str) -> None:
    try:
        load_yaml("x.yaml", text)
    except ContractError as exc:
        assert str(exc.location.file) == "x.yaml"


@pytest.mark.parametrize("name", sorted(fuzz.YAML_FILES))
@FAST
@given(data=st.data())
def test_any_value_anywhere_in_a_file_is_loaded_or_refused(name: str, data: Any) -> None:
    doc = fuzz.YAML_FILES[name]
    path = data.draw(st.sampled_from(list(fuzz._paths(doc))))
    value = data.draw(values)
    files = fuzz.base_files()
    files[name] = yaml.safe_dump(fuzz._replace(doc, path, value), allow_unicode=True).encode()
    _lint(files)


@pytest.mark.parametrize("name", sorted(fuzz.YAML_FILES))
@FAST
@given(seed=st.integers(0, 2**32 - 1))
def test_textual_mutations_are_refused_with_a_place(name: str, seed: int) -> None:
    import random

    rng = random.Random(seed)
    case = fuzz.textual(rng, fuzz.base_files())
    _lint(case.files)


@pytest.mark.parametrize("name", sorted(fuzz.DATA_FILES))
@SLOW
@given(content=st.binary(max_size=400))
def test_any_export_is_findings_not_a_failure(name: str, content: bytes) -> None:
    files = fuzz.base_files()
    files[name] = content
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), files)
        result = CliRunner().invoke(cli, ["validate", tmp, "--no-history", "--format", "json"])
        assert "Traceback" not in result.stderr, result.stderr
        assert result.exit_code in (0, 1), result.stderr
