from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def write_project(
    root: Path,
    *,
    contracts: list[dict[str, Any]] | None = None,
    feeds: list[dict[str, Any]],
    project: dict[str, Any] | None = None,
) -> Path:
    """Write a small project: one channel per feed (``ch0``, ``ch1`` ...), feed ``f``.

    Each feed dict takes ``entity``, ``fields``, optional ``constants``, ``source``
    (extra source options), ``checks`` and ``rows`` (CSV text with a header, or
    ``files``: {name: text}).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    settings: dict[str, Any] = {"project": "case", "channels": ["channels/*.yaml"]}
    if contracts:
        (root / "contracts").mkdir(exist_ok=True)
        for c in contracts:
            body = {"version": "1.0.0", **c}
            (root / "contracts" / f"{c['entity']}.yaml").write_text(
                yaml.safe_dump(body, sort_keys=False)
            )
        settings["contracts"] = ["contracts/*.yaml"]
    else:
        settings["contracts"] = ["builtin:customer", "builtin:interaction"]
    settings.update(project or {})
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    for i, feed in enumerate(feeds):
        name = f"ch{i}"
        source = {"path": f"data/{name}.csv", **feed.get("source", {})}
        if "files" in feed:
            for fname, text in feed["files"].items():
                (root / "data" / fname).write_bytes(
                    text if isinstance(text, bytes) else text.encode()
                )
        else:
            (root / "data" / f"{name}.csv").write_text(feed.get("rows", ""), encoding="utf-8")
        binding = {
            "channel": name,
            "feeds": [
                {
                    "name": "f",
                    "entity": feed["entity"],
                    "source": source,
                    "fields": feed["fields"],
                    **({"constants": feed["constants"]} if "constants" in feed else {}),
                    **({"checks": feed["checks"]} if "checks" in feed else {}),
                    **(
                        {"unexpected_columns": feed["unexpected_columns"]}
                        if "unexpected_columns" in feed
                        else {}
                    ),
                    **{k: feed[k] for k in ("freshness", "volume") if k in feed},
                }
            ],
        }
        (root / "channels" / f"{name}.yaml").write_text(
            yaml.safe_dump(binding, sort_keys=False, allow_unicode=True)
        )
    return root


@pytest.fixture
def project_factory(tmp_path: Path):
    counter = {"n": 0}

    def make(**kwargs: Any) -> Path:
        counter["n"] += 1
        return write_project(tmp_path / f"p{counter['n']}", **kwargs)

    return make
