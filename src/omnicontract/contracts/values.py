"""What the values a contract names must be, checked when the file is loaded.

A contract only describes data; but its regular expressions, time zones, phone regions,
parse formats, globs, durations and sizes are handed to an engine later, and an engine
that meets one it cannot use stops the whole run. So each is checked here, against the
dialect the engine speaks, and a bad one is a load error naming the file and line:

- regular expressions: RE2 syntax (DuckDB's dialect; no lookaround, no backreferences,
  repetition counts up to 1000, no ``\\Z``), and Python's (the pandera and Great
  Expectations exports use it);
- time zones: IANA names, with did-you-mean;
- phone regions: regions the phone-number library knows, with did-you-mean;
- strptime formats: the specifiers DuckDB's ``strptime`` accepts;
- globs (identity placeholders): translated to an RE2 expression of our own making;
- durations (``30s``, ``24h``) and sizes (``512MB``, ``2GiB``) within sane bounds.

Each checker returns ``None`` when the value is fine, else a message (values in it cut to
about 80 characters).
"""

from __future__ import annotations

import difflib
import functools
import re
import warnings

from omnicontract.redact import clip

MAX_DURATION_S = 100 * 366 * 86400  # a century
DURATION = re.compile(r"^\s*(\d{1,12})\s*(s|m|h|d)\s*$")
SIZE = re.compile(r"^\s*(\d{1,15}(?:\.\d{1,6})?)\s*([KMGT]i?B|B|bytes?)?\s*$", re.IGNORECASE)
SIZE_UNITS = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
MIN_MEMORY = 2**20  # below a megabyte no engine can run
MAX_PATTERN = 10_000  # characters of one regular expression

# DuckDB's strptime specifiers (a '-' flag is allowed before the numeric ones)
_STRPTIME = set("aAbBcdfgGhHIjmMnpSTuUVwWxXyYzZ%")
_STRPTIME_DASH = set("dmHIMSyjU")


@functools.cache
def _re2_options():  # type: ignore[no-untyped-def]
    import re2

    options = re2.Options()
    options.log_errors = False  # the library would print to standard error
    return options


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used by the engines, or None."""
    if len(pattern) > MAX_PATTERN:
        return f"the regular expression is longer than {MAX_PATTERN:,} characters"
    import re2

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern)
        python_error = None
    except (re.error, RecursionError, OverflowError) as exc:
        python_error = str(exc)
    try:
        re2.compile(pattern, _re2_options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else str(exc)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        if python_error:
            return f"invalid regular expression '{clip(pattern)}': {clip(reason)}"
        return (
            f"regular expression '{clip(pattern)}' uses what the engine's dialect (RE2) does "
            f"not support: {clip(reason)} (RE2 has no lookaround, no backreferences, "
            "repetition counts up to 1000, and \\z instead of \\Z)"
        )
    if python_error:
        return (
            f"invalid regular expression '{clip(pattern)}' in Python's dialect, which the "
            f"pandera and Great Expectations exports use: {clip(python_error)}"
        )
    return None


def glob_regex(glob: str) -> str:
    """An RE2 (and Python) expression matching the whole of what the shell-style ``glob``
    matches: ``*`` any text (line breaks too), ``?`` one character, ``[abc]`` / ``[!abc]``
    a class."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        ch = glob[i]
        i += 1
        if ch == "*":
            if not out or out[-1] != r"(?:.|\n)*":  # '**' is the same as '*'
                out.append(r"(?:.|\n)*")  # any text, line breaks too, in the portable dialect
        elif ch == "?":
            out.append(r"(?:.|\n)")
        elif ch == "[":
            j = i + 1 if i < n and glob[i] == "!" else i
            j = j + 1 if j < n and glob[j] == "]" else j
            end = glob.find("]", j)
            if end < 0:
                out.append(re.escape("["))
                continue
            body = glob[i:end]
            i = end + 1
            negate = body.startswith("!")
            body = body[1:] if negate else body
            body = body.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
            out.append("[" + ("^" if negate else "") + body + "]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def glob_problem(glob: str) -> str | None:
    if not glob:
        return "an empty placeholder matches nothing"
    if len(glob) > 1000:
        return "a placeholder is longer than 1,000 characters"
    problem = regex_problem(glob_regex(glob.lower()))
    if problem:
        return f"placeholder '{clip(glob)}' is not a valid glob (* ? [abc] [!abc])"
    return None


NOT_ZONES = {"localtime", "posixrules", "Factory"}


@functools.cache
def _zones() -> dict[str, str]:
    import zoneinfo

    zones = zoneinfo.available_timezones() - NOT_ZONES
    return {z.lower(): z for z in zones}


@functools.cache
def _packaged_zones() -> frozenset[str]:
    """The names the tzdata package lists, in one file: each is one of ``_zones()``
    (``available_timezones`` starts from this list), so a name found here is known without
    opening every file of the system's zone folders as ``_zones()`` does."""
    from importlib import resources

    try:
        text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(z.strip() for z in text.splitlines() if z.strip()) - NOT_ZONES


def zone_problem(zone: str) -> str | None:
    """Why ``zone`` is not an IANA time zone name, with a did-you-mean."""
    if zone in _packaged_zones():
        return None
    zones = _zones()
    if zone in zones.values():
        return None
    wanted = zones.get(zone.lower())
    if wanted is None and len(zone) <= 64:
        close = difflib.get_close_matches(zone.lower(), list(zones), n=1, cutoff=0.75)
        wanted = zones[close[0]] if close else None
    hint = f"; did you mean '{wanted}'?" if wanted else " (use an IANA name such as Europe/Lisbon)"
    return f"unknown time zone '{clip(zone)}'{hint}"


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a phone region (ISO 3166 alpha-2 the phone library knows)."""
    import phonenumbers

    regions = phonenumbers.SUPPORTED_REGIONS
    if region in regions:
        return None
    wanted = region.upper() if region.upper() in regions else None
    if wanted is None and len(region) <= 64:
        import pycountry

        try:
            country = pycountry.countries.lookup(region)
        except LookupError:
            country = None
        if country is not None and country.alpha_2 in regions:
            wanted = country.alpha_2
    hint = f"; did you mean '{wanted}'?" if wanted else " (use an ISO country code such as BR)"
    return f"unknown phone region '{clip(region)}'{hint}"


def strptime_problem(fmt: str) -> str | None:
    """Why ``fmt`` is not a format DuckDB's strptime reads (``epoch_s``/``epoch_ms`` are ours)."""
    if fmt in ("epoch_s", "epoch_ms"):
        return None
    if len(fmt) > 200:
        return "a parse format is longer than 200 characters"
    i, n = 0, len(fmt)
    while i < n:
        if fmt[i] != "%":
            i += 1
            continue
        spec = fmt[i + 1 : i + 2]
        if spec == "-" and fmt[i + 2 : i + 3] in _STRPTIME_DASH:
            i += 3
            continue
        if not spec:
            return f"parse format '{clip(fmt)}' ends with a lone '%'"
        if spec not in _STRPTIME:
            return (
                f"parse format '{clip(fmt)}' uses '%{clip(spec)}', which strptime does not know "
                "(see https://duckdb.org/docs/sql/functions/dateformat)"
            )
        i += 2
    if "%" not in fmt:
        return f"parse format '{clip(fmt)}' has no % specifier; write e.g. %d/%m/%Y %H:%M"
    return None


def duration_problem(text: str) -> str | None:
    match = DURATION.match(text)
    if not match:
        return f"'{clip(text)}' is not a duration such as 30s, 5m, 24h or 2d"
    if duration_seconds(text) > MAX_DURATION_S:
        return f"'{clip(text)}' is longer than a century"
    return None


def duration_seconds(text: str) -> int:
    match = DURATION.match(text)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def parse_size(text: str) -> int:
    """Bytes in a size such as ``512MB``, ``2GiB`` or ``1.5 GB`` (no unit: bytes).
    Raises ValueError with a message to show."""
    match = SIZE.match(text or "")
    if not match:
        raise ValueError(f"'{clip(text)}' is not a size such as 512MB, 2GB or 1GiB")
    unit = (match.group(2) or "b").lower()
    size = int(float(match.group(1)) * SIZE_UNITS[unit])
    if size < MIN_MEMORY:
        raise ValueError(f"'{clip(text)}' is less than 1MB")
    if size > 2**50:
        raise ValueError(f"'{clip(text)}' is more than a petabyte")
    return size
