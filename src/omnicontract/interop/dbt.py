"""A dbt ``schema.yml`` model for one entity: columns, descriptions and data tests.

``omnicontract export dbt contracts/customer.yaml --option model=dim_customer``. Options:

- ``model=NAME``: the dbt model the tests apply to (default: the entity's name);
- ``refs=ENTITY:MODEL,...``: the model behind each referenced entity (default: its name);
- ``tests_key=data_tests|tests``: ``data_tests`` (dbt >= 1.8, the default) or ``tests``;
- ``packages=dbt_utils,dbt_expectations``: also emit tests from those packages (ranges,
  lengths, regular expressions, not-in-the-future), which need them in ``packages.yml``.

Only dbt's built-in generic tests are emitted by default: ``not_null``, ``unique``,
``accepted_values`` (enums, ISO countries and currencies) and ``relationships``.
"""

from __future__ import annotations

from typing import Any

import yaml

from omnicontract.contracts.model import EntityContract, FieldSpec, LogicalType
from omnicontract.errors import UsageError
from omnicontract.interop._rules import anchored, check_options, format_rule, is_unique, not_null

PACKAGES = ("dbt_utils", "dbt_expectations")


def _refs(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        entity, sep, model = item.partition(":")
        if not sep or not entity.strip() or not model.strip():
            raise UsageError(f"refs item {item!r} is not ENTITY:MODEL")
        out[entity.strip()] = model.strip()
    return out


def _packages(text: str | None) -> set[str]:
    chosen = {p.strip() for p in (text or "").split(",") if p.strip()}
    unknown = sorted(chosen - set(PACKAGES))
    if unknown:
        raise UsageError(
            f"unknown dbt package(s): {', '.join(unknown)}", hint="packages: " + ", ".join(PACKAGES)
        )
    return chosen


def _optional_tests(spec: FieldSpec, packages: set[str]) -> list[Any]:
    """Tests from dbt_utils / dbt_expectations, only when asked for."""
    tests: list[Any] = []
    if "dbt_utils" in packages and (spec.minimum is not None or spec.maximum is not None):
        args: dict[str, Any] = {"inclusive": True}
        if spec.minimum is not None:
            args["min_value"] = spec.minimum
        if spec.maximum is not None:
            args["max_value"] = spec.maximum
        tests.append({"dbt_utils.accepted_range": args})
    if "dbt_expectations" not in packages:
        return tests
    if spec.type == LogicalType.string and (
        spec.min_length is not None or spec.max_length is not None
    ):
        args = {}
        if spec.min_length is not None:
            args["min_value"] = spec.min_length
        if spec.max_length is not None:
            args["max_value"] = spec.max_length
        tests.append({"dbt_expectations.expect_column_value_lengths_to_be_between": args})
    patterns = [spec.pattern] if spec.pattern else []
    if spec.format is not None:
        rule = format_rule(spec.format)
        if rule.pattern is not None:
            patterns.append(rule.pattern)
    for pattern in patterns:
        tests.append(
            {"dbt_expectations.expect_column_values_to_match_regex": {"regex": anchored(pattern)}}
        )
    if spec.not_future:
        tests.append(
            {
                "dbt_expectations.expect_column_values_to_be_between": {
                    "max_value": "current_timestamp"
                    if spec.type == "timestamp"
                    else "current_date",
                    "parse_strings_as_datetimes": False,
                }
            }
        )
    return tests


def column_tests(
    name: str,
    spec: FieldSpec,
    contract: EntityContract,
    refs: dict[str, str],
    packages: set[str],
) -> list[Any]:
    """The data tests of one column."""
    pk = contract.primary_key
    tests: list[Any] = []
    if not_null(name, spec, pk):
        tests.append("not_null")
    if is_unique(name, spec, pk):
        tests.append("unique")
    values: list[str] | None = list(spec.enum) if spec.enum else None
    if values is None and spec.format is not None:
        rule = format_rule(spec.format)
        values = list(rule.values) if rule.values is not None else None
    if values is not None:
        tests.append({"accepted_values": {"values": values}})
    if spec.references:
        entity, _, field = spec.references.partition(".")
        model = refs.get(entity, entity)
        tests.append({"relationships": {"to": f"ref('{model}')", "field": field}})
    return tests + _optional_tests(spec, packages)


def dbt_model(contract: EntityContract, options: dict[str, Any]) -> dict[str, Any]:
    """The ``schema.yml`` document, as a dict."""
    tests_key = options.get("tests_key") or "data_tests"
    if tests_key not in ("data_tests", "tests"):
        raise UsageError(f"tests_key={tests_key!r}: use data_tests or tests")
    refs, packages = _refs(options.get("refs")), _packages(options.get("packages"))
    columns = []
    for name, spec in contract.fields.items():
        column: dict[str, Any] = {"name": name}
        if spec.description:
            column["description"] = " ".join(spec.description.split())
        meta: dict[str, Any] = {"type": spec.type.value}
        if spec.format is not None:
            meta["format"] = spec.format.value
        if spec.pii:
            meta["pii"] = True
        column["meta"] = meta
        tests = column_tests(name, spec, contract, refs, packages)
        if tests:
            column[tests_key] = tests
        columns.append(column)
    model: dict[str, Any] = {"name": options.get("model") or contract.entity}
    description = contract.description or contract.title
    if description:
        model["description"] = " ".join(description.split())
    meta = {"omnicontract": {"entity": contract.entity, "version": contract.version}}
    if contract.owner:
        meta["owner"] = contract.owner
    model["meta"] = meta
    model["columns"] = columns
    return {"version": 2, "models": [model]}


def export(contract: EntityContract, options: dict[str, Any]) -> str:
    check_options(options, {"model", "refs", "tests_key", "packages"}, "dbt")
    header = (
        f"# dbt model for the '{contract.entity}' contract, version {contract.version}\n"
        "# generated by `omnicontract export dbt`; regenerate rather than edit\n"
    )
    body = yaml.safe_dump(
        dbt_model(contract, options), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body
