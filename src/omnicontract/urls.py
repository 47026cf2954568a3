"""Database URLs: ``${ENV_VAR}`` expansion where the docs allow it, and redaction.

Every message, report or log line that may carry a connection URL goes through
:func:`redact` (``omnicontract.redact``, the one redaction of the package): user names,
passwords (in the user info, in ``password=`` style query parameters, and in scheme-less
``user:secret@host`` forms) are replaced by ``***``.
An expanded environment value is never printed: callers keep the expanded URL to
themselves and show :func:`redact` of the URL as written.
"""

from __future__ import annotations

import os
import re

from omnicontract.redact import redact  # the one redaction, re-exported for URL callers

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCHEME = re.compile(r"^(?P<backend>[A-Za-z][A-Za-z0-9.-]*)(?:\+[A-Za-z0-9_.-]+)?://")

__all__ = ["SCHEME", "backend", "env_names", "expand_env", "redact"]


def env_names(text: str) -> list[str]:
    """The ``${NAME}`` references of ``text``."""
    return _ENV_REF.findall(text)


def expand_env(text: str) -> tuple[str, list[str]]:
    """``text`` with each ``${NAME}`` replaced by the environment variable; the values
    used (to redact) are returned. A variable that is not set raises ``KeyError(name)``."""
    used: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise KeyError(name)
        used.append(os.environ[name])
        return os.environ[name]

    return _ENV_REF.sub(value, text), used


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
