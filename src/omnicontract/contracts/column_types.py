"""The grammar of a binding's ``column_type``: the type a source column itself must have
(see :mod:`omnicontract.validators.column_types`, which judges it). A type is a category
(:data:`CATEGORIES`), ``{array: TYPE}`` (its items) or ``{object: {name: TYPE, ...}}``
(the names it must have; others are allowed)."""

from __future__ import annotations

from typing import Any

CATEGORIES = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "timestamp",
    "time",
    "array",
    "object",
    "any",
)


def problem(declared: Any) -> str | None:
    """Why ``declared`` is not a column type, or None."""
    if isinstance(declared, str):
        return None if declared in CATEGORIES else f"unknown type {declared!r}"
    if not isinstance(declared, dict) or len(declared) != 1:
        return "a type is a name, {array: TYPE} or {object: {name: TYPE, ...}}"
    ((kind, inner),) = declared.items()
    if kind == "array":
        return problem(inner)
    if kind == "object":
        if not isinstance(inner, dict) or not inner:
            return "{object: ...} names its fields: {object: {name: TYPE, ...}}"
        for name, sub in inner.items():
            why = problem(sub)
            if why is not None:
                return f"{name}: {why}"
        return None
    return f"unknown type {kind!r}: a type is a name, {{array: ...}} or {{object: ...}}"


def describe(declared: Any) -> str:
    """``array of integer``, ``object with name (string), active (boolean)``."""
    if isinstance(declared, str):
        return declared
    ((kind, inner),) = declared.items()
    if kind == "array":
        return f"array of {describe(inner)}"
    return "object with " + ", ".join(f"{n} ({describe(t)})" for n, t in inner.items())
