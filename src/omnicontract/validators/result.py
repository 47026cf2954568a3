"""The result of a run: findings and per-feed figures. Every report renders this."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any

from omnicontract.contracts.model import Severity
from omnicontract.validators.readiness import channel_readiness, overall_readiness, top_blockers

RESULT_VERSION = "1"


@dataclass(frozen=True)
class Sample:
    """One failing value (masked when the field is personal data) and how often it occurs."""

    value: str | None
    count: int = 1


@dataclass
class Finding:
    code: str
    check: str
    severity: Severity
    message: str
    channel: str | None = None
    feed: str | None = None
    field: str | None = None
    count: int = 0
    total: int = 0
    samples: list[Sample] = dc_field(default_factory=list)
    hint: str | None = None
    location: str | None = None
    within_tolerance: bool = False
    masked: bool = False

    @property
    def where(self) -> str:
        """``channel/feed.field``, as far as the finding has them; ``project`` otherwise."""
        where = "/".join(p for p in (self.channel, self.feed) if p)
        if self.field:
            where = f"{where}.{self.field}" if where else self.field
        return where or "project"

    @property
    def rate(self) -> float:
        return self.count / self.total if self.total else 0.0

    def sort_key(self) -> tuple[Any, ...]:
        return (
            -self.severity.rank,
            self.channel or "",
            self.feed or "",
            self.code,
            self.field or "",
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["rate"] = round(self.rate, 6)
        data["samples"] = [asdict(s) for s in self.samples]
        return data


@dataclass
class FeedSummary:
    channel: str
    feed: str
    entity: str
    source: str
    files: int = 0
    rows: int | None = None
    columns_mapped: int = 0
    fields_supplied: list[str] = dc_field(default_factory=list)
    seconds: float = 0.0
    resolution: dict[str, int] = dc_field(default_factory=dict)  # rows per status
    resolved_by: dict[str, int] = dc_field(default_factory=dict)  # resolved rows per key
    # per identity key: rows matched as written, only after normalization, unmatched, empty
    key_match: dict[str, dict[str, int]] = dc_field(default_factory=dict)
    first_event: str | None = None  # earliest event time in the feed (ISO 8601, UTC)
    last_event: str | None = None  # latest event time

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChannelSummary:
    channel: str
    owner: str | None
    feeds: list[FeedSummary] = dc_field(default_factory=list)


@dataclass
class RunResult:
    project: str
    root: str
    started_at: str
    finished_at: str = ""
    seconds: float = 0.0
    engine: str = "duckdb"
    fail_on: Severity = Severity.error
    contracts: dict[str, str] = dc_field(default_factory=dict)  # entity -> version
    channels: list[ChannelSummary] = dc_field(default_factory=list)
    findings: list[Finding] = dc_field(default_factory=list)
    checks_run: int = 0
    entities: dict[str, list[str]] = dc_field(default_factory=dict)  # entity -> canonical fields
    run_id: str | None = None  # set when the run is recorded in, or read from, a history store
    trend: list[dict[str, Any]] = dc_field(default_factory=list)  # earlier runs, oldest first
    as_of: str = ""  # the moment the exports represent: 'now' for the time-based checks
    # findings new, resolved, worsened and improved since the previous recorded run
    # (omnicontract.history.changes), None when there is no earlier run to compare with
    changes: dict[str, Any] | None = None
    # folders outside the project the run was allowed to read, and who allowed each
    data_roots: list[dict[str, str]] = dc_field(default_factory=list)

    # ------------------------------------------------------------ derived figures
    def counts(self, findings: list[Finding] | None = None) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings if findings is None else findings:
            out[f.severity.value] += 1
        return out

    def tally(self) -> str:
        """``3 errors, 1 warning, 0 info (fail-on: error)``: the verdict's figures."""
        from omnicontract.words import n_of

        c = self.counts()
        return (
            f"{n_of(c['error'], 'error')}, {n_of(c['warning'], 'warning')}, "
            f"{n_of(c['info'], 'info')} (fail-on: {self.fail_on.value})"
        )

    def channel_findings(self, channel: str) -> list[Finding]:
        return [f for f in self.findings if f.channel == channel]

    def channel_status(self, channel: str) -> str:
        worst = max((f.severity.rank for f in self.channel_findings(channel)), default=0)
        return {0: "pass", 1: "pass", 2: "warn", 3: "fail"}[worst]

    @property
    def failed(self) -> bool:
        return any(f.severity.rank >= self.fail_on.rank for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def unified_view(self) -> dict[str, Any]:
        channels = channel_readiness(self)
        return {
            "readiness": overall_readiness(channels),
            "channels": [
                {
                    "channel": c.channel,
                    "readiness": c.score,
                    "rows": c.rows,
                    "resolved_share": None
                    if c.resolved_share is None
                    else round(c.resolved_share, 4),
                    "resolution": c.resolution,
                    "resolved_by": c.resolved_by,
                }
                for c in channels
            ],
            "blockers": [self.findings.index(f) for f in top_blockers(self)],
        }

    def coverage(self) -> dict[str, Any]:
        """Per entity: its canonical fields, and which of them each channel supplies."""
        out: dict[str, Any] = {}
        for entity, fields in sorted(self.entities.items()):
            per_channel: dict[str, list[str]] = {}
            for ch in self.channels:
                supplied = sorted(
                    {n for f in ch.feeds if f.entity == entity for n in f.fields_supplied}
                )
                if any(f.entity == entity for f in ch.feeds):
                    per_channel[ch.channel] = supplied
            out[entity] = {"fields": list(fields), "channels": per_channel}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": RESULT_VERSION,
            "project": self.project,
            "root": self.root,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "as_of": self.as_of,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "data_roots": [dict(r) for r in self.data_roots],
            "fail_on": self.fail_on.value,
            "passed": not self.failed,
            "contracts": dict(self.contracts),
            "summary": {
                "findings": self.counts(),
                "checks_run": self.checks_run,
                "feeds": sum(len(c.feeds) for c in self.channels),
                "rows": sum(f.rows or 0 for c in self.channels for f in c.feeds),
            },
            "channels": [
                {
                    "channel": c.channel,
                    "owner": c.owner,
                    "status": self.channel_status(c.channel),
                    "findings": self.counts(self.channel_findings(c.channel)),
                    "feeds": [f.to_dict() for f in c.feeds],
                }
                for c in self.channels
            ],
            "run_id": self.run_id,
            "entities": {k: list(v) for k, v in self.entities.items()},
            "trend": list(self.trend),
            "changes": self.changes,
            "unified_view": self.unified_view(),
            "coverage": self.coverage(),
            "findings": [f.to_dict() for f in self.findings],
        }


def result_from_dict(doc: dict[str, Any]) -> RunResult:
    """Rebuild a RunResult from its JSON document (``to_dict()``), e.g. from history."""
    findings = [
        Finding(
            code=f["code"],
            check=f["check"],
            severity=Severity(f["severity"]),
            message=f["message"],
            channel=f.get("channel"),
            feed=f.get("feed"),
            field=f.get("field"),
            count=f.get("count", 0),
            total=f.get("total", 0),
            samples=[Sample(s["value"], s.get("count", 1)) for s in f.get("samples", [])],
            hint=f.get("hint"),
            location=f.get("location"),
            within_tolerance=f.get("within_tolerance", False),
            masked=f.get("masked", False),
        )
        for f in doc.get("findings", [])
    ]
    channels = [
        ChannelSummary(
            channel=c["channel"],
            owner=c.get("owner"),
            feeds=[FeedSummary(**feed) for feed in c.get("feeds", [])],
        )
        for c in doc.get("channels", [])
    ]
    return RunResult(
        project=doc["project"],
        root=doc.get("root", ""),
        started_at=doc.get("started_at", ""),
        finished_at=doc.get("finished_at", ""),
        as_of=doc.get("as_of", ""),
        seconds=doc.get("seconds", 0.0),
        engine=doc.get("engine", "duckdb"),
        fail_on=Severity(doc.get("fail_on", "error")),
        contracts=dict(doc.get("contracts", {})),
        channels=channels,
        findings=findings,
        checks_run=doc.get("summary", {}).get("checks_run", 0),
        entities={k: list(v) for k, v in doc.get("entities", {}).items()},
        run_id=doc.get("run_id"),
        trend=list(doc.get("trend", [])),
        changes=doc.get("changes"),
        data_roots=[dict(r) for r in doc.get("data_roots", [])],
    )
