"""omnicontract: data contracts and cross-channel consistency for customer data.

The public API is loaded lazily so that ``import omnicontract`` (and the CLI's
``--help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "lint", "load_project", "validate"]

if TYPE_CHECKING:
    from omnicontract.api import lint, load_project, validate


def __getattr__(name: str) -> Any:
    if name in ("load_project", "validate", "lint"):
        from omnicontract import api

        return getattr(api, name)
    raise AttributeError(f"module 'omnicontract' has no attribute {name!r}")
