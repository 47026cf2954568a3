"""What may be printed: secrets out of URLs, and long values cut short.

Every text that leaves the process (error messages, reports, the run history, ``--debug``
tracebacks) goes through :func:`redact`, so a credential never depends on the caller
remembering to hide it. It lives in the lowest layer because every layer prints.

Forms it hides:

- user info of a URL, user name and password: ``postgresql://qa:secret@db/qa`` ->
  ``postgresql://***@db/qa``, also when the password holds an unencoded ``@`` and when the
  scheme is missing (``qa:secret@db:5432/qa``); a user name alone (``https://TOKEN@host``)
  is how tokens travel, so it goes too;
- secret parameters in a query string or a key=value connection string
  (``?password=``, ``&pwd=``, ``sslpassword=``, ``token=``, ``api_key=``, ``secret=``, ...);
- any literal secret the caller knows (an expanded ``${VAR}``).
"""

from __future__ import annotations

import re

HIDDEN = "***"
CLIP = 80

_SECRET_KEYS = (
    r"(?:ssl)?pass(?:word|wd)?|pwd|secret|client_secret|(?:access_|auth_|refresh_|id_)?token"
    r"|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|auth|authorization"
    r"|credentials?|sig|signature|sas"
)
# key=value with the value up to a separator: query strings, libpq conninfo, JDBC options
_PARAM = re.compile(
    rf"(?P<key>(?<![A-Za-z0-9_])(?:{_SECRET_KEYS}))(?P<eq>\s*=\s*)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s&;,'\"<>)]+)",
    re.IGNORECASE,
)
# scheme://userinfo@ ; the user info runs to the last '@' of the token, so an unencoded
# '@' in a password is hidden too
_URL_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/'\"<>@][^\s'\"<>]*)@"
    r"(?=[^\s'\"<>@]*(?:[\s'\"<>]|$))"
)
# no scheme: user:password@host
_BARE_USERINFO = re.compile(
    r"(?<![A-Za-z0-9+.\-:@])(?P<user>[A-Za-z0-9_.%+-]+):(?!//)(?P<password>[^\s'\"<>]+)@"
    r"(?=[A-Za-z0-9\[][^\s'\"<>@]*(?:[\s'\"<>]|$))"
)


# a password written as an unexpanded ${NAME} reference is no secret, and worth showing
_REFERENCE = re.compile(r"[^:@]*:\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def _userinfo(match: re.Match[str]) -> str:
    if _REFERENCE.fullmatch(match.group("userinfo")):
        return match.group(0)
    return f"{match.group('scheme')}{HIDDEN}@"


def _bare_userinfo(match: re.Match[str]) -> str:
    if _REFERENCE.fullmatch(f"{match.group('user')}:{match.group('password')}"):
        return match.group(0)
    return f"{HIDDEN}@"


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every credential it carries (see the module docstring) as ``***``."""
    if not text:
        return text
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(secret) >= 3:  # a one- or two-letter secret would blank out ordinary text
            text = text.replace(secret, HIDDEN)
    if "@" in text:
        text = _URL_USERINFO.sub(_userinfo, text)
        text = _BARE_USERINFO.sub(_bare_userinfo, text)
    if "=" in text:
        text = _PARAM.sub(lambda m: f"{m.group('key')}{m.group('eq')}{HIDDEN}", text)
    return text


def clip(value: object, limit: int = CLIP) -> str:
    """A value as it may be echoed in a message: its repr-free text, cut to ``limit``
    characters with an ellipsis, control characters shown escaped."""
    text = value if isinstance(value, str) else repr(value)
    cut = len(text) > limit
    text = text[:limit]
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    if len(text) > limit:
        text = text[:limit]
    return text + "…" if cut else text
