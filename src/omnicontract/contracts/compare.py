"""Read two versions of a contract or binding (a file, or ``git:REV:path``), list the
changes between them with the rules of :mod:`omnicontract.contracts.diff`, suggest the
semantic version bump and compare it with the version written in the new file."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from omnicontract.contracts import diff_files  # noqa: F401  (registers the whole-file rules)
from omnicontract.contracts.diff import RULES, Change, Impact, Pair, Version
from omnicontract.contracts.loader import parse_model
from omnicontract.contracts.model import SEMVER, ChannelBinding, EntityContract, FeedBinding
from omnicontract.contracts.yamlio import _read_text, load_yaml
from omnicontract.errors import ContractError, Location, UsageError

GIT_PREFIX = "git:"


class Bump(StrEnum):
    none = "none"
    patch = "patch"
    minor = "minor"
    major = "major"

    @property
    def rank(self) -> int:
        return ["none", "patch", "minor", "major"].index(self.value)


BUMP_OF = {Impact.breaking: Bump.major, Impact.minor: Bump.minor, Impact.patch: Bump.patch}


# ---------------------------------------------------------------- documents


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, timeout=60, check=False, cwd=cwd)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git or pass a file path") from None


def git_has_revision(rev: str, cwd: Path | None = None) -> bool:
    return _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=cwd).returncode == 0


def _git_text(spec: str) -> tuple[str, str]:
    """``git:REV:path`` -> (file name for messages, text of that file in REV)."""
    rest = spec[len(GIT_PREFIX) :]
    rev, sep, path = rest.partition(":")
    if not sep or not rev or not path:
        raise UsageError(
            f"'{spec}' is not git:REV:PATH",
            hint="for example git:main:contracts/customer.yaml (PATH from the repository root)",
        )
    proc = _git("show", f"{rev}:{path}")
    if proc.returncode != 0 and git_has_revision(rev):
        listed = _git("ls-tree", "--name-only", rev, "--", path.removeprefix("./"))
        if listed.returncode == 0 and not listed.stdout.strip():
            raise FileNotFoundError(spec)  # the revision exists; the file is not in it
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ContractError(
            f"cannot read {path} at {rev}: {message[-1] if message else 'git show failed'}",
            location=Location(Path(spec)),
            hint="PATH is relative to the repository root (or starts with ./); "
            "the revision must exist locally (fetch it first in CI)",
        )
    raw = proc.stdout
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return spec, raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContractError("file is not valid UTF-8", location=Location(Path(spec))) from None


def read_version_or_absent(spec: str | Path) -> Version | None:
    """:func:`read_version`, or None when the file is not there (a missing path, or a path
    that is not in an existing git revision): one side of an added or removed file."""
    text = str(spec)
    if not text.startswith(GIT_PREFIX) and not Path(text).exists():
        return None
    try:
        return read_version(spec)
    except FileNotFoundError:
        return None


def read_version(spec: str | Path, label: str | None = None) -> Version:
    """Load an entity contract or a channel binding from a path or ``git:REV:path``;
    ``label`` names a file read from a path in messages and locations instead."""
    text = str(spec)
    if text.startswith(GIT_PREFIX):
        label, body = _git_text(text)
        doc = load_yaml(label, body)
    elif label is not None:
        doc = load_yaml(label, _read_text(Path(spec)))  # bounded like every load
    else:
        doc = load_yaml(spec)
        label = text
    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind is None and isinstance(data, dict):
        kinds = [k for k in ("channel", "entity", "project") if k in data]
        kind = kinds[0] if kinds else None
    if kind not in ("entity", "channel"):
        raise ContractError(
            f"cannot compare a file of kind '{kind}'" if kind else "not a contract or binding",
            location=doc.location(("kind",)) if kind else Location(doc.file, 1, 1),
            hint="diff compares two entity contracts or two channel bindings",
        )
    model = parse_model(doc, EntityContract if kind == "entity" else ChannelBinding)
    return Version(label=label, doc=doc, model=model)


# ---------------------------------------------------------------- comparison


def _run(scope: str, pair: Pair) -> Iterator[Change]:
    for r in RULES:
        if r.scope != scope:
            continue
        for hit in r.detect(pair):
            path, reason, where = hit[0], hit[1], hit[2]
            note = hit[3] if len(hit) > 3 else None  # type: ignore[misc]
            yield Change(r.name, r.impact, path, reason, where, note)


def _entity_changes(old: Version, new: Version) -> Iterator[Change]:
    top = Pair(old.model, new.model, "", "", (), (), old, new)
    yield from _run("entity", top)
    o: EntityContract = old.model  # type: ignore[assignment]
    n: EntityContract = new.model  # type: ignore[assignment]
    for name, spec in n.fields.items():
        if name in o.fields:
            path = ("fields", name)
            pair = Pair(o.fields[name], spec, name, f"fields.{name}", path, path, old, new)
            yield from _run("field", pair)


def _feed_pairs(old: Version, new: Version) -> Iterator[Pair]:
    o: ChannelBinding = old.model  # type: ignore[assignment]
    n: ChannelBinding = new.model  # type: ignore[assignment]
    old_index = {f.name: i for i, f in enumerate(o.feeds)}
    for j, feed in enumerate(n.feeds):
        if feed.name in old_index:
            i = old_index[feed.name]
            prefix = f"feeds[{feed.name}]"
            yield Pair(o.feeds[i], feed, feed.name, prefix, ("feeds", i), ("feeds", j), old, new)


def _channel_changes(old: Version, new: Version) -> Iterator[Change]:
    yield from _run("channel", Pair(old.model, new.model, "", "", (), (), old, new))
    for fp in _feed_pairs(old, new):
        yield from _run("feed", fp)
        o_feed: FeedBinding = fp.old
        n_feed: FeedBinding = fp.new
        for name, mapping in n_feed.fields.items():
            if name in o_feed.fields:
                pair = Pair(
                    o_feed.fields[name],
                    mapping,
                    name,
                    f"{fp.prefix}.fields.{name}",
                    (*fp.old_path, "fields", name),
                    (*fp.new_path, "fields", name),
                    old,
                    new,
                )
                yield from _run("mapping", pair)


def changes(old: Version | None, new: Version | None) -> list[Change]:
    """Every change from ``old`` to ``new`` (same kind; None: the file is not in that
    version), breaking ones first."""
    if old is None or new is None:
        found = list(
            _run("file", Pair(old and old.model, new and new.model, "", "", (), (), old, new))
        )
    elif old.kind == "entity":
        found = list(_entity_changes(old, new))
    else:
        found = list(_channel_changes(old, new))
    found.sort(key=lambda c: (not c.breaking, c.location.line or 0, c.path, c.rule))
    return found


# ---------------------------------------------------------------- versions


def _semver(text: str) -> tuple[int, int, int]:
    core = text.split("-", 1)[0].split("+", 1)[0]
    major, minor, patch = (int(x) for x in core.split("."))
    return major, minor, patch


def declared_bump(old: str, new: str) -> Bump | None:
    """The bump from ``old`` to ``new``; None when ``new`` is lower than ``old``."""
    a, b = _semver(old), _semver(new)
    if b < a:
        return None
    if b[0] > a[0]:
        return Bump.major
    if b[1] > a[1]:
        return Bump.minor
    if b[2] > a[2]:
        return Bump.patch
    return Bump.none


def next_version(old: str, bump: Bump) -> str:
    major, minor, patch = _semver(old)
    if bump is Bump.major:
        return f"{major + 1}.0.0"
    if bump is Bump.minor:
        return f"{major}.{minor + 1}.0"
    if bump is Bump.patch:
        return f"{major}.{minor}.{patch + 1}"
    return old


@dataclass
class DiffResult:
    kind: str  # entity or channel
    name: str
    old_file: str
    new_file: str
    old_version: str | None
    new_version: str | None
    changes: list[Change] = field(default_factory=list)
    suggested_bump: Bump = Bump.none
    suggested_version: str | None = None
    declared: Bump | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def non_breaking(self) -> list[Change]:
        return [c for c in self.changes if not c.breaking]

    @property
    def exit_code(self) -> int:
        return 1 if self.breaking else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "old": {"file": self.old_file, "version": self.old_version},
            "new": {"file": self.new_file, "version": self.new_version},
            "breaking": len(self.breaking),
            "non_breaking": len(self.non_breaking),
            "suggested_bump": self.suggested_bump.value,
            "suggested_version": self.suggested_version,
            "declared_bump": self.declared.value if self.declared else None,
            "warnings": list(self.warnings),
            "exit_code": self.exit_code,
            "changes": [c.to_dict() for c in self.changes],
        }


def _version_warnings(result: DiffResult) -> None:
    old, new = result.old_version, result.new_version
    if old is None or new is None or not (SEMVER.match(old) and SEMVER.match(new)):
        return
    result.declared = declared_bump(old, new)
    result.suggested_version = next_version(old, result.suggested_bump)
    if result.declared is None:
        result.warnings.append(f"version goes backwards: {old} -> {new}")
        return
    needed = result.suggested_bump
    if needed is Bump.major and _semver(old)[0] == 0:
        needed = Bump.minor  # 0.y.z: anything may change; a minor bump signals it
    if result.declared.rank < needed.rank:
        declared = "unchanged" if result.declared is Bump.none else f"a {result.declared} bump"
        result.warnings.append(
            f"version {new} is {declared} from {old}; these changes need a "
            f"{needed} bump (at least {next_version(old, needed)})"
        )


def diff_versions(old: Version | None, new: Version | None) -> DiffResult:
    """The changes between two versions of one file; one of them may be None (the file
    is added or removed)."""
    if old is None or new is None:
        present = old or new
        assert present is not None
        found = changes(old, new)
        result = DiffResult(
            kind=present.kind,
            name=present.name,
            old_file=old.label if old else "(absent)",
            new_file=new.label if new else "(absent)",
            old_version=getattr(old.model, "version", None) if old else None,
            new_version=getattr(new.model, "version", None) if new else None,
            changes=found,
            suggested_bump=max(
                (BUMP_OF[c.impact] for c in found), key=lambda b: b.rank, default=Bump.none
            ),
        )
        return result
    if old.kind != new.kind:
        raise UsageError(
            f"cannot compare an {old.kind} ({old.label}) with a {new.kind} ({new.label})"
            if old.kind == "entity"
            else f"cannot compare a {old.kind} ({old.label}) with an {new.kind} ({new.label})",
            hint="pass two versions of the same entity contract or channel binding",
        )
    if old.kind == "entity" and old.name != new.name:
        raise UsageError(
            f"these are two different entities: '{old.name}' and '{new.name}'",
            hint="pass two versions of the same entity contract",
        )
    found = changes(old, new)
    bump = max((BUMP_OF[c.impact] for c in found), key=lambda b: b.rank, default=Bump.none)
    result = DiffResult(
        kind=old.kind,
        name=new.name,
        old_file=old.label,
        new_file=new.label,
        old_version=getattr(old.model, "version", None),
        new_version=getattr(new.model, "version", None),
        changes=found,
        suggested_bump=bump,
    )
    _version_warnings(result)
    return result


def diff(old: str | Path, new: str | Path) -> DiffResult:
    """Compare two versions (file paths or ``git:REV:path``) of a contract or binding.
    One may be missing: the file is added (no old version) or removed (no new one)."""
    before, after = read_version_or_absent(old), read_version_or_absent(new)
    if before is None and after is None:
        raise UsageError(
            f"neither {old} nor {new} exists",
            hint="pass two versions of one file; a git revision must exist locally",
        )
    return diff_versions(before, after)


__all__ = ["Bump", "DiffResult", "Version", "changes", "diff", "read_version"]
