"""An ODCS data contract run on its own: ``omnicontract validate orders.odcs.yaml``.

An ODCS document says what its tables hold (``schema:``) and where they lie
(``servers:``). Given one as the project, omnicontract builds the project it implies: every
schema object an entity (see :mod:`omnicontract.contracts.odcs_import`), and one channel,
named after the server, whose feeds read each object from that server, column by column
under the property names. The first server of a type that can be read here is used unless ``--server`` names
another.

Servers that are files are read (``type: local``, and ``type: s3``/``gcs``/``azure`` are
refused: nothing is fetched from the network). ``path`` may hold a glob, and ``{model}``
for the schema object's name. Paths are relative to the contract's folder, or, as other
ODCS tools read them, to the working directory when the contract lies inside it; either
way they stay inside that folder unless ``--allow-path`` allows another.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from omnicontract.contracts.model import CheckOverride, History, Policy, ProjectFile, Severity
from omnicontract.contracts.odcs_import import (
    ODCS_BOUNDS,
    Imported,
    column_type,
    convert_all,
    place,
    snake,
)
from omnicontract.contracts.odcs_import import _int as integer
from omnicontract.contracts.yamlio import PositionedDocument
from omnicontract.errors import ContractError, Location
from omnicontract.redact import clip

FILE_SERVERS = {"local", "duckdb"}
_FORMATS = {"csv": "csv", "parquet": "parquet", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}


def project_root(contract: Path) -> Path:
    """The working directory when it holds the contract (a repository run from its top),
    else the contract's own folder."""
    here = Path(os.getcwd()).resolve()
    folder = contract.resolve().parent
    return here if folder.is_relative_to(here) else folder


def _server(doc: PositionedDocument, name: str | None) -> tuple[int, dict[str, Any]]:
    servers = doc.data.get("servers")
    if isinstance(servers, dict):  # v2-style mapping of name -> server
        servers = [{"server": k, **v} for k, v in servers.items() if isinstance(v, dict)]
    entries = [(i, s) for i, s in enumerate(servers or []) if isinstance(s, dict)]
    names = [str(s.get("server", "")) for _i, s in entries]
    if not entries:
        raise ContractError(
            "this ODCS contract names no server to read its data from",
            location=doc.location(("servers",))
            if "servers" in doc.data
            else Location(doc.file, 1, 1),
            hint="add a server (type: local, format: csv, path: data/orders.csv), or list the "
            "contract in a project's contracts: and bind the data in a channel",
        )
    if name is None:  # the first server that can be read here, else the first
        readable = [(i, s) for i, s in entries if str(s.get("type", "")) in FILE_SERVERS]
        return (readable or entries)[0]
    for index, server in entries:
        if str(server.get("server", "")) == name:
            return index, server
    raise ContractError(
        f"no server '{clip(name)}' in this ODCS contract",
        location=doc.location(("servers",)),
        hint="servers: " + ", ".join(names),
    )


def _source(
    server: dict[str, Any], entity_name: str, where: Location, folder: Path, root: Path
) -> dict[str, Any]:
    kind = str(server.get("type", ""))
    if kind not in FILE_SERVERS:
        raise ContractError(
            f"server type '{clip(kind)}' cannot be read from a contract alone",
            location=where,
            hint="files: type: local; a database: list the contract in a project and declare "
            "the connection there (see docs/engines.md)",
        )
    if kind == "duckdb":  # a database file: each schema object is one of its tables
        database = server.get("database") or server.get("path")
        if not isinstance(database, str) or not database:
            raise ContractError(
                "the duckdb server names no database file",
                location=where,
                hint="database: data/sales.duckdb",
            )
        schema = server.get("schema")
        table = f"{schema}.{entity_name}" if isinstance(schema, str) and schema else entity_name
        return {"format": "duckdb", "table": table, "path": _placed(database, folder, root)}
    path = server.get("path") or server.get("location")
    if not isinstance(path, str) or not path:
        raise ContractError("the server has no path", location=where, hint="path: data/*.csv")
    path = path.replace("{model}", entity_name)
    fmt = str(server.get("format") or "").lower()
    if fmt == "json" and str(server.get("delimiter", "")).lower() == "new_line":
        fmt = "jsonl"
    source: dict[str, Any] = {}
    if fmt:
        if fmt not in _FORMATS:
            raise ContractError(
                f"server format '{clip(fmt)}' is not read (csv, json, jsonl, parquet)",
                location=where,
            )
        source["format"] = _FORMATS[fmt]
    delimiter = server.get("delimiter")
    if source.get("format") == "csv" and isinstance(delimiter, str) and len(delimiter) == 1:
        source["delimiter"] = delimiter
    source["path"] = _placed(path, folder, root)
    return source


def _placed(path: str, folder: Path, root: Path) -> str:
    """A server's path as a source path (relative to the root, the working directory):
    relative to the contract's folder when it names files there, else to the root."""
    if not Path(path).is_absolute() and folder != root and list(folder.glob(path)):
        path = os.path.relpath(folder / path, root)
    return path.replace(os.sep, "/")


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


# types that say a timestamp carries no zone of its own
_NAIVE_TYPES = {"timestamp_ntz", "timestamp without time zone", "datetime"}


def columns(doc: PositionedDocument, imported: Any) -> tuple[str, dict[str, Any], set[str]]:
    """The schema object's table (its physical name, else its name); per imported field,
    the column it is read from (the property's physical name, else its name), with the
    zone of its naive timestamps when the property gives one and the type the column must
    have where the source carries types; and the places of the options so honoured."""
    obj = _at(doc.data, imported.origins[()])
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for name, spec in imported.data["fields"].items():
        path = imported.origins[("fields", name)]
        prop = _at(doc.data, path)
        # the column is the property's physical name, as ODCS tools read it
        mapping: dict[str, Any] = {"column": str(prop.get("physicalName") or prop["name"])}
        if prop.get("physicalName"):
            used.add(place((*path, "physicalName")))
        zone = _naive_zone(prop) if spec.get("type") == "timestamp" else None
        if zone is not None:
            mapping["timezone"] = zone
            opts = (*path, "logicalTypeOptions")
            used |= {place((*opts, "timezone")), place((*opts, "defaultTimezone"))}
        declared = column_type(prop)  # judged where the source carries types
        if declared is not None:
            mapping["column_type"] = declared
        fields[name] = mapping if len(mapping) > 1 else mapping["column"]
    if obj.get("physicalName"):  # the table (or {model} of a path) is the physical name
        used.add(place((*imported.origins[()], "physicalName")))
    table = obj.get("physicalName") or obj.get("name") or imported.data["entity"]
    return str(table), fields, used


def _naive_zone(prop: dict[str, Any]) -> str | None:
    """The zone a property's timestamps are written in when they carry none: its
    ``defaultTimezone``, else UTC when the property says they are naive
    (``timestamp_ntz``, ``timezone: false``); None when it says neither."""
    from omnicontract.contracts.values import zone_problem

    opts = prop.get("logicalTypeOptions")
    opts = opts if isinstance(opts, dict) else {}
    default = opts.get("defaultTimezone")
    if isinstance(default, str) and default.strip() and zone_problem(default.strip()) is None:
        return default.strip()
    types = {str(prop.get(k) or "").strip().lower() for k in ("logicalType", "physicalType")}
    if types & _NAIVE_TYPES or str(opts.get("timezone")).strip().lower() == "false":
        return "UTC"
    return None


# the row bounds each bound of a rowCount rule sets, by its native name
_ROWS = {
    "must_be": lambda n: (n, n),
    "must_be_greater_than": lambda n: (n + 1, None),
    "must_be_greater_or_equal_to": lambda n: (n, None),
    "must_be_less_than": lambda n: (None, n - 1),
    "must_be_less_or_equal_to": lambda n: (None, n),
}


def row_count(doc: PositionedDocument, imported: Imported) -> tuple[dict[str, int], set[str]]:
    """The feed's row bounds from the schema object's ``rowCount`` library rules (the
    binding's ``volume.min_rows``/``max_rows``), and the places of the rules honoured."""
    path = imported.origins[()]
    obj = _at(doc.data, path)
    low: int | None = None
    high: int | None = None
    used: set[str] = {"servers"}
    for i, rule in enumerate(obj.get("quality") or []):
        if not isinstance(rule, dict) or rule.get("metric", rule.get("rule")) != "rowCount":
            continue
        bounds = _rule_bounds(rule)
        if bounds is None:
            continue
        lo, hi = bounds
        low = lo if lo is not None and (low is None or lo > low) else low
        high = hi if hi is not None and (high is None or hi < high) else high
        used.add(place((*path, "quality", i)))
    volume = {k: v for k, v in (("min_rows", low), ("max_rows", high)) if v is not None}
    return volume, used


def _rule_bounds(rule: dict[str, Any]) -> tuple[int | None, int | None] | None:
    known = [(ODCS_BOUNDS[k], v) for k, v in rule.items() if k in ODCS_BOUNDS]
    if len(known) != 1 or len([k for k in rule if k.startswith("must")]) != 1:
        return None
    key, value = known[0]
    if key == "must_be_between" and isinstance(value, list) and len(value) == 2:
        lo, hi = integer(value[0]), integer(value[1])
        return (max(lo, 0), hi) if lo is not None and hi is not None else None
    number = integer(value)
    if key not in _ROWS or number is None:
        return None
    lo, hi = _ROWS[key](number)
    return (None if lo is None else max(lo, 0)), (None if hi is None else max(hi, 0))


def binding_data(
    doc: PositionedDocument,
    tables: list[tuple[str, str, dict[str, Any], dict[str, int]]],
    server_name: str | None,
    root: Path,
) -> tuple[dict[str, Any], tuple[str | int, ...]]:
    """The channel binding the contract implies: one feed per schema object."""
    index, server = _server(doc, server_name)
    where = (
        doc.location(("servers", index))
        if isinstance(doc.data.get("servers"), list)
        else (doc.location(("servers",)))
    )
    folder = doc.file.resolve().parent
    feeds = []
    for entity, table, fields, volume in tables:
        feed = {
            "name": entity,
            "entity": entity,
            "source": _source(server, table, where, folder, root),
            "fields": fields,
        }
        if volume:
            feed["volume"] = volume
        feeds.append(feed)
    channel = _identifier(str(server.get("server") or "server"))
    return {"kind": "channel", "channel": channel, "feeds": feeds}, ("servers", index)


def _identifier(text: str) -> str:
    name = snake(text) or "server"
    return name if name[0].isalpha() else f"s_{name}"


def load(
    contract: Path, doc: PositionedDocument, server: str | None, *, data: bool = True
) -> tuple[ProjectFile, list[Imported], PositionedDocument | None, Path]:
    """What an ODCS contract implies: the project settings, every schema object converted,
    the channel binding (a document placed at the server in the contract), and the root.
    Without ``data`` (lint), no server is needed and no binding is made, and a contract
    with no schema object is an empty project."""
    root = project_root(contract)
    name = str(doc.data.get("id") or doc.data.get("name") or contract.stem)
    settings = ProjectFile(
        project=name[:200],
        contracts=[],
        channels=[],
        history=History(enabled=False),  # a contract file is no place for a run store
        policy=Policy(
            checks={
                # every constraint of the contract is a hard one, lengths too
                "OC-FLD-008": CheckOverride(severity=Severity.error),
                # a typed column of another type fails where its values do not read as the
                # property's type (OC-FLD-002), as ODCS tools cast a file into the contract's
                # types; a column that reads (an integer column of a string property) warns
                "OC-SRC-011": CheckOverride(severity=Severity.warning),
            }
        ),
    )
    imported = convert_all(doc) if data or doc.data.get("schema") else []
    tables = []
    for one in imported:
        volume, used = row_count(doc, one)
        table, fields, zones = columns(doc, one)
        used |= zones
        # honoured here: the row counts, the servers, the zones of naive timestamps, and
        # the names (each column is read under the contract's own name; findings give its
        # lower_snake_case form)
        one.unsupported = [n for n in one.unsupported if n.path not in used and not n.renamed]
        tables.append((one.data["entity"], table, fields, volume))
    if not data:
        return settings, imported, None, root
    data, at = binding_data(doc, tables, server, root)
    binding = PositionedDocument(file=doc.file, data=data)
    where = doc.location(at)
    binding.positions[()] = (where.line or 1, where.column or 1)
    return settings, imported, binding, root
