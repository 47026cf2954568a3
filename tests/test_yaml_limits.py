"""Loading a project file is bounded: a few hundred hostile bytes cannot take minutes or
gigabytes, and every refusal is one ContractError naming file, line and column."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.yamlio import ALIAS_BUDGET, load_yaml
from omnicontract.errors import ContractError
from tests.conftest import write_project


def alias_bomb(levels: int = 10, width: int = 10) -> str:
    lines = ["project: bomb", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_the_alias_bomb_is_refused_quickly_and_small(tmp_path: Path) -> None:
    text = alias_bomb()
    assert len(text) < 1000
    tracemalloc.start()
    started = time.process_time()  # CPU time: a busy machine does not make it fail
    with pytest.raises(ContractError) as exc:
        load_yaml(tmp_path / "omnicontract.yaml", text)
    seconds = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "aliases expand to more than" in exc.value.message
    assert exc.value.location.line is not None
    assert seconds < 1.0 and peak < 100 * 2**20, (seconds, peak)


def test_ordinary_anchors_and_merge_keys_still_load(tmp_path: Path) -> None:
    text = "base: &b {delimiter: ';', encoding: utf-8}\nfeeds:\n" + "".join(
        f"  - {{<<: *b, name: f{i}}}\n" for i in range(50)
    )
    doc = load_yaml(tmp_path / "c.yaml", text)
    assert doc.data["feeds"][49] == {"delimiter": ";", "encoding": "utf-8", "name": "f49"}
    # the budget is what aliases add, not the size of the file
    many = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [" + ", ".join(["*a"] * 1200) + "]\n"
    with pytest.raises(ContractError, match=f"{ALIAS_BUDGET:,}"):
        load_yaml(tmp_path / "c.yaml", many)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: " + "[" * 5000 + "]" * 5000, "nest", 1, None),
        ("".join(" " * i + f"k{i}:\n" for i in range(100)), "nested more than", None, None),
        ("project: !!int x\n", "explicit YAML tag", 1, 10),
        ("project: x\nkind: !!python/object/apply:os.system [ls]\n", "explicit YAML tag", 2, 7),
        ("a: !!binary aGVsbG8=\n", "explicit YAML tag", 1, 4),
        ("a: !custom {x: 1}\n", "explicit YAML tag", 1, 4),
        ("project: x\ndescription: ab\x01cd\n", "control character #x0001", 2, 16),
        ('project: x\n\ndescription: "a\x1bb"\n', "control character #x001b", 3, 16),
        ("a: " + "9" * 5000 + "\n", "cannot read the value", 1, 4),
        ("a: 1\n" + "k" * 500 + ": 1\n" + "k" * 500 + ": 2\n", "duplicate key", 3, 1),
        ("? [a, b]\n: 1\n", "plain scalars", 1, 3),
    ],
)
def test_hostile_yaml_is_one_positioned_error(
    tmp_path: Path, text: str, message: str, line: int | None, column: int | None
) -> None:
    started = time.process_time()
    with pytest.raises(ContractError) as exc:
        load_yaml(tmp_path / "x.yaml", text)
    assert time.process_time() - started < 5
    err = exc.value
    assert message in err.message
    assert err.location.file == tmp_path / "x.yaml"
    assert err.location.line == (line or err.location.line) and err.location.line is not None
    assert err.location.column == (column or err.location.column)
    assert len(err.message) < 400  # echoed values are cut


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    from omnicontract.contracts import yamlio

    path = tmp_path / "big.yaml"
    with path.open("w") as fh:
        fh.write("a: '" + "x" * (yamlio.MAX_BYTES + 10) + "'\n")
    with pytest.raises(ContractError, match="larger than"):
        load_yaml(path)


def test_echoed_values_are_cut(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}],
    )
    binding = yaml.safe_load((root / "channels" / "ch0.yaml").read_text())
    binding["timezone"] = "Z" * 100_000
    binding["feeds"][0]["unexpected_columns"] = "w" * 100_000
    (root / "channels" / "ch0.yaml").write_text(yaml.safe_dump(binding))
    result = CliRunner().invoke(cli, ["lint", str(root)])
    assert result.exit_code == 2
    assert "Z" * 81 not in result.stderr and "w" * 81 not in result.stderr
    assert "…" in result.stderr and len(result.stderr) < 2000


def test_hundred_thousand_entry_enums_and_value_maps_validate(tmp_path: Path) -> None:
    """Functional (timings live in bench/): a vocabulary of 100k entries loads, and the
    run checks it without stopping."""
    n = 100_000
    contract = {
        "entity": "thing",
        "primary_key": "id",
        "fields": {
            "id": {"type": "string", "required": True},
            "kind": {"type": "string", "enum": [f"k{i}" for i in range(n)]},
        },
    }
    root = write_project(
        tmp_path / "p",
        contracts=[contract],
        feeds=[
            {
                "entity": "thing",
                "fields": {
                    "id": "id",
                    "kind": {"column": "kind", "values": {f"s{i}": f"k{i}" for i in range(n)}},
                },
                "rows": "id,kind\n1,s5\n2,k7\n3,s99999\n4,nope\n",
            }
        ],
    )
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json", "--no-history"])
    assert result.exit_code in (0, 1), result.stderr
    assert '"code": "OC-MAP-002"' in result.stdout  # 'nope' is outside the value map
