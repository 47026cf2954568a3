"""Judging: turn drafts into findings with severities, tolerances and masked samples."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omnicontract.contracts.loader import Project
from omnicontract.contracts.model import CheckOverride, Severity
from omnicontract.redact import redact
from omnicontract.validators.checks.base import Check, Draft
from omnicontract.validators.masking import mask
from omnicontract.validators.registry import registry
from omnicontract.validators.result import Finding, Sample


def _lookup(overrides: dict[str, CheckOverride], check: type[Check]) -> CheckOverride | None:
    return overrides.get(check.code) or overrides.get(check.name)


def resolve_override(
    project: Project, check: type[Check], channel: str | None, feed: str | None
) -> CheckOverride:
    """Feed overrides beat channel overrides, which beat the project policy."""
    layers: list[dict[str, CheckOverride]] = [project.settings.policy.checks]
    if channel is not None:
        try:
            ch = project.channel(channel)
        except KeyError:
            ch = None
        if ch is not None:
            layers.append(ch.model.checks)
            if feed is not None:
                layers.extend(fb.checks for fb in ch.model.feeds if fb.name == feed)
    merged: dict[str, Any] = {}
    for layer in layers:
        hit = _lookup(layer, check)
        if hit is not None:
            merged.update(hit.model_dump(exclude_unset=True))
    return CheckOverride(**merged)


def project_checks(project: Project, cross_channel: bool) -> list[Any]:
    """The reference and cross-channel checks a run runs: those not switched off for the
    whole project; with ``cross_channel`` False, only the checks between entities."""
    return [
        c()
        for c in registry().of_kind("project")
        if resolve_override(project, c, None, None).enabled
        and (cross_channel or not c.cross_channel)  # type: ignore[attr-defined]
    ]


def _render_sample(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def judge(project: Project, drafts: Iterable[Draft], *, mask_pii: bool) -> list[Finding]:
    reg = registry()
    findings: list[Finding] = []
    for d in drafts:
        check = reg.get(d.code)
        override = resolve_override(project, check, d.channel, d.feed)
        if not override.enabled:
            continue
        severity = override.severity or d.severity or check.default_severity
        rate = d.count / d.total if d.total else 0.0
        within = override.max_rate is not None and d.total > 0 and rate <= override.max_rate
        if within:
            severity = Severity.info
        masked = False
        samples = []
        for v, n, *flag in d.samples:  # an optional third item marks that sample as pii
            hide = mask_pii and (flag[0] if flag else d.pii)
            samples.append(Sample(mask(v) if hide else _render_sample(v), n))
            masked = masked or hide
        findings.append(
            Finding(
                code=d.code,
                check=check.name,
                severity=severity,
                message=redact(d.message),
                channel=d.channel,
                feed=d.feed,
                field=d.field,
                count=d.count,
                total=d.total,
                samples=samples,
                hint=d.hint or check.hint,
                location=d.location,
                within_tolerance=within,
                masked=masked,
            )
        )
    findings.sort(key=Finding.sort_key)
    return findings
