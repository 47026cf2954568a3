"""Words for counts, the same everywhere: ``1 channel``, ``3 channels``, ``1,024 rows``."""

from __future__ import annotations

IRREGULAR = {"info": "info", "entity": "entities", "is": "are", "was": "were", "has": "have"}


def word(count: int, singular: str, plural: str | None = None) -> str:
    """The form of ``singular`` that agrees with ``count`` (``row``/``rows``, and verbs:
    ``word(n, "points", "point")``)."""
    if count == 1:
        return singular
    if plural is not None:
        return plural
    if singular in IRREGULAR:
        return IRREGULAR[singular]
    if singular.endswith(("s", "x", "ch", "sh")):
        return singular + "es"
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"


def n_of(count: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``3 rows``, ``1,024 case ids``."""
    return f"{count:,} {word(count, singular, plural)}"
