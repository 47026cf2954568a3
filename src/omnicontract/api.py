"""The Python API: what the CLI calls, and what a pipeline task can call directly.

import omnicontract
project = omnicontract.load_project("path/to/project")
result = omnicontract.validate(project)
if result.failed:
    raise SystemExit(result.exit_code)
for finding in result.findings:
    print(finding.code, finding.channel, finding.count)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from omnicontract.contracts.loader import Project
from omnicontract.contracts.loader import load_project as _load_project
from omnicontract.contracts.model import Severity, parse_size
from omnicontract.errors import UsageError
from omnicontract.validators.result import ChannelSummary, FeedSummary, RunResult


def load_project(
    path: str | Path = ".",
    *,
    allow_paths: Iterable[str | Path] = (),
    server: str | None = None,
    data: bool = True,
) -> Project:
    """Load a project folder (or its ``omnicontract.yaml``), or an ODCS contract with
    ``servers:`` (``server`` names the one to read, else the first). Raises ContractError.
    Files are read only inside the project folder, its ``data_roots`` and ``allow_paths``.
    Check overrides must name checks of the registry (built-ins and plugins). ``data=False``
    loads for lint: an ODCS contract then needs no server it can read."""
    from omnicontract.validators.registry import registry

    selectors = registry().selectors()
    return _load_project(
        path, allow_paths=allow_paths, check_names=selectors, server=server, data=data
    )


def _as_project(project: Project | str | Path) -> Project:
    return project if isinstance(project, Project) else load_project(project)


def _new_result(project: Project, fail_on: Severity | str | None) -> RunResult:
    return RunResult(
        project=project.name,
        root=str(project.root),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fail_on=Severity(fail_on) if fail_on else project.settings.policy.fail_on,
        contracts={name: c.model.version for name, c in sorted(project.contracts.items())},
        entities={name: list(c.model.fields) for name, c in sorted(project.contracts.items())},
        data_roots=[
            {"path": str(a.path), "allowed_by": a.origin}
            for a in (project.confinement.outside_roots() if project.confinement else [])
        ],
    )


def _memory_limit(text: str | int | None) -> int | None:
    """``--memory-limit`` in bytes: a size with a unit, checked before it reaches an engine."""
    if text is None or isinstance(text, int):
        return text
    try:
        return parse_size(str(text))
    except ValueError:
        shown = str(text) if len(str(text)) <= 40 else str(text)[:40] + "..."
        raise UsageError(
            f"memory limit '{shown}' is not a size", hint="write a number and a unit: 2GB, 512MB"
        ) from None


def lint(project: Project | str | Path, *, fail_on: Severity | str | None = None) -> RunResult:
    """Contract lint only (OC-CON): no data is read."""
    from omnicontract.validators.policy import judge
    from omnicontract.validators.registry import registry

    project = _as_project(project)
    started = time.perf_counter()
    result = _new_result(project, fail_on)
    drafts = []
    checks = registry().of_kind("static")
    for check in checks:
        found = list(check().lint(project))  # type: ignore[attr-defined]
        for draft in found:
            if check.lint_severity is not None and draft.severity is None:
                draft.severity = check.lint_severity
        drafts.extend(found)
    result.findings = judge(project, drafts, mask_pii=True)
    result.checks_run = len(checks)
    result.engine = "none"
    for ch in project.channels:  # what lint read: the bindings and their feeds, no rows
        summary = ChannelSummary(ch.model.channel, ch.model.owner)
        summary.feeds = [
            FeedSummary(ch.model.channel, fb.name, fb.entity, fb.source.display)
            for fb in ch.model.feeds
        ]
        result.channels.append(summary)
    result.seconds = time.perf_counter() - started
    result.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def validate(
    project: Project | str | Path,
    *,
    channels: Iterable[str] | None = None,
    fail_on: Severity | str | None = None,
    sample_size: int | None = None,
    show_pii: bool = False,
    now: datetime | None = None,
    memory_limit: str | int | None = None,
    threads: int | None = None,
    cross_channel: bool = True,
    feed_history: Callable[[str, str], list[int]] | None = None,
    progress=None,
    engine: str = "duckdb",
    as_of: datetime | None = None,
    spark_master: str | None = None,
    process_ends: bool = False,
) -> RunResult:
    """Validate every feed of the project against its contract and the feeds against each
    other (``cross_channel=False``: each feed on its own only). ``feed_history(channel,
    feed)`` returns a feed's row counts in recent runs, most recent first, for the volume
    check (the CLI passes the history store's). ``engine="gx"`` runs the field checks of
    each feed through Great Expectations (``pip install 'omnicontract[gx]'``);
    ``engine="spark"`` runs every check as Spark jobs on ``spark_master`` (``local[N]``, a
    cluster master URL or a Spark Connect ``sc://`` URL; by default the active session, else
    ``local[2]``; ``pip install 'omnicontract[spark]'``). Data problems come back as
    findings in the result. ``as_of`` is the moment the exports represent, 'now' for every
    time-based check; it beats the project's ``policy.as_of``, which beats ``now``
    (default: the wall clock). ``process_ends``: the caller's process ends soon after (as
    the command line's does), so the engine may leave its in-memory database for the
    process's end to discard instead of freeing it. Only a project that cannot be run at all
    raises (ContractError, UsageError)."""
    from omnicontract.validators.engines import engine_class, engine_names
    from omnicontract.validators.policy import judge
    from omnicontract.validators.run import Run, execute

    project = _as_project(project)
    if engine != "gx":
        try:
            engine_class(engine)
        except UsageError:
            raise UsageError(
                f"unknown engine '{engine}'", hint="engines: " + ", ".join([*engine_names(), "gx"])
            ) from None
    if spark_master and engine != "spark":
        raise UsageError(
            "a Spark master is given but the engine is not spark", hint="add --engine spark"
        )
    limit = _memory_limit(memory_limit)
    selected = set(channels) if channels else None
    if selected:
        known = {c.model.channel for c in project.channels}
        unknown = sorted(selected - known)
        if unknown:
            raise UsageError(
                f"unknown channel(s): {', '.join(unknown)}",
                hint="channels in this project: " + ", ".join(sorted(known)),
            )
    policy = project.settings.policy
    started = time.perf_counter()
    result = _new_result(project, fail_on)
    moment = as_of or policy.as_of or now or datetime.now(UTC)
    result.as_of = moment.astimezone(UTC).isoformat(timespec="seconds")
    run = Run(
        project,
        sample_size=policy.sample_size if sample_size is None else sample_size,
        now=moment,
        memory_limit=limit,
        threads=threads,
        progress=progress,
        feed_history=feed_history,
        engine="duckdb" if engine == "gx" else engine,
        master=spark_master,
        process_ends=process_ends,
    )
    try:
        if engine == "gx":
            from omnicontract.interop.gx import row_engine

            run.row_engine = row_engine(run)
        drafts = execute(project, run, selected, cross_channel=cross_channel)
        checks_run = run.checks_run
        feeds = [f for f in run.feeds if f.summary is not None and f.selected]
    finally:
        run.close()
    if selected:
        drafts = [d for d in drafts if d.channel is None or d.channel in selected]
    result.findings = judge(project, drafts, mask_pii=policy.mask_pii and not show_pii)
    result.checks_run = checks_run
    for ch in project.channels:
        if selected and ch.model.channel not in selected:
            continue
        summary = ChannelSummary(ch.model.channel, ch.model.owner)
        summary.feeds = [f.summary for f in feeds if f.channel_name == ch.model.channel]  # type: ignore[misc]
        result.channels.append(summary)
    result.engine = "duckdb+gx" if engine == "gx" else engine
    result.seconds = time.perf_counter() - started
    result.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    return result
