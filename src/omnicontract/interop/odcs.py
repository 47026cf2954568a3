"""Export an entity contract as an Open Data Contract Standard (ODCS) v3.1.0 document.

What ODCS has a native place for goes there (types, required, unique, primary key,
classification, examples, string/number options, foreign-key relationships); a closed
vocabulary becomes an ``invalidValues`` library quality rule; what only omnicontract
knows (identity keys, event time, journey key, ``not_future``, formats such as
``e164``) goes to ``customProperties``, so an import gives the same contract back
(:mod:`omnicontract.contracts.odcs_import`).
"""

from __future__ import annotations

from typing import Any

import yaml

from omnicontract.contracts.model import EntityContract, FieldSpec, LogicalType
from omnicontract.interop._rules import anchored

API_VERSION = "v3.1.0"

# omnicontract logical type -> ODCS physicalType (DuckDB's names, which most SQL engines share)
PHYSICAL_TYPES: dict[LogicalType, str] = {
    LogicalType.string: "VARCHAR",
    LogicalType.integer: "BIGINT",
    LogicalType.number: "DOUBLE",
    LogicalType.boolean: "BOOLEAN",
    LogicalType.date: "DATE",
    LogicalType.timestamp: "TIMESTAMP WITH TIME ZONE",
}

# formats ODCS lists for logicalTypeOptions.format; the others are omnicontract's own
NATIVE_FORMATS = {"email", "uuid"}
PII_CLASSIFICATION = "restricted"
PII_TAG = "pii"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _custom(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"property": k, "value": v} for k, v in props.items() if v not in (None, [], False)]


def _type_options(spec: FieldSpec) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if spec.type == LogicalType.string:
        if spec.min_length is not None:
            opts["minLength"] = spec.min_length
        if spec.max_length is not None:
            opts["maxLength"] = spec.max_length
        if spec.pattern is not None:
            opts["pattern"] = anchored(spec.pattern)  # ODCS patterns match anywhere
        if spec.format is not None and spec.format.value in NATIVE_FORMATS:
            opts["format"] = spec.format.value
    elif spec.type in (LogicalType.integer, LogicalType.number):
        if spec.minimum is not None:
            opts["minimum"] = _number(spec.minimum)
        if spec.maximum is not None:
            opts["maximum"] = _number(spec.maximum)
    elif spec.type == LogicalType.timestamp:
        opts["timezone"] = True  # canonical timestamps are time-zone aware, in UTC
    return opts


def _property(contract: EntityContract, name: str, spec: FieldSpec) -> dict[str, Any]:
    prop: dict[str, Any] = {
        "name": name,
        "logicalType": spec.type.value,
        "physicalType": PHYSICAL_TYPES[spec.type],
    }
    if spec.description:
        prop["description"] = spec.description.strip()
    if contract.primary_key == name:
        prop["primaryKey"] = True
        prop["primaryKeyPosition"] = 1
    prop["required"] = spec.required
    prop["unique"] = spec.unique
    if spec.pii:
        prop["classification"] = PII_CLASSIFICATION
        prop["tags"] = [PII_TAG]
    opts = _type_options(spec)
    if opts:
        prop["logicalTypeOptions"] = opts
    if spec.examples:
        prop["examples"] = list(spec.examples)
    if spec.references:
        prop["relationships"] = [{"type": "foreignKey", "to": spec.references}]
    if spec.enum:
        prop["quality"] = [
            {
                "type": "library",
                "metric": "invalidValues",
                "arguments": {"validValues": list(spec.enum)},
                "mustBe": 0,
                "description": "Values outside the canonical vocabulary (omnicontract OC-FLD-005).",
                "dimension": "conformity",
            }
        ]
    fmt = spec.format.value if spec.format and spec.format.value not in NATIVE_FORMATS else None
    # ODCS's `required` refuses nulls only; omnicontract's, blank text too unless told not
    blank = (spec.required or contract.primary_key == name) and spec.blank_is_missing
    custom = _custom({"format": fmt, "notFuture": spec.not_future, "blankIsMissing": blank})
    if custom:
        prop["customProperties"] = custom
    return prop


def to_odcs(contract: EntityContract, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ODCS document of ``contract``, as plain data (see :func:`export`)."""
    options = dict(options or {})
    obj: dict[str, Any] = {
        "name": contract.entity,
        "logicalType": "object",
        "physicalType": "table",
    }
    if contract.title:
        obj["businessName"] = contract.title
    if contract.description:
        obj["description"] = contract.description.strip()
    obj["properties"] = [_property(contract, n, s) for n, s in contract.fields.items()]
    custom = _custom(
        {
            "identityKeys": list(contract.identity_keys),
            "eventTime": contract.event_time,
            "journeyKey": contract.journey_key,
        }
    )
    if custom:
        obj["customProperties"] = custom
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": options.get("id") or f"omnicontract-{contract.entity}",
        "name": contract.title or contract.entity,
        "version": contract.version,
        "status": options.get("status", "active"),
    }
    if contract.description:
        doc["description"] = {"purpose": contract.description.strip()}
    doc["schema"] = [obj]
    if contract.owner:
        doc["team"] = {
            "name": contract.owner,
            "members": [{"username": contract.owner, "role": "owner"}],
        }
    return doc


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    """ODCS v3.1.0 YAML. Options: ``id`` (default ``omnicontract-ENTITY``), ``status``
    (default ``active``)."""
    return yaml.safe_dump(
        to_odcs(contract, options), sort_keys=False, allow_unicode=True, width=100
    )
