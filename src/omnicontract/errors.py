"""Errors that stop a run. Data problems are findings, never exceptions.

Every error carries where it happened (file, line, column when known) and a hint,
so the CLI can print one clear message and exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from omnicontract.redact import redact


@dataclass(frozen=True)
class Location:
    file: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        if self.file is None:
            return ""
        parts = [str(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class OmnicontractError(Exception):
    """Base class: something prevents the run (exit code 2)."""

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        # a message can quote a URL or a configuration value: no credential leaves in it
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = redact(hint) if hint else hint

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ContractError(OmnicontractError):
    """A contract, channel binding or project file is malformed or inconsistent."""


class SourceError(OmnicontractError):
    """A source cannot be reached at all (used only where a run cannot continue)."""


class UsageError(OmnicontractError):
    """Bad flags or arguments."""


class MissingExtraError(OmnicontractError):
    """An optional dependency is needed for what was asked."""

    def __init__(self, package: str, extra: str, purpose: str):
        super().__init__(
            f"{purpose} needs the '{package}' package, which is not installed",
            hint=f"pip install 'omnicontract[{extra}]'",
        )
