"""JSON Schema (2020-12) of one entity's record, for API payloads and message queues.

``omnicontract export jsonschema contracts/customer.yaml``. Options:

- ``additional=true``: allow properties the contract does not define (default: not);
- ``id=URI``: the schema's ``$id``.

What JSON Schema cannot say about one record (uniqueness across records, references to
another entity, "not in the future") is kept as ``x-`` annotations so nothing of the
contract is lost.
"""

from __future__ import annotations

import json
from typing import Any

from omnicontract.contracts.model import EntityContract, FieldSpec, Format, LogicalType
from omnicontract.interop._rules import (
    anchored,
    check_options,
    format_rule,
    is_unique,
    not_null,
    parse_bool,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NOT_BLANK = r"\S"  # required text holds more than white space (OC-FLD-001)

_TYPES = {
    LogicalType.string: ("string", None),
    LogicalType.integer: ("integer", None),
    LogicalType.number: ("number", None),
    LogicalType.boolean: ("boolean", None),
    LogicalType.date: ("string", "date"),
    LogicalType.timestamp: ("string", "date-time"),
}
_JSON_FORMATS = {Format.email: "email", Format.uuid: "uuid"}
# Validators treat "format" as an annotation unless told otherwise: dates and
# timestamps also get a pattern, so every validator rejects `01/03/2026 12:30`.
# Timestamps must carry their offset (the contract's timestamps are time-zone aware).
_TIME_PATTERNS = {
    LogicalType.date: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    LogicalType.timestamp: (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
        r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    ),
}


def _text_rules(spec: FieldSpec, required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    patterns: list[str] = []
    if spec.format is not None:
        rule = format_rule(spec.format)
        if spec.format in _JSON_FORMATS:
            out["format"] = _JSON_FORMATS[spec.format]
        if rule.pattern is not None:
            patterns.append(anchored(rule.pattern))
        elif rule.values is not None:
            out["enum"] = list(rule.values)
    if spec.pattern is not None:
        patterns.append(anchored(spec.pattern))
    if required and spec.blank_is_missing:
        patterns.append(NOT_BLANK)
    if len(patterns) == 1:
        out["pattern"] = patterns[0]
    elif patterns:  # several patterns: each must match
        out["allOf"] = [{"pattern": p} for p in patterns]
    if spec.min_length is not None:
        out["minLength"] = spec.min_length
    if spec.max_length is not None:
        out["maxLength"] = spec.max_length
    return out


def property_schema(spec: FieldSpec, required: bool) -> dict[str, Any]:
    """The JSON Schema of one field's value (``null`` allowed unless it is required)."""
    json_type, json_format = _TYPES[spec.type]
    out: dict[str, Any] = {"type": json_type if required else [json_type, "null"]}
    if spec.description:
        out["description"] = " ".join(spec.description.split())
    if json_format:
        out["format"] = json_format
        out["pattern"] = _TIME_PATTERNS[spec.type]
    if spec.type == LogicalType.string:
        out.update(_text_rules(spec, required))
    if spec.enum:
        out["enum"] = list(spec.enum)
    if "enum" in out and not required:
        out["enum"] = [*out["enum"], None]
    if spec.minimum is not None:
        out["minimum"] = int(spec.minimum) if spec.minimum.is_integer() else spec.minimum
    if spec.maximum is not None:
        out["maximum"] = int(spec.maximum) if spec.maximum.is_integer() else spec.maximum
    if spec.examples:
        out["examples"] = list(spec.examples)
    if spec.pii:
        out["x-pii"] = True
    if spec.references:
        out["x-references"] = spec.references
    if spec.not_future:
        out["x-not-future"] = True
    return out


def json_schema(
    contract: EntityContract, *, additional: bool = False, schema_id: str | None = None
) -> dict[str, Any]:
    """The JSON Schema of a record of ``contract``, as a dict."""
    pk = contract.primary_key
    required = [n for n, s in contract.fields.items() if not_null(n, s, pk)]
    properties = {}
    for name, spec in contract.fields.items():
        prop = property_schema(spec, name in required)
        if name == pk:
            prop["x-primary-key"] = True
        elif is_unique(name, spec, pk):
            prop["x-unique"] = True
        properties[name] = prop
    schema: dict[str, Any] = {"$schema": DIALECT}
    if schema_id:
        schema["$id"] = schema_id
    schema["title"] = contract.title or contract.entity
    if contract.description:
        schema["description"] = " ".join(contract.description.split())
    schema["type"] = "object"
    schema["properties"] = properties
    schema["required"] = required
    schema["additionalProperties"] = additional
    schema["x-omnicontract"] = {
        "entity": contract.entity,
        "version": contract.version,
        **({"owner": contract.owner} if contract.owner else {}),
        **({"primary_key": pk} if pk else {}),
    }
    return schema


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    check_options(options, {"additional", "id"}, "jsonschema")
    schema = json_schema(
        contract,
        additional=parse_bool(options.get("additional"), False, "additional"),
        schema_id=options.get("id") or None,
    )
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
