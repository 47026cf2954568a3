"""Data Contract Specification (``dataContractSpecification: 1.x``, the format ODCS grew
out of) read as an ODCS document.

A DCS file lists ``models`` (tables) with ``fields``, and ``servers`` by name. It is
translated key by key into the ODCS shape the importer reads (``schema`` objects with
``properties``, ``logicalTypeOptions``, library quality rules, a ``servers`` list), and
every translated key keeps the line and column of the key it came from, so a message
about the translation points into the DCS file. What has no ODCS counterpart is kept
under its own name and reported by the importer as not honoured.
"""

from __future__ import annotations

from typing import Any

from omnicontract.contracts.yamlio import PositionedDocument

Path_ = tuple[str | int, ...]

# DCS field keys that are ODCS logicalTypeOptions
_OPTIONS = (
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
)
# DCS field keys that are ODCS property keys under the same name
_SAME = ("description", "required", "unique", "primaryKey", "classification", "tags")
# DCS types whose ODCS logical type is nested (skipped by the importer)
_NESTED = {"array": "array", "object": "object", "record": "object", "struct": "object"}


class _Translation:
    def __init__(self, doc: PositionedDocument):
        self.doc = doc
        self.out = PositionedDocument(file=doc.file, data=None)

    def place(self, new: Path_, old: Path_) -> None:
        """``new`` (in the ODCS shape) is where ``old`` is in the DCS file."""
        self.out.positions[new] = _pos(self.doc.location(old))
        self.out.key_positions[new] = _pos(self.doc.location(old, key=True))

    def document(self) -> PositionedDocument:
        data = self.doc.data
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        odcs: dict[str, Any] = {
            "apiVersion": "v3.0.2",
            "kind": "DataContract",
            "id": str(data.get("id") or ""),
            "name": info.get("title"),
            "version": str(info.get("version") or "0.0.0"),
            "status": info.get("status") or "active",
        }
        self.place((), ())
        self.place(("id",), ("id",))
        self.place(("version",), ("info", "version"))
        if info.get("description"):
            odcs["description"] = {"purpose": info["description"]}
            self.place(("description",), ("info", "description"))
        if info.get("owner"):
            odcs["team"] = [{"username": str(info["owner"]), "role": "owner"}]
            self.place(("team",), ("info", "owner"))
        odcs["servers"] = self.servers(data.get("servers"))
        odcs["schema"] = self.models(data.get("models"))
        for key in data:
            if key not in ("dataContractSpecification", "id", "info", "servers", "models"):
                odcs[key] = data[key]  # reported as not honoured, at its own place
                self.place((key,), (key,))
        self.out.data = odcs
        return self.out

    def servers(self, servers: Any) -> list[dict[str, Any]]:
        out = []
        for name, server in (servers or {}).items() if isinstance(servers, dict) else []:
            if isinstance(server, dict):
                self.place(("servers", len(out)), ("servers", name))
                out.append({"server": str(name), **server})
        return out

    def models(self, models: Any) -> list[dict[str, Any]]:
        out = []
        for name, model in (models or {}).items() if isinstance(models, dict) else []:
            if not isinstance(model, dict):
                continue
            new: Path_ = ("schema", len(out))
            old: Path_ = ("models", name)
            self.place(new, old)
            self.place((*new, "name"), old)
            obj: dict[str, Any] = {"name": str(name)}
            if model.get("description"):
                obj["description"] = model["description"]
            if isinstance(model.get("quality"), list):
                obj["quality"] = model["quality"]
                self.place((*new, "quality"), (*old, "quality"))
                for i in range(len(model["quality"])):
                    self.place((*new, "quality", i), (*old, "quality", i))
            fields = model.get("fields") if isinstance(model.get("fields"), dict) else {}
            obj["properties"] = [
                self.field(fname, spec, (*new, "properties", j), (*old, "fields", fname))
                for j, (fname, spec) in enumerate(fields.items())
            ]
            self.place((*new, "properties"), (*old, "fields"))
            out.append(obj)
        return out

    def field(self, name: Any, spec: Any, new: Path_, old: Path_) -> dict[str, Any]:
        self.place(new, old)
        self.place((*new, "name"), old)
        prop: dict[str, Any] = {"name": str(name)}
        if not isinstance(spec, dict):
            return prop
        kind = str(spec.get("type") or "").strip().lower()
        if kind:
            prop["logicalType"] = _NESTED.get(kind, kind)
            if kind == "map":
                prop["physicalType"] = "map"
            self.place((*new, "logicalType"), (*old, "type"))
        renamed = {key: key for key in _SAME if key in spec}
        if "primary" in spec:
            renamed["primary"] = "primaryKey"
        for key, target in renamed.items():
            prop[target] = spec[key]
            self.place((*new, target), (*old, key))
        if spec.get("pii") is True:
            prop["classification"] = "pii"
            self.place((*new, "classification"), (*old, "pii"))
        options = {k: spec[k] for k in _OPTIONS if k in spec}
        if options:
            prop["logicalTypeOptions"] = options
            for key in options:
                self.place((*new, "logicalTypeOptions", key), (*old, key))
        examples = spec.get("examples", [spec["example"]] if "example" in spec else None)
        if examples:
            prop["examples"] = examples
        self.rules(spec, prop, new, old)
        known = {"type", "primary", "pii", "enum", "example", "examples", "quality", "references"}
        for key, value in spec.items():
            if key not in known and key not in _SAME and key not in _OPTIONS:
                prop[key] = value  # reported as not honoured, at its own place
                self.place((*new, key), (*old, key))
        return prop

    def rules(self, spec: dict[str, Any], prop: dict[str, Any], new: Path_, old: Path_) -> None:
        """A field's quality rules, its ``enum`` (a library rule in ODCS) and its
        ``references`` (a relationship)."""
        quality = list(spec["quality"]) if isinstance(spec.get("quality"), list) else []
        for i in range(len(quality)):
            self.place((*new, "quality", i), (*old, "quality", i))
        if isinstance(spec.get("enum"), list):
            valid = {"validValues": spec["enum"]}
            rule = {"type": "library", "metric": "invalidValues", "arguments": valid, "mustBe": 0}
            quality.append(rule)
            self.place((*new, "quality", len(quality) - 1), (*old, "enum"))
        if quality:
            prop["quality"] = quality
        if isinstance(spec.get("references"), str):
            prop["relationships"] = [{"type": "foreignKey", "to": spec["references"]}]
            self.place((*new, "relationships"), (*old, "references"))


def _pos(location: Any) -> tuple[int, int]:
    return location.line or 1, location.column or 1


def to_odcs(doc: PositionedDocument) -> PositionedDocument:
    """The ODCS document a DCS document says, placed in the DCS file."""
    return _Translation(doc).document()
