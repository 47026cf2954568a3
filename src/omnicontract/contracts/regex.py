"""The one regular-expression dialect of contracts: what every engine reads alike.

A contract's ``pattern`` runs on DuckDB (RE2), PostgreSQL (POSIX advanced expressions),
SQLite (Python's ``re``, registered by omnicontract) and Spark (Java). They agree on a
common core and differ at the edges, so a pattern must keep to the core, checked when the
contract is loaded (``lint`` reports it with file and line):

- literals (any Unicode character written as itself), escapes of punctuation and
  ``\\t \\n \\r \\f \\v``;
- ``.`` (any character but a newline), classes ``[...]`` / ``[^...]`` with ranges;
- ``\\d \\w \\s`` and their negations, meaning ASCII ``[0-9]``, ``[0-9A-Za-z_]`` and
  ``[\\t\\n\\v\\f\\r ]`` on every engine (``\\D \\W \\S`` outside classes only);
- groups ``( )`` and ``(?: )``, alternation ``|``, anchors ``^ $``;
- ``* + ?``, bounded ``{m}`` ``{m,}`` ``{m,n}`` with numbers up to 255, lazy forms too.

Refused, because at least one engine reads it differently or not at all: look-around,
back-references, named groups, inline flags ``(?i)``, possessive and atomic forms,
``\\b \\B \\A \\Z \\z``, POSIX classes ``[[:alpha:]]``, Unicode properties, code
escapes ``\\x41`` ``\\u00e9`` (PostgreSQL reads every hex digit that follows).

:func:`portable` rewrites an accepted pattern into the explicit form each engine is given
(``\\d`` becomes ``[0-9]``, ``.`` becomes ``[^\\n]``), so the meaning does not depend on
an engine's locale or Unicode tables.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_REPEAT = 255  # PostgreSQL's bound
_CLASSES = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\v\\f\\r "}
_ALLOWED_ESCAPES = set("tnrfv") | set("\\.^$|?*+()[]{}-/ '\"#&~,:;<>=!@%`")


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is outside the portable dialect, or None when it is inside."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Python's own hints about nested sets
            re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    try:
        portable(pattern)
    except ValueError as exc:
        return str(exc)
    return None


def _bound(text: str, i: int) -> int:
    """Check a ``{m,n}`` at ``text[i]``; return the index after it (or i+1 for a literal)."""
    match = re.match(r"\{(\d*)(,?)(\d*)\}", text[i:])
    if not match or not (match.group(1) or match.group(3)):
        return i + 1
    for number in (match.group(1), match.group(3)):
        if number and int(number) > MAX_REPEAT:
            raise ValueError(f"a repetition bound above {MAX_REPEAT} ({match.group(0)})")
    end = i + len(match.group(0))
    if end < len(text) and text[end] == "+":
        raise ValueError("possessive repetition")
    return end


def _escape(text: str, i: int, in_class: bool) -> tuple[str, int]:
    """The portable form of the escape at ``text[i]`` (a backslash) and the next index."""
    if i + 1 >= len(text):
        raise ValueError("a trailing backslash")
    c = text[i + 1]
    if c.lower() in _CLASSES:
        body = _CLASSES[c.lower()]
        if c.isupper():
            if in_class:
                raise ValueError(f"\\{c} inside a character class")
            return f"[^{body}]", i + 2
        return (body if in_class else f"[{body}]"), i + 2
    if c in _ALLOWED_ESCAPES:
        return text[i : i + 2], i + 2
    names = {
        "b": "word boundaries (\\b)",
        "B": "\\B",
        "A": "\\A",
        "Z": "\\Z",
        "z": "\\z",
        "x": "code escapes (\\x)",
        "u": "code escapes (\\u)",
    }
    if c.isdigit():
        raise ValueError(f"back-references (\\{c})")
    raise ValueError(names.get(c, f"the escape \\{c}"))


def _group(text: str, i: int) -> int:
    """Check what follows a ``(``; return the index where the group's body starts."""
    if not text.startswith("(?", i):
        return i + 1
    if text.startswith("(?:", i):
        return i + 3
    rest = text[i + 2 : i + 4]
    if rest[:1] in ("=", "!") or rest in ("<=", "<!"):
        raise ValueError("look-around ((?=, (?!, (?<=, (?<!)")
    if rest[:1] in ("P", "<"):
        raise ValueError("named groups")
    if rest[:1] == ">":
        raise ValueError("atomic groups")
    raise ValueError("inline flags such as (?i)")


@lru_cache(maxsize=1024)
def portable(pattern: str) -> str:
    """``pattern`` in the explicit form every engine is given; ValueError names the
    construct when it is outside the dialect."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            piece, i = _escape(pattern, i, in_class)
            out.append(piece)
            continue
        if in_class:
            if pattern[i : i + 2] in ("[:", "[=", "[."):
                raise ValueError("POSIX classes such as [[:alpha:]]")
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            negated = pattern.startswith("[^", i)
            out.append("[^" if negated else "[")
            i += 2 if negated else 1
            continue
        if c == "(":
            start = _group(pattern, i)
            out.append(pattern[i:start])
            i = start
            continue
        if c == "{":
            end = _bound(pattern, i)
            out.append(pattern[i:end])
            i = end
            continue
        if c in "*+?" and i + 1 < len(pattern) and pattern[i + 1] == "+":
            raise ValueError("possessive repetition")
        out.append("[^\\n]" if c == "." else c)
        i += 1
    return "".join(out)
