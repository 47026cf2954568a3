"""The check registry. Built-in checks register through the ``omnicontract.checks``
entry point, exactly as a plugin does; ``omnicontract checks``, the docs and the
override validation all read from here."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnicontract.validators.checks.base import Check

GROUP = "omnicontract.checks"


class Registry:
    def __init__(self) -> None:
        self._by_code: dict[str, type[Check]] = {}

    def register(self, check: type[Check]) -> None:
        existing = self._by_code.get(check.code)
        if existing is not None and existing is not check:
            raise ValueError(f"check code {check.code} registered twice: {existing} and {check}")
        for other in self._by_code.values():
            if other.name == check.name and other is not check:
                raise ValueError(f"check name '{check.name}' used by {other.code} and {check.code}")
        self._by_code[check.code] = check

    def all(self) -> list[type[Check]]:
        return sorted(self._by_code.values(), key=lambda c: c.code)

    def get(self, selector: str) -> type[Check]:
        if selector in self._by_code:
            return self._by_code[selector]
        for check in self._by_code.values():
            if check.name == selector:
                return check
        raise KeyError(selector)

    def selectors(self) -> set[str]:
        return set(self._by_code) | {c.name for c in self._by_code.values()}

    def of_kind(self, kind: str) -> list[type[Check]]:
        return [c for c in self.all() if c.kind == kind]


def _load_into(reg: Registry) -> None:
    found = False
    for ep in entry_points(group=GROUP):
        obj = ep.load()
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        for check in items:
            reg.register(check)
        found = found or ep.name == "builtin"
    if not found:  # running from a source tree without installed metadata
        from omnicontract.validators.checks import BUILTIN_CHECKS

        for check in BUILTIN_CHECKS:
            reg.register(check)


@lru_cache(maxsize=1)
def registry() -> Registry:
    reg = Registry()
    _load_into(reg)
    return reg
