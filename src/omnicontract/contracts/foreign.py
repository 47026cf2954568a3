"""Which other standard a YAML document follows, told from its top-level keys alone, so
that loading a native project never imports the readers of those standards
(``odcs_import``, ``dcs``)."""

from __future__ import annotations

import re
from typing import Any

_ODCS_API = re.compile(r"^v?[23]\.\d")


def is_odcs(data: Any) -> bool:
    """An ODCS document (any version) rather than a native contract."""
    if not isinstance(data, dict):
        return False
    if data.get("kind") == "DataContract":
        return True
    return bool(_ODCS_API.match(str(data.get("apiVersion", "")))) and "schema" in data


def is_dcs(data: Any) -> bool:
    """A Data Contract Specification document."""
    return isinstance(data, dict) and "dataContractSpecification" in data


def is_foreign(data: Any) -> bool:
    """An ODCS or DCS document: one the ODCS importer reads."""
    return is_dcs(data) or is_odcs(data)
