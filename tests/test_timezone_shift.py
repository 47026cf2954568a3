"""OC-TIM-001: a channel whose clock is shifted against the others."""

from __future__ import annotations

import random
from pathlib import Path

import omnicontract
from omnicontract.validators.checks.timezone_shift import best_shift
from tests.conftest import FIXED_NOW, write_project

# A retail day: quiet at night, peaks late morning and evening (local time, UTC-3).
WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 20, 24, 22, 18, 16, 17, 19, 21, 24, 26, 22, 14, 8, 4, 2]


def _events(rng: random.Random, n: int, utc_offset: int) -> list[str]:
    """Timestamps written in a zone ``utc_offset`` hours from UTC, for a UTC-3 audience."""
    out = []
    for _ in range(n):
        local = rng.choices(range(24), WEIGHTS)[0]
        hour = (local + 3 + utc_offset) % 24  # local (UTC-3) -> UTC -> written zone
        out.append(f"2024-03-{rng.randint(1, 28):02d} {hour:02d}:{rng.randint(0, 59):02d}:00")
    return out


def _feed(rows: list[str], channel: str, zone: str) -> dict:
    body = "id,t\n" + "".join(f"{channel}{i},{t}\n" for i, t in enumerate(rows))
    return {
        "entity": "interaction",
        "fields": {"interaction_id": "id", "occurred_at": {"column": "t", "timezone": zone}},
        "constants": {"channel": channel, "kind": "message"},
        "rows": body,
    }


def _run(tmp_path: Path, shifted: bool):
    rng = random.Random(7)
    feeds = [
        _feed(_events(rng, 600, 0), "whatsapp", "UTC"),
        _feed(_events(rng, 600, -3), "email", "America/Sao_Paulo"),
        # call center writes local time but (in the shifted case) declares UTC
        _feed(_events(rng, 600, -3), "call_center", "UTC" if shifted else "America/Sao_Paulo"),
    ]
    root = write_project(tmp_path / ("shifted" if shifted else "right"), feeds=feeds)
    result = omnicontract.validate(root, now=FIXED_NOW)
    return [f for f in result.findings if f.code == "OC-TIM-001"]


def test_shifted_channel_is_found(tmp_path: Path) -> None:
    findings = _run(tmp_path, shifted=True)
    assert [(f.channel, f.count) for f in findings] == [("ch2", 600)]
    assert "3h earlier" in findings[0].message


def test_correct_zones_report_nothing(tmp_path: Path) -> None:
    assert _run(tmp_path, shifted=False) == []


def test_best_shift_recovers_a_rotation() -> None:
    base = [w / sum(WEIGHTS) for w in WEIGHTS]
    rotated = [base[(h - 5) % 24] for h in range(24)]
    shift, score, at_zero = best_shift(rotated, base)
    assert shift == 5 and score > 0.999 and at_zero < score


def test_linked_pairs_that_agree_on_no_offset_leave_the_profile_to_judge(tmp_path: Path) -> None:
    """A link whose pairs spread over hours and days (a store pickup of a web order, a
    call about an e-mail) says nothing about either clock: no quarter hour holds most of
    its pairs. The shifted call center is still found by its hour profile."""
    rng = random.Random(7)
    mails = _feed(_events(rng, 600, -3), "email", "America/Sao_Paulo")
    calls = _feed(_events(rng, 600, -3), "call_center", "UTC")  # local time declared UTC
    mails["fields"]["link_id"] = "k"
    mails["rows"] = "id,t,k\n" + "".join(
        f"{line},k{i}\n" for i, line in enumerate(mails["rows"].splitlines()[1:])
    )
    calls["fields"]["ref_id"] = {"column": "about", "links": "ch1.link_id"}
    calls["rows"] = "id,t,about\n" + "".join(
        f"{line},{f'k{rng.randrange(600)}' if i < 60 else ''}\n"
        for i, line in enumerate(calls["rows"].splitlines()[1:])
    )
    feeds = [_feed(_events(rng, 600, 0), "whatsapp", "UTC"), mails, calls]
    result = omnicontract.validate(write_project(tmp_path / "p", feeds=feeds), now=FIXED_NOW)
    found = [f for f in result.findings if f.code == "OC-TIM-001"]
    assert [(f.channel, f.count) for f in found] == [("ch2", 600)]
    assert "3h earlier" in found[0].message
