"""Identity-key normalization, applied to distinct values only (never row by row).

Phone numbers go through libphonenumber, which costs about 20 µs a value in Python. So
that millions of distinct numbers stay affordable, three things keep that work small and
bounded: the engine first reduces every raw value of the plain layouts (digits with
spaces, ``( ) . -`` and an optional leading ``+``) to its digits in SQL
(:func:`phone_work`), which libphonenumber reads exactly as it reads the raw text, so
``(11) 98765-4321`` and ``11 98765 4321`` are normalized once; values are handed over in
batches of bounded size (:func:`normalize_phone_batches`); and the batches run on every
core. On DuckDB, many items of the plain layouts are normalized in SQL instead
(``phone_sql``), with the same results.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

# one unit of work: (text, region or "", international)
PhoneItem = tuple[str, str, bool]


def _e164(raw: str | None, region: str | None, international: bool = False) -> str | None:
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


@lru_cache(maxsize=100_000)
def to_e164(raw: str | None, region: str | None, international: bool = False) -> str | None:
    """A valid number in E.164, or None. ``region`` is the ISO country of local numbers;
    ``international`` reads numbers as country-code-first even without a ``+``."""
    return _e164(raw, region, international)


# Characters of the plain layouts: libphonenumber drops them all but the digits (no
# letters, extensions, second numbers or other markers can hide among them).
PLAIN_LOCAL = r"[0-9 ().\-]+"
PLAIN_INTERNATIONAL = r"\+[0-9 ().\-]*"
MAX_PLAIN_LENGTH = 100  # far below libphonenumber's own input limit (250)


def phone_work(
    raw: ColumnElement[Any], region: str | None, international: bool
) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """SQL for the work item of a raw phone value: ``(text, region, international)`` with
    ``to_e164(text, region or None, international) == to_e164(raw, region, international)``.

    A value of a plain layout becomes its digits (after the same ``00``/international
    rules as :func:`to_e164`), with a ``+`` when it had one; then the region no longer
    matters, so one number written several ways, in several feeds, is one item. Except
    after a ``+`` whose digits start with no country calling code (``+00 15 ...``):
    libphonenumber then reads the digits again as a number of the region (its
    international prefix, say), so such an item keeps the region. Any other value is its
    own item, read by libphonenumber as it is.
    """
    from sqlalchemy import and_, case, false, func, literal, or_

    from omnicontract.validators.phone_sql import calling_code
    from omnicontract.validators.sqlfuncs import matches, text_length

    text = func.trim(raw)
    if international:
        bare = case((text.startswith("00"), func.substr(text, 3)), else_=text)
        text = case((text.startswith("+"), text), else_=literal("+") + bare)
    if region is None:
        text = case((text.startswith("00"), literal("+") + func.substr(text, 3)), else_=text)
    short = text_length(text) <= MAX_PLAIN_LENGTH
    plus = and_(short, matches(text, PLAIN_INTERNATIONAL))
    local = and_(short, matches(text, PLAIN_LOCAL)) if region is not None else false()
    digits = func.regexp_replace(text, literal("[^0-9]"), literal(""), literal("g"))
    as_text = case((plus, literal("+") + digits), (local, digits), else_=raw)
    with_code = and_(plus, calling_code(digits).is_not(None))
    as_region = case((with_code, literal("")), else_=literal(region or ""))
    as_international = case((or_(plus, local), false()), else_=literal(international))
    return as_text, as_region, as_international


def _normalize_chunk(items: list[PhoneItem]) -> list[str | None]:
    return [_e164(text, region or None, intl) for text, region, intl in items]


# Below this many distinct values a process pool costs more than it saves.
PARALLEL_THRESHOLD = 20_000
BATCH = 50_000  # work items handed over at a time (bounded memory on both sides)


def normalize_phone_batches(
    batches: Iterable[list[PhoneItem]],
    store: Callable[[list[PhoneItem], list[str | None]], None],
    total: int,
) -> None:
    """Normalize every batch and ``store`` it with its results, in order.

    With ``total`` items above :data:`PARALLEL_THRESHOLD` the batches run in a pool of
    forked processes, one per core, each batch split over all of them, at most two batches
    in flight, so memory stays bounded whatever the number of values; the workers end with
    the process, even when it is killed. The pool forks (Linux): a forked worker
    runs only this module's pure-Python code and never re-imports the caller's main
    module, so scripts and notebooks calling the API are safe. Anywhere a pool cannot run,
    the batches are normalized in this process.
    """
    workers = os.cpu_count() or 1
    it: Iterator[list[PhoneItem]] = iter(batches)
    if total >= PARALLEL_THRESHOLD and workers > 1 and hasattr(os, "fork"):
        try:
            _in_pool(it, store, workers)
            return
        except (OSError, RuntimeError, ValueError):
            pass  # what the pool had stored stays; the rest is done here
    for batch in it:
        store(batch, _normalize_chunk(batch))


def _in_pool(
    batches: Iterator[list[PhoneItem]],
    store: Callable[[list[PhoneItem], list[str | None]], None],
    workers: int,
) -> None:
    """Each batch is split over every worker (a single batch of 20k-50k values uses every
    core too); at most two batches are in flight."""
    import multiprocessing
    import warnings
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    def submit(batch: list[PhoneItem]) -> list[Future[list[str | None]]]:
        step = -(-len(batch) // workers)
        return [
            pool.submit(_normalize_chunk, batch[i : i + step]) for i in range(0, len(batch), step)
        ]

    def finish(batch: list[PhoneItem], futures: list[Future[list[str | None]]]) -> None:
        store(batch, [r for f in futures for r in f.result()])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with engine threads idle
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            pending: deque[tuple[list[PhoneItem], list[Future[list[str | None]]]]] = deque()
            for batch in batches:
                pending.append((batch, submit(batch)))
                if len(pending) >= 2:
                    finish(*pending.popleft())
            while pending:
                finish(*pending.popleft())


def _die_with_parent(parent: int) -> None:
    """In a pool worker: end when the process that forked it ends, even killed (a worker
    blocked on its queue would otherwise outlive it): the kernel's parent-death signal
    where there is one (Linux), and a watch on the parent everywhere."""
    import signal
    import threading
    import time

    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def normalize_phones(
    values: list[str], region: str | None, international: bool = False
) -> list[str | None]:
    """E.164 for each of ``values`` (a list that fits in memory), on every core when
    there are many of them."""
    out: list[str | None] = []
    items = [(v, region or "", international) for v in values]
    batches = (items[i : i + BATCH] for i in range(0, len(items), BATCH))
    normalize_phone_batches(batches, lambda _b, r: out.extend(r), len(items))
    return out
