"""Identity-key normalization, applied to distinct values only (never row by row)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1_000_000)
def to_e164(raw: str | None, region: str | None, international: bool = False) -> str | None:
    """A valid number in E.164, or None. ``region`` is the ISO country of local numbers;
    ``international`` reads numbers as country-code-first even without a ``+``."""
    import phonenumbers  # on first use only: no run without phone fields pays for it
    from phonenumbers import NumberParseException, PhoneNumberFormat

    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if international and not text.startswith("+"):
        text = "+" + text.removeprefix("00")
    if text.startswith("00") and region is None:
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _normalize_chunk(args: tuple[list[str], str | None, bool]) -> list[str | None]:
    values, region, international = args
    return [to_e164(v, region, international) for v in values]


# Below this many distinct values a process pool costs more than it saves.
PARALLEL_THRESHOLD = 20_000


def normalize_phones(
    values: list[str], region: str | None, international: bool = False
) -> list[str | None]:
    """E.164 for each distinct raw value, on every core when there are many of them.

    The pool forks (Linux): a forked worker runs only this module's pure-Python code and
    never re-imports the caller's main module, so scripts and notebooks calling the API
    are safe. Anywhere a pool cannot run, the values are normalized in this process.
    """
    import os

    workers = os.cpu_count() or 1
    if len(values) < PARALLEL_THRESHOLD or workers < 2 or not hasattr(os, "fork"):
        return [to_e164(v, region, international) for v in values]
    import multiprocessing
    import warnings
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(values) // (workers * 4))
    chunks = [(values[i : i + size], region, international) for i in range(0, len(values), size)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with engine threads idle
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                out: list[str | None] = []
                for part in pool.map(_normalize_chunk, chunks):
                    out.extend(part)
                return out
    except (OSError, RuntimeError, ValueError):
        return [to_e164(v, region, international) for v in values]
