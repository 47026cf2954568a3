from __future__ import annotations

import random
import subprocess
import sys

from omnicontract.validators import normalize
from omnicontract.validators.normalize import normalize_phones, to_e164


def test_to_e164_rules() -> None:
    assert to_e164("(11) 98765-4321", "BR") == "+5511987654321"
    assert to_e164("5511987654321", "BR") == "+5511987654321"  # national prefix stripped
    assert to_e164("5491123456789", None, international=True) == "+5491123456789"
    assert to_e164("123", "BR") is None
    assert to_e164("   ", "BR") is None
    assert to_e164(None, "BR") is None


def test_parallel_and_serial_agree(monkeypatch) -> None:
    rng = random.Random(3)
    values = [
        f"(1{rng.randint(1, 9)}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        for _ in range(3000)
    ]
    values += ["123", "", "+1 202 555 0143"] * 10
    serial = [to_e164(v, "BR") for v in values]
    monkeypatch.setattr(normalize, "PARALLEL_THRESHOLD", 100)
    assert normalize_phones(values, "BR") == serial


def test_pool_is_safe_from_a_script_without_main_guard(tmp_path) -> None:
    script = tmp_path / "pipeline.py"
    script.write_text(
        "from omnicontract.validators import normalize\n"
        "normalize.PARALLEL_THRESHOLD = 10\n"
        "out = normalize.normalize_phones(['(11) 98765-4321'] * 50, 'BR')\n"
        "print(len(out), out[0])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50", "+5511987654321"]
