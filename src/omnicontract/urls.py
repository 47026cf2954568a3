"""Database URLs from project files: ``${ENV_VAR}`` in the password, and the backend.

Every message, report or log line that may carry a connection URL goes through
:func:`redact` (``omnicontract.redact``, the one redaction of the package): user names,
passwords (in the user info, in ``password=`` style query parameters, and in scheme-less
``user:secret@host`` forms) are replaced by ``***``.
An expanded environment value is never printed: callers keep the expanded URL to
themselves and show :func:`redact` of the URL as written.

A URL written in a project file may take its password from the environment
(``postgresql://qa:${CRM_PASSWORD}@db/crm``), and only its password: an expansion in the
host, database, user or query could carry a secret to a host the URL names, or into a
file name, so it is refused. The expanded value is returned to the caller to redact
(``omnicontract.redact``) and is never printed.
"""

from __future__ import annotations

import os
import re
from typing import Any

from omnicontract.redact import redact  # the one redaction, re-exported for URL callers

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCHEME = re.compile(r"^(?P<backend>[A-Za-z][A-Za-z0-9.-]*)(?:\+[A-Za-z0-9_.-]+)?://")

__all__ = [
    "ENV_REF",
    "SCHEME",
    "EnvironmentProblem",
    "backend",
    "encode_userinfo",
    "expand_password",
    "misplaced_env",
    "redact",
]


class EnvironmentProblem(ValueError):
    """A ``${NAME}`` that is misplaced or not set; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def backend(url: str) -> str | None:
    """The database kind of a URL (``postgresql``, ``sqlite``), or None if it has no scheme."""
    match = SCHEME.match(url.strip())
    if not match:
        return None
    name = match.group("backend").lower()
    return "postgresql" if name == "postgres" else name


def encode_userinfo(url: str) -> str:
    """``url`` with an unencoded ``@`` (or ``:``) in its password percent-encoded, so a URL
    parser splits user info from host at the last ``@`` of the authority, as a browser
    does, instead of sending the rest of the password to the network as a host name."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    head = rest.split("?", 1)[0].split("#", 1)[0]
    at = head.rfind("@")
    if at < 0 or "@" not in head[:at]:
        return url
    from urllib.parse import quote

    user, colon, password = rest[:at].partition(":")
    return f"{scheme}://{user}{colon}{quote(password, safe='')}{rest[at:]}"


def misplaced_env(parsed: Any) -> str | None:
    """The part of a parsed URL other than the password that names ``${...}``, if any."""
    for part in ("username", "host", "database", "drivername"):
        if ENV_REF.search(str(getattr(parsed, part) or "")):
            return part
    if any(ENV_REF.search(f"{k}={v}") for k, v in parsed.query.items()):
        return "query"
    return None


def expand_password(parsed: Any, what: str) -> tuple[Any, str | None]:
    """``parsed`` with ``${NAME}`` expanded in its password, and the password (to redact).
    ``what`` names the URL in messages (``the history URL``, ``connection 'crm'``)."""
    part = misplaced_env(parsed)
    if part is not None:
        raise EnvironmentProblem(
            f"{what} uses ${{...}} in its {part}; only the password may come from the environment",
            "write the rest out, e.g. postgresql://qa:${PASSWORD}@db/name",
        )
    password = parsed.password if isinstance(parsed.password, str) else None
    if password is None or not ENV_REF.search(password):
        return parsed, password

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise EnvironmentProblem(
                f"{what} uses ${{{name}}}, which is not set",
                f"export {name}=... before running",
            )
        return os.environ[name]

    expanded = ENV_REF.sub(value, password)
    return parsed.set(password=expanded), expanded
