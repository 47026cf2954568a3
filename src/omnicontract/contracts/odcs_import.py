"""Read an Open Data Contract Standard (ODCS v3.0.x / v3.1) document as an entity contract.

Liberal in what it accepts: v3.0 and v3.1 documents, missing optional parts, several
schema objects (pick one by name), logical type synonyms (``varchar``, ``bigint``,
``datetime``...), numbers and booleans written as strings, v3.0 quality rules
(``rule: validValues``). Precise in what it reports: everything the document says that
omnicontract cannot honour comes back as an :class:`Unsupported` naming its place in the
document (``schema[0].properties[3].quality[1]``) and why; nothing is dropped silently.

The result is the native contract as plain data (what ``contracts/*.yaml`` holds), so the
loader validates it with the same model and the same ``file:line`` messages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from omnicontract.contracts.foreign import is_dcs, is_odcs
from omnicontract.contracts.model import SEMVER, Format
from omnicontract.contracts.yamlio import PositionedDocument
from omnicontract.errors import ContractError, Location

PII_CLASSIFICATIONS = {"pii", "restricted", "confidential", "sensitive", "personal", "secret"}

TYPE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        ["string", "str", "text", "varchar", "char", "nvarchar", "nchar", "character varying"],
        "string",
    ),
    **dict.fromkeys(["uuid", "json", "clob"], "string"),
    **dict.fromkeys(
        ["integer", "int", "long", "bigint", "smallint", "tinyint", "int32", "int64", "int8"],
        "integer",
    ),
    **dict.fromkeys(
        ["number", "double", "float", "decimal", "numeric", "real", "float64", "double precision"],
        "number",
    ),
    **dict.fromkeys(["boolean", "bool", "bit"], "boolean"),
    "date": "date",
    **dict.fromkeys(
        [
            "timestamp",
            "datetime",
            "timestamptz",
            "timestamp_tz",
            "timestamp_ltz",
            "timestamp_ntz",
            "timestamp with time zone",
            "timestamp without time zone",
        ],
        "timestamp",
    ),
}

# keys that carry nothing to honour when absent or at their default
_DEFAULTISH = (None, False, "", -1)

# ODCS bounds of a quality rule, as the native keys of a SQL rule
ODCS_BOUNDS = {
    "mustBe": "must_be",
    "mustNotBe": "must_not_be",
    "mustBeGreaterThan": "must_be_greater_than",
    "mustBeGreaterOrEqualTo": "must_be_greater_or_equal_to",
    "mustBeGreaterThanOrEqualTo": "must_be_greater_or_equal_to",
    "mustBeLessThan": "must_be_less_than",
    "mustBeLessOrEqualTo": "must_be_less_or_equal_to",
    "mustBeLessThanOrEqualTo": "must_be_less_or_equal_to",
    "mustBeBetween": "must_be_between",
    "mustNotBeBetween": "must_not_be_between",
}

# ODCS quality severities that make a broken rule a finding that does not fail the run,
# and the severity it gets here (any other severity, or none, is an error)
_SOFT_SEVERITIES = {
    "info": "info",
    "warning": "warning",
    "warn": "warning",
    "low": "warning",
    "minor": "warning",
    "trivial": "warning",
}

# custom properties omnicontract reads, by camelCase name (snake_case accepted too)
_FIELD_CUSTOM = {"format", "notFuture", "pii", "references", "enum", "blankIsMissing"}
_ENTITY_CUSTOM = {"identityKeys", "eventTime", "journeyKey"}


@dataclass(frozen=True)
class Unsupported:
    """Something the ODCS document expresses that omnicontract does not honour."""

    path: str
    reason: str
    location: Location | None = None
    renamed: bool = False  # a name made lower_snake_case: matters only where names are seen
    refused: bool = False  # a rule refused as unsafe to run: the contract's verdict fails

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location and self.location.line else ""
        return f"{where}{self.path}: {self.reason}"


@dataclass
class Imported:
    """A converted contract: native data, what was not honoured, and where things came from."""

    data: dict[str, Any]
    unsupported: list[Unsupported] = field(default_factory=list)
    origins: dict[tuple[str | int, ...], tuple[str | int, ...]] = field(default_factory=dict)

    def positioned(self, odcs: PositionedDocument) -> PositionedDocument:
        """A document of the native data whose positions point into the ODCS file."""
        doc = PositionedDocument(file=odcs.file, data=self.data)
        for native, source in self.origins.items():
            loc = odcs.location(source)
            doc.positions[native] = (loc.line or 1, loc.column or 1)
        doc.positions.setdefault((), (1, 1))
        return doc


def soft_severity(rule: dict[str, Any]) -> str | None:
    """The native severity of an ODCS quality rule whose ``severity`` does not block (a
    warning or info), None for a blocking one (error, critical, ... or none given)."""
    return _SOFT_SEVERITIES.get(str(rule.get("severity") or "").strip().lower())


# type names of a nested structure's members, beyond TYPE_SYNONYMS: categories of a
# column's own type (omnicontract.contracts.column_types)
_COLUMN_TYPES = {
    **TYPE_SYNONYMS,
    **dict.fromkeys(["time", "time with time zone", "time without time zone"], "time"),
    **dict.fromkeys(["object", "struct", "record", "row"], "object"),
    **dict.fromkeys(["array", "list"], "array"),
}


def column_type(prop: Any, *, nested: bool = False) -> Any:
    """The type a column itself must have by an ODCS property, as ODCS tools judge typed
    sources: its ``logicalType`` (a nested member's, else its ``physicalType``), with the
    items of an array and the properties of an object; None where nothing is to judge."""
    if not isinstance(prop, dict):
        return None
    names = [prop.get("logicalType")] + ([prop.get("physicalType")] if nested else [])
    name = next((str(n) for n in names if n), "")
    kind = _COLUMN_TYPES.get(re.sub(r"[(<].*", "", name).strip().lower())
    if kind == "array" and isinstance(prop.get("items"), dict):
        items = column_type(prop["items"], nested=True)
        return {"array": items} if items is not None else kind
    if kind == "object" and isinstance(prop.get("properties"), list):
        members = {
            str(p["name"]): t
            for p in prop["properties"]
            if isinstance(p, dict) and p.get("name")
            for t in [column_type(p, nested=True)]
            if t is not None
        }
        return {"object": members} if members else kind
    return kind


def search_pattern(pattern: str) -> str:
    """An ODCS pattern (ECMA-262, found anywhere in the value, as JSON Schema reads it)
    as a native one (the whole value must match): ``^...$`` without alternation is
    already whole-value and loses its anchors; any other pattern may be preceded and
    followed by anything, line breaks included."""
    before = pattern[:-1]
    escapes = len(before) - len(before.rstrip("\\"))  # backslashes right before the end
    anchored_end = pattern.endswith("$") and escapes % 2 == 0
    if pattern.startswith("^(?:") and anchored_end and _closes_at(pattern, 1) == len(pattern) - 2:
        return pattern[4:-2]  # ^(?:...)$, the whole value as omnicontract writes it
    if "|" not in pattern and pattern.startswith("^") and anchored_end:
        return pattern[1:-1]
    anything = "(?:.|\\n)*"
    head = "" if pattern.startswith("^") and "|" not in pattern else anything
    tail = "" if anchored_end and "|" not in pattern else anything
    return f"{head}(?:{pattern}){tail}"


def _closes_at(pattern: str, start: int) -> int:
    """Where the group opened at ``pattern[start]`` closes (-1 if it does not)."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True  # a "^" and then a "]" right after the "[" are the class's own
            i += 1 if pattern.startswith("^", i + 1) else 0
            i += 1 if pattern.startswith("]", i + 1) else 0
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def place(path: tuple[Any, ...]) -> str:
    """A path in an ODCS document as its reference reads it: ``schema[0].properties[3]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def as_odcs(doc: PositionedDocument) -> PositionedDocument | None:
    """``doc`` as an ODCS document: itself, or a Data Contract Specification document
    translated (placed in its own file); None for any other document."""
    from omnicontract.contracts.dcs import to_odcs

    if is_dcs(doc.data):
        return to_odcs(doc)
    return doc if is_odcs(doc.data) else None


def _metric_query(
    metric: str, field_name: str, args: dict[str, Any], valid: Any, *, percent: bool, entity: str
) -> str | None:
    """A library metric of ODCS with a tolerance as the SELECT that measures it on the
    entity's rows, built with sqlglot's expressions: the count of null, missing or invalid
    values, or their percentage of the rows; the count of values that repeat."""
    import sqlglot
    from sqlglot import exp

    col = exp.column(field_name, quoted=True)
    literal = exp.Literal.string
    null = col.is_(exp.null())
    if metric in ("nullValues", "nullCheck", "notNull", "not_null"):
        count = exp.func("count_if", null)
    elif metric == "missingValues":
        listed = [literal(str(v)) for v in args.get("missingValues") or [] if v is not None]
        count = exp.func("count_if", exp.or_(null, col.isin(*listed)) if listed else null)
    elif metric == "invalidValues" and isinstance(valid, list):
        outside = col.isin(*[literal(str(v)) for v in valid]).not_()
        count = exp.func("count_if", exp.and_(null.not_(), outside))
    elif metric == "invalidValues" and args.get("pattern"):  # found anywhere in the value
        match = exp.RegexpLike(this=col, expression=literal(str(args["pattern"])))
        count = exp.func("count_if", exp.and_(null.not_(), match.not_()))
    elif metric in ("duplicateValues", "duplicateCount"):  # values that repeat, in rows
        return _duplicates_query(entity, [field_name])
    else:
        return None
    measure = _as_share(count, percent)
    return str(sqlglot.select(measure).from_(exp.to_table(entity)).sql(dialect="duckdb"))


def _duplicates_query(entity: str, fields: list[str]) -> str:
    """The values (tuples of ``fields``) that occur in more than one row, counted as ODCS
    tools count ``duplicateValues``, built with sqlglot's expressions: ``SELECT count(*)
    FROM (SELECT 1 FROM entity GROUP BY a, b HAVING count(*) > 1)``."""
    import sqlglot
    from sqlglot import exp

    repeated = (
        sqlglot.select(exp.Literal.number(1))
        .from_(exp.to_table(entity))
        .group_by(*[exp.column(f, quoted=True) for f in fields])
        .having(exp.GT(this=exp.func("count", exp.Star()), expression=exp.Literal.number(1)))
    )
    count = exp.func("count", exp.Star())
    return str(sqlglot.select(count).from_(repeated.subquery("repeated")).sql(dialect="duckdb"))


def _not_checked(
    rule: dict[str, Any], metric: str, bounds: dict[str, Any], unit: str
) -> str | None:
    """Why a library rule is no check, or None: the standard's metrics need a bound, and
    repeated values are a count of values, not a share of the rows (ODCS tools take a
    percent only with nullValues, missingValues and invalidValues)."""
    if not bounds and rule.get("metric"):
        return f"quality rule '{metric}' has no bound (mustBe, ...): not checked"
    if unit == "percent" and metric in ("duplicateValues", "duplicateCount"):
        return f"unit: percent with '{metric}' is not supported: not checked"
    return None


def _as_share(count: Any, percent: bool) -> Any:
    from sqlglot import exp

    if not percent:
        return count
    total = exp.func("nullif", exp.func("count", exp.Star()), exp.Literal.number(0))
    share = exp.Mul(this=exp.Literal.number(100.0), expression=exp.paren(count))
    return exp.Div(this=share, expression=total)


def _own_table(query: str, names: set[str], entity: str) -> str:
    """``query`` with the schema object's names (``name``, ``physicalName``) replaced by
    the entity's, the one table a rule may read; as it was when it does not parse."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="duckdb")
    except Exception:  # sqlglot raises several kinds: the load-time check says why
        return query

    def swap(node: Any) -> Any:
        if isinstance(node, exp.Table) and node.name.lower() in names and not node.args.get("db"):
            return exp.to_table(entity).as_(node.alias) if node.alias else exp.to_table(entity)
        return node

    return str(tree.transform(swap).sql(dialect="duckdb"))


def snake(name: str) -> str:
    """``CustomerID`` -> ``customer_id``, ``order-lines`` -> ``order_lines``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name).strip())
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    if text and not text[0].isalpha():
        text = "f_" + text
    return text or "unnamed"


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "on"):
        return True
    if text in ("false", "no", "n", "0", "off", ""):
        return False
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(str(value).strip().replace("_", ""))
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _rule_kind(rule: Any) -> str:
    """``type: sql``, ``type: custom, engine: soda``... of an ODCS quality rule."""
    if not isinstance(rule, dict):
        return "type: ?"
    kind = rule.get("type") or ("library" if ("metric" in rule or "rule" in rule) else "text")
    engine = f", engine: {rule['engine']}" if rule.get("engine") else ""
    return f"type: {kind}{engine}"


class _Converter:
    def __init__(self, doc: PositionedDocument):
        self.doc = doc
        self.notes: list[Unsupported] = []
        self.origins: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}
        self.entity_out: dict[str, Any] = {}
        self.table_names: set[str] = set()
        self.field_name = ""

    # ------------------------------------------------------------ helpers
    def note(
        self,
        path: tuple[str | int, ...],
        reason: str,
        *,
        renamed: bool = False,
        refused: bool = False,
    ) -> None:
        where = self.doc.location(path)
        self.notes.append(Unsupported(place(path), reason, where, renamed, refused))

    def leftovers(self, data: dict[str, Any], path: tuple[str | int, ...], used: set[str]) -> None:
        for key, value in data.items():
            if key in used or value in _DEFAULTISH or value in ([], {}):
                continue
            self.note((*path, key), f"'{key}' has no omnicontract equivalent (ignored)")

    # ------------------------------------------------------------ document
    def objects(self) -> list[dict[str, Any]]:
        schema = self.doc.data.get("schema")
        if isinstance(schema, dict):  # a single object where a list belongs
            schema = [schema]
        objects = [o for o in schema or [] if isinstance(o, dict)]
        if not objects:
            raise ContractError(
                "this ODCS document has no schema object to import",
                location=self.doc.location(("schema",)),
                hint="an ODCS contract lists its tables under 'schema:'",
            )
        return objects

    def convert(self, entity: str | None, *, others_imported: bool = False) -> dict[str, Any]:
        data = self.doc.data
        objects = self.objects()
        index = self._choose(objects, entity)
        for i, obj in enumerate(objects):
            if i != index and not others_imported:
                self.note(
                    ("schema", i),
                    f"schema object '{obj.get('name')}' is not imported (one per file)",
                )
        out = self._object(objects[index], ("schema", index), data)
        used = {"apiVersion", "kind", "id", "name", "version", "status", "description"}
        used |= {"schema", "team", "contractCreatedTs"}
        self.leftovers(data, (), used)
        return out

    def _choose(self, objects: list[dict[str, Any]], entity: str | None) -> int:
        names = [str(o.get("name", "")) for o in objects]
        if entity is None:
            if len(objects) == 1:
                return 0
            raise ContractError(
                f"this ODCS document has {len(objects)} schema objects: choose one",
                location=self.doc.location(("schema",)),
                hint="omnicontract import odcs FILE --entity NAME; objects: " + ", ".join(names),
            )
        for i, name in enumerate(names):
            if entity in (name, snake(name)):
                return i
        raise ContractError(
            f"no schema object '{entity}' in this ODCS document",
            location=self.doc.location(("schema",)),
            hint="objects: " + ", ".join(names),
        )

    def _version(self, data: dict[str, Any]) -> str:
        raw = str(data.get("version", "")).strip().lstrip("vV")
        parts = raw.split(".")
        if raw and all(p.isdigit() for p in parts) and len(parts) < 3:
            raw = ".".join(parts + ["0"] * (3 - len(parts)))
        if not SEMVER.match(raw):
            self.note(("version",), f"version {data.get('version')!r} is not semantic: 0.0.0 used")
            raw = "0.0.0"
        self.origins[("version",)] = ("version",)
        return raw

    def _owner(self, team: Any) -> str | None:
        members = team.get("members") if isinstance(team, dict) else team
        members = [m for m in members or [] if isinstance(m, dict)]
        owners = [m for m in members if str(m.get("role", "")).lower() == "owner"]
        chosen = (owners or members or [None])[0]
        for i, m in enumerate(members):
            if m is not chosen:
                where = ("team", "members", i) if isinstance(team, dict) else ("team", i)
                self.note(where, f"team member '{m.get('username')}' is not kept (only the owner)")
        if chosen and chosen.get("username"):
            return str(chosen["username"])
        if isinstance(team, dict) and team.get("name"):
            return str(team["name"])
        return None

    def _object(
        self, obj: dict[str, Any], path: tuple[str | int, ...], top: dict[str, Any]
    ) -> dict[str, Any]:
        name = snake(obj.get("name", ""))
        if name != obj.get("name"):
            self.note(
                (*path, "name"),
                f"name {obj.get('name')!r} imported as entity '{name}'",
                renamed=True,
            )
        out: dict[str, Any] = {"kind": "entity", "entity": name, "version": self._version(top)}
        self.entity_out = out
        self.table_names = {str(obj.get(k)).lower() for k in ("name", "physicalName") if obj.get(k)}
        self.origins[()] = path
        self.origins[("entity",)] = (*path, "name")
        title = obj.get("businessName") or (
            top.get("name") if top.get("name") not in (None, obj.get("name")) else None
        )
        if title:
            out["title"] = str(title)
        description = top.get("description")
        purpose = description.get("purpose") if isinstance(description, dict) else description
        if obj.get("description") or purpose:
            out["description"] = str(obj.get("description") or purpose)
        if isinstance(description, dict):
            self.leftovers(description, ("description",), {"purpose"})
        if self.doc.data.get("status") in ("deprecated", "retired"):
            self.note(("status",), f"status '{top['status']}' is not kept")
        owner = self._owner(top.get("team"))
        if owner:
            out["owner"] = owner
        fields, pks = self._properties(obj.get("properties"), (*path, "properties"))
        if not fields:
            props = obj.get("properties")
            count = len(props) if isinstance(props, list) else 0
            raise ContractError(
                f"schema object '{obj.get('name')}' has no property that can be imported"
                + (f" (none of its {count} properties)" if count else ""),
                location=self.doc.location(path),
                hint="an entity needs columns: list them under 'properties:' (a schema kept "
                "elsewhere, such as a schema registry, cannot be read)",
            )
        self._entity_custom(obj, path, out, fields)
        self._primary_key(out, fields, pks, (*path, "properties"))
        self._object_relationships(obj, path, fields)
        for i, rule in enumerate(obj.get("quality") or []):
            if self._sql_rule(rule, out, (*path, "quality", i)):
                continue
            if self._object_duplicates(rule, out, fields, (*path, "quality", i)):
                continue
            what = _rule_kind(rule)
            self.note((*path, "quality", i), f"schema-level quality rule ({what}) is not supported")
        used = {"name", "logicalType", "physicalType", "businessName", "description", "id"}
        used |= {"properties", "customProperties", "relationships", "quality"}
        self.leftovers(obj, path, used)
        out["fields"] = fields
        return out

    def _entity_custom(
        self,
        obj: dict[str, Any],
        path: tuple[str | int, ...],
        out: dict[str, Any],
        fields: dict[str, Any],
    ) -> None:
        for i, prop in enumerate(obj.get("customProperties") or []):
            where = (*path, "customProperties", i)
            key = str(prop.get("property", "")) if isinstance(prop, dict) else ""
            camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
            if camel not in _ENTITY_CUSTOM:
                self.note(where, f"custom property '{key}' is not an omnicontract notion")
                continue
            value = prop.get("value")
            if camel == "identityKeys":
                keys = value if isinstance(value, list) else str(value).split(",")
                out["identity_keys"] = [snake(str(k)) for k in keys if str(k).strip()]
                self.origins[("identity_keys",)] = where
            else:
                native = {"eventTime": "event_time", "journeyKey": "journey_key"}[camel]
                out[native] = snake(str(value))
                self.origins[(native,)] = where

    def _object_relationships(
        self, obj: dict[str, Any], path: tuple[str | int, ...], fields: dict[str, Any]
    ) -> None:
        for i, rel in enumerate(obj.get("relationships") or []):
            where = (*path, "relationships", i)
            src = rel.get("from") if isinstance(rel, dict) else None
            target = rel.get("to") if isinstance(rel, dict) else None
            if not isinstance(src, str) or not isinstance(target, str):
                self.note(where, "composite relationships are not supported")
                continue
            fname = snake(src.split(".")[-1])
            if fname not in fields or not self._reference(fields[fname], target, where):
                self.note(where, f"relationship from '{src}' names no imported field")

    # ------------------------------------------------------------ properties
    def _properties(
        self, props: Any, path: tuple[str | int, ...]
    ) -> tuple[dict[str, Any], list[str]]:
        fields: dict[str, Any] = {}
        pks: list[tuple[int, str]] = []
        for j, prop in enumerate(props or []):
            where = (*path, j)
            if not isinstance(prop, dict) or not prop.get("name"):
                self.note(where, "property without a name is skipped")
                continue
            name = snake(prop["name"])
            if name != prop["name"]:
                reason = f"name {prop['name']!r} imported as field '{name}'"
                self.note((*where, "name"), reason, renamed=True)
            if name in fields:
                self.note(where, f"field '{name}' appears twice: the second is skipped")
                continue
            self.field_name = name
            spec = self._property(prop, where)
            if spec is None:
                continue
            fields[name] = spec
            self.origins[("fields", name)] = where
            if _bool(prop.get("primaryKey")):
                pks.append((_int(prop.get("primaryKeyPosition")) or 0, name))
        return fields, [n for _p, n in sorted(pks, key=lambda t: t[0] if t[0] > 0 else 1 << 30)]

    def _type(self, prop: dict[str, Any], where: tuple[str | int, ...]) -> str | None:
        logical = str(prop.get("logicalType") or "").strip().lower()
        physical = re.sub(r"\(.*", "", str(prop.get("physicalType") or "")).strip().lower()
        if logical in ("object", "array") or physical in ("struct", "array", "map", "record"):
            # present and required are still checked; the nested values, as text only
            self.note(
                where,
                f"nested {logical or physical}: read as text, its values unchecked (on Parquet "
                "and DuckDB tables, its members' types are checked)",
            )
            return "string"
        if logical == "time":
            self.note((*where, "logicalType"), "logicalType 'time' is read as string")
            return "string"
        for candidate in (logical, physical):
            if candidate in TYPE_SYNONYMS:
                return TYPE_SYNONYMS[candidate]
        shown = prop.get("logicalType") or prop.get("physicalType")
        if shown:
            self.note((*where, "logicalType"), f"unknown type {shown!r} is read as string")
        return "string"

    def _property(
        self, prop: dict[str, Any], where: tuple[str | int, ...]
    ) -> dict[str, Any] | None:
        ftype = self._type(prop, where)
        if ftype is None:
            return None
        spec: dict[str, Any] = {"type": ftype}
        if prop.get("description"):
            spec["description"] = str(prop["description"])
        for key in ("required", "unique"):
            if key in prop:
                value = _bool(prop[key])
                if value is None:
                    self.note((*where, key), f"{key}: {prop[key]!r} is not a boolean (ignored)")
                elif value:
                    spec[key] = True
        self._classification(prop, spec, where)
        if prop.get("examples"):
            examples = prop["examples"]
            spec["examples"] = [
                str(e) for e in (examples if isinstance(examples, list) else [examples])
            ]
        self._options(prop.get("logicalTypeOptions"), spec, (*where, "logicalTypeOptions"))
        for i, rule in enumerate(prop.get("quality") or []):
            self._quality(rule, spec, (*where, "quality", i))
        self._relationships(prop.get("relationships"), spec, (*where, "relationships"))
        self._field_custom(prop.get("customProperties"), spec, (*where, "customProperties"))
        used = {"name", "logicalType", "physicalType", "description", "required", "unique"}
        used |= {"primaryKey", "primaryKeyPosition", "classification", "tags", "examples", "id"}
        used |= {"logicalTypeOptions", "quality", "relationships", "customProperties"}
        used |= {"items", "properties", "keys", "values"}  # of a nested type: noted above
        self.leftovers(prop, where, used)
        # the standard's `required` refuses nulls only, unless the file says blank is missing
        if not (spec.get("required") or _bool(prop.get("primaryKey"))):
            spec.pop("blank_is_missing", None)
        elif spec.setdefault("blank_is_missing", False):
            del spec["blank_is_missing"]  # omnicontract's own default
        return spec

    def _classification(
        self, prop: dict[str, Any], spec: dict[str, Any], where: tuple[str | int, ...]
    ) -> None:
        classification = str(prop.get("classification") or "").strip().lower()
        tags = [str(t) for t in prop.get("tags") or []]
        if classification in PII_CLASSIFICATIONS or "pii" in {t.lower() for t in tags}:
            spec["pii"] = True
        elif classification and classification != "public":
            self.note((*where, "classification"), f"classification '{classification}' is not kept")
        other_tags = [t for t in tags if t.lower() != "pii"]
        if other_tags:
            self.note((*where, "tags"), f"tags {other_tags} are not kept")

    def _relationships(self, rels: Any, spec: dict[str, Any], where: tuple[str | int, ...]) -> None:
        for i, rel in enumerate(rels or []):
            target = rel.get("to") if isinstance(rel, dict) else None
            rel_type = str(rel.get("type", "foreignKey")) if isinstance(rel, dict) else ""
            if rel_type != "foreignKey" or not isinstance(target, str):
                self.note((*where, i), "only single-field foreign keys are supported")
            else:
                self._reference(spec, target, (*where, i))

    def _reference(self, spec: dict[str, Any], target: str, where: tuple[str | int, ...]) -> bool:
        parts = [p for p in re.split(r"[./]", target) if p and p not in ("schema", "properties")]
        if len(parts) < 2:
            self.note(where, f"reference '{target}' is not of the form entity.field")
            return False
        spec["references"] = f"{snake(parts[-2])}.{snake(parts[-1])}"
        return True

    def _options(self, opts: Any, spec: dict[str, Any], where: tuple[str | int, ...]) -> None:
        if not isinstance(opts, dict):
            return
        ftype = spec["type"]
        used: set[str] = set()
        if ftype == "string":
            used = self._string_options(opts, spec)
        elif ftype in ("integer", "number"):
            used = self._number_options(opts, spec, integer=ftype == "integer")
            for key in ("exclusiveMinimum", "exclusiveMaximum"):
                number = _number(opts.get(key))
                if key not in used and number is not None:  # a number: one SQL rule
                    self._exclusive_rule(key, number, (*where, key))
                    used.add(key)
        elif ftype == "timestamp":
            if _bool(opts.get("timezone")) is True:
                used.add("timezone")
            if str(opts.get("defaultTimezone", "")).upper() in ("UTC", "ETC/UTC", "Z"):
                used.add("defaultTimezone")
        if isinstance(opts.get("enum"), list):  # not in the standard, but common
            spec["enum"] = [str(v) for v in opts["enum"]]
            used.add("enum")
        for key, value in opts.items():
            if key not in used:
                self.note((*where, key), f"{key}: {value!r} is not supported for {ftype} fields")

    @staticmethod
    def _string_options(opts: dict[str, Any], spec: dict[str, Any]) -> set[str]:
        used: set[str] = set()
        for key, native in (("minLength", "min_length"), ("maxLength", "max_length")):
            if _int(opts.get(key)) is not None:
                spec[native] = _int(opts[key])
                used.add(key)
        if opts.get("pattern"):
            spec["pattern"] = search_pattern(str(opts["pattern"]))
            used.add("pattern")
        fmt = str(opts.get("format") or "").strip().lower()
        if fmt in {f.value for f in Format}:
            spec["format"] = fmt
            used.add("format")
        return used

    @staticmethod
    def _number_options(opts: dict[str, Any], spec: dict[str, Any], *, integer: bool) -> set[str]:
        used: set[str] = set()
        for key in ("minimum", "maximum"):
            number = _number(opts.get(key))
            if number is not None:
                spec[key] = int(number) if number.is_integer() else number
                used.add(key)
        number = _number(opts.get("exclusiveMinimum"))
        if integer and number is not None:  # the next integer above: exact for integers
            above = math.floor(number) + 1
            spec["minimum"] = max(above, spec.get("minimum", above))
            used.add("exclusiveMinimum")
        number = _number(opts.get("exclusiveMaximum"))
        if integer and number is not None:
            below = math.ceil(number) - 1
            spec["maximum"] = min(below, spec.get("maximum", below))
            used.add("exclusiveMaximum")
        return used

    def _exclusive_rule(self, key: str, bound: float, where: tuple[str | int, ...]) -> None:
        """An exclusive bound of a number field: one SQL rule counting the values at or
        beyond it (built with sqlglot's expressions), which must be none."""
        import sqlglot
        from sqlglot import exp

        col = exp.column(self.field_name, quoted=True)
        limit = exp.Literal.number(bound)
        beyond = exp.LTE if key == "exclusiveMinimum" else exp.GTE
        entity = str(self.entity_out.get("entity", ""))
        count = exp.func("count_if", beyond(this=col, expression=limit))
        side = "above" if key == "exclusiveMinimum" else "below"
        rule = {
            "name": f"{self.field_name} {key}",
            "description": f"values of {self.field_name} not {side} {bound:g}",
            "query": str(sqlglot.select(count).from_(exp.to_table(entity)).sql("duckdb")),
            "must_be": 0,
        }
        self._add_rule(self.entity_out, rule, where)

    def _add_rule(
        self, out: dict[str, Any], rule: dict[str, Any], where: tuple[str | int, ...]
    ) -> None:
        """Append ``rule`` to the entity's ``sql_rules``, placed at ``where`` in the file."""
        rules = out.setdefault("sql_rules", [])
        self.origins[("sql_rules", len(rules))] = where
        rules.append(rule)

    def _primary_key(
        self,
        out: dict[str, Any],
        fields: dict[str, Any],
        pks: list[str],
        where: tuple[str | int, ...],
    ) -> None:
        """One key field: the entity's primary key. Several: each member not null, and one
        SQL rule counting the keys found in more than one row (the members together
        unique)."""
        if len(pks) == 1:
            out["primary_key"] = pks[0]
        elif pks:
            for name in pks:
                fields[name]["required"] = True
            rule = {
                "name": "primary key",
                "description": f"values of the composite primary key ({', '.join(pks)}) "
                "in more than one row",
                "query": _duplicates_query(str(out.get("entity", "")), pks),
                "must_be": 0,
            }
            self._add_rule(out, rule, where)

    def _object_duplicates(
        self,
        rule: Any,
        out: dict[str, Any],
        fields: dict[str, Any],
        where: tuple[str | int, ...],
    ) -> bool:
        """A schema-level ``duplicateValues`` rule over ``arguments.properties`` (the
        tuples of those columns that occur in more than one row) with one bound becomes
        an entry of ``sql_rules``; False for any other rule."""
        if not isinstance(rule, dict) or rule.get("metric") != "duplicateValues":
            return False
        args = rule.get("arguments") if isinstance(rule.get("arguments"), dict) else {}
        names = [snake(str(p)) for p in args.get("properties") or []]
        bounds = {ODCS_BOUNDS[k]: rule[k] for k in rule if k in ODCS_BOUNDS}
        if not names or len(bounds) != 1 or not all(n in fields for n in names):
            self.note(
                where, "duplicateValues needs arguments.properties of this object and one bound"
            )
            return True
        entry: dict[str, Any] = {
            "name": str(rule.get("name") or rule.get("id") or "duplicate values"),
            "description": str(
                rule.get("description") or f"values of ({', '.join(names)}) in more than one row"
            ),
            "query": _duplicates_query(str(out.get("entity", "")), names),
            **bounds,
        }
        if soft_severity(rule):
            entry["severity"] = soft_severity(rule)
        self._add_rule(out, entry, where)
        return True

    def _sql_rule(self, rule: Any, out: dict[str, Any], where: tuple[str | int, ...]) -> bool:
        """A ``type: sql`` rule with one bound becomes an entry of ``sql_rules``."""
        if not isinstance(rule, dict) or rule.get("type") != "sql" or rule.get("engine"):
            return False
        query = rule.get("query")
        bounds = {ODCS_BOUNDS[k]: rule[k] for k in rule if k in ODCS_BOUNDS}
        if not isinstance(query, str) or len(bounds) != 1:
            self.note(where, "a sql rule needs a query and one bound (mustBe, ...)")
            return True
        entity = str(out.get("entity", ""))
        query = _own_table(query, self.table_names, entity)
        from omnicontract.contracts.sqlrule import problem, unsafe

        why = problem(query, entity)
        if why:
            refused = unsafe(query, entity)
            self.note(
                where, f"sql rule {'refused' if refused else 'not run'}: {why}", refused=refused
            )
            return True
        entry: dict[str, Any] = {"query": query, **bounds}
        if soft_severity(rule):
            entry["severity"] = soft_severity(rule)
        for key, native in (("name", "name"), ("id", "name"), ("description", "description")):
            if rule.get(key) and native not in entry:
                entry[native] = str(rule[key])
        self._add_rule(out, entry, where)
        return True

    def _quality(self, rule: Any, spec: dict[str, Any], where: tuple[str | int, ...]) -> None:
        if not isinstance(rule, dict):
            self.note(where, "quality rule is not a mapping")
            return
        if self._sql_rule(rule, self.entity_out, where):
            return
        if _rule_kind(rule) != "type: library":
            self.note(where, f"quality rule ({_rule_kind(rule)}) is not supported")
            return
        metric = str(rule.get("metric") or rule.get("rule") or "")
        args = rule.get("arguments") if isinstance(rule.get("arguments"), dict) else {}
        bounds = {k: rule[k] for k in rule if k in ODCS_BOUNDS}
        unit = str(rule.get("unit", "rows")).lower()
        why = _not_checked(rule, metric, bounds, unit)
        if why is not None:
            self.note(where, why)
            return
        bounds = bounds or {"mustBe": 0}  # an older `rule:` asserts there are none
        zero = (
            _number(bounds.get("mustBe")) == 0
            or _number(bounds.get("mustBeLessOrEqualTo")) == 0
            or _number(bounds.get("mustBeLessThan")) == 1
        )
        valid = args.get("validValues", rule.get("validValues"))
        custom_missing = metric == "missingValues" and args.get("missingValues") not in (None, [])
        soft = soft_severity(rule)
        if not zero or unit not in ("rows", "row", "") or custom_missing or soft:
            entity = str(self.entity_out.get("entity", ""))
            query = _metric_query(
                metric, self.field_name, args, valid, percent=unit == "percent", entity=entity
            )
            if query is None or len(bounds) != 1:
                self.note(where, f"quality rule '{metric}' with these bounds is not supported")
                return
            entry = {"type": "sql", "query": query, "severity": rule.get("severity"), **bounds}
            share = " in percent of the rows" if unit == "percent" else ""
            entry["description"] = str(
                rule.get("description") or f"{metric} of {self.field_name}{share}"
            )
            self._sql_rule(entry, self.entity_out, where)
            return
        if metric in ("invalidValues", "validValues", "valid_values") and isinstance(valid, list):
            spec["enum"] = [str(v) for v in valid]
        elif metric in ("invalidValues",) and args.get("pattern"):
            spec["pattern"] = search_pattern(str(args["pattern"]))
        elif metric in ("nullValues", "missingValues", "nullCheck", "notNull", "not_null"):
            spec["required"] = True
        elif metric in ("duplicateValues", "duplicateCount", "unique"):
            spec["unique"] = True
        elif metric == "invalidValues":
            self.note(where, "invalidValues names neither validValues nor a pattern: not checked")
        else:
            self.note(where, f"quality rule (metric: {metric or '?'}) is not supported")

    def _field_custom(self, props: Any, spec: dict[str, Any], where: tuple[str | int, ...]) -> None:
        for i, prop in enumerate(props or []):
            key = str(prop.get("property", "")) if isinstance(prop, dict) else ""
            camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
            value = prop.get("value") if isinstance(prop, dict) else None
            if camel not in _FIELD_CUSTOM:
                self.note((*where, i), f"custom property '{key}' is not an omnicontract notion")
            elif camel == "format" and str(value) in {f.value for f in Format}:
                spec["format"] = str(value)
            elif camel == "blankIsMissing" and _bool(value) is not None:
                spec["blank_is_missing"] = _bool(value)
            elif camel in ("notFuture", "pii") and _bool(value) is not None:
                if _bool(value):
                    spec["not_future" if camel == "notFuture" else "pii"] = True
            elif camel == "references" and isinstance(value, str):
                self._reference(spec, value, (*where, i))
            elif camel == "enum" and isinstance(value, list):
                spec["enum"] = [str(v) for v in value]
            else:
                self.note((*where, i), f"custom property '{key}': value {value!r} is not usable")


def convert(doc: PositionedDocument, entity: str | None = None) -> Imported:
    """Convert a parsed ODCS document to native contract data (one schema object)."""
    return _convert(doc, entity, others_imported=False)


def convert_all(doc: PositionedDocument) -> list[Imported]:
    """Every schema object of a parsed ODCS document, each as native contract data."""
    names = [str(o.get("name", "")) for o in _Converter(_mapping(doc)).objects()]
    return [_convert(doc, name, others_imported=True) for name in names]


def _mapping(doc: PositionedDocument) -> PositionedDocument:
    if not isinstance(doc.data, dict):
        raise ContractError(
            "expected a mapping at the top of the file", location=Location(doc.file, 1, 1)
        )
    return doc


def _convert(doc: PositionedDocument, entity: str | None, *, others_imported: bool) -> Imported:
    conv = _Converter(_mapping(doc))
    data = conv.convert(entity, others_imported=others_imported)
    notes = sorted(conv.notes, key=lambda n: (n.location.line or 0) if n.location else 0)
    return Imported(data, notes, conv.origins)


def to_yaml(data: dict[str, Any]) -> str:
    """Native contract data as the YAML of ``contracts/*.yaml``."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
