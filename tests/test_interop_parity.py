"""pandera's verdicts match omnicontract's on the retail example (docs/interop.md).

Each feed's canonical rows (what omnicontract's checks see) are validated with the
pandera schema that `omnicontract export pandera` writes, and the failing rows are
counted per (feed, field, check code) on both sides. Every difference is either
accounted for by a documented rule (ADJUSTED) or excluded by name (EXCLUDED), each
pointing to its row of the parity table in docs/interop.md.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import column, func, select

from omnicontract import api
from omnicontract.interop import export
from omnicontract.validators.run import Run, execute
from tests.conftest import ROOT

pytest.importorskip("pandera")

# The field rules both sides express (docs/interop.md, "Parity").
COMPARED = {
    "OC-FLD-001",  # required
    "OC-FLD-003",  # unique
    "OC-FLD-004",  # primary key
    "OC-FLD-005",  # enum
    "OC-FLD-006",  # pattern
    "OC-FLD-007",  # range
    "OC-FLD-008",  # length
    "OC-FLD-009",  # email
    "OC-FLD-010",  # phone
    "OC-FLD-011",  # country
    "OC-FLD-012",  # currency
    "OC-FLD-015",  # language
    "OC-FLD-016",  # uuid
}
# docs/interop.md, parity row "required on a parsed or mapped field": a source value that
# cannot be read as its type (OC-FLD-002), parsed (OC-MAP-001) or mapped (OC-MAP-002) is
# null in the canonical data, so pandera's not-null check counts those rows under the
# required field as well.
ADJUSTED = {"OC-FLD-001": ("OC-FLD-002", "OC-MAP-001", "OC-MAP-002")}
# docs/interop.md, parity table: (code, reason) left out of the comparison. Empty today:
# every code in COMPARED agrees on the example once ADJUSTED is applied.
EXCLUDED: dict[str, str] = {}

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def load_schema(contract: Any, backend: str, tmp_path) -> Any:
    """The schema as a user gets it: the exported module, imported."""
    path = tmp_path / f"{contract.entity}_{backend}_schema.py"
    path.write_text(export("pandera", contract, {"backend": backend}))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return getattr(module, f"{contract.entity}_schema")


def canonical_frame(run: Run, feed: Any, backend: str) -> Any:
    """The feed's canonical values; phones as the pipeline holds them: E.164 where they
    normalized, the source text where they did not (docs/interop.md, "phone")."""
    cols = []
    for name, f in feed.fields.items():
        if f.transform == "phone" and f.raw is not None:
            cols.append(func.coalesce(column(name), column(f"{name}__raw")).label(name))
        else:
            cols.append(column(name))
    sql, params = run.engine.compile(select(*cols).select_from(feed.view).order_by(column("rowid")))
    rel = run.engine.con.sql(sql, params=params)
    return rel.pl() if backend == "polars" else rel.df()


def pandera_counts(schema: Any, frame: Any, feed: Any, backend: str) -> Counter:
    """Failing rows per (channel, feed, field, code) according to pandera."""
    import pandera.errors

    present = list(frame.columns)
    schema = schema.remove_columns([c for c in schema.columns if c not in present])
    try:
        schema.validate(frame, lazy=True)
        return Counter()
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    rows_of = cases.iter_rows(named=True) if backend == "polars" else cases.to_dict("records")
    codes, pk = schema.metadata["check_codes"], feed.contract.primary_key
    failing: dict[tuple[str, ...], set[Any]] = defaultdict(set)
    for case in rows_of:
        col, check, number = case["column"], case["check"], case["check_number"]
        if check == "not_nullable":
            code = "OC-FLD-004" if col == pk else "OC-FLD-001"
        elif check == "field_uniqueness":
            code = "OC-FLD-004" if col == pk else "OC-FLD-003"
        elif number is not None and number == number and col in codes:
            code = codes[col][int(number)]
        else:  # a dtype or column-presence failure: the frame is not what we think
            pytest.fail(f"{feed.channel_name}/{feed.name}: unexpected pandera failure {case}")
        failing[(feed.channel_name, feed.name, col, code)].add(case["index"])
    return Counter({k: len(v) for k, v in failing.items()})


def omnicontract_counts(drafts: list[Any], required: set[tuple[str, str, str]]) -> Counter:
    """Failing rows per (channel, feed, field, code) according to omnicontract."""
    out: Counter = Counter()
    for d in drafts:
        if d.field is None or d.feed is None:
            continue
        if d.code in COMPARED:
            out[(d.channel, d.feed, d.field, d.code)] += d.count
        for code, adds in ADJUSTED.items():
            if d.code in adds and (d.channel, d.feed, d.field) in required:
                out[(d.channel, d.feed, d.field, code)] += d.count
    return out


@pytest.fixture(scope="module")
def retail_run():
    project = api.load_project(ROOT / "examples" / "retail")
    run = Run(project, sample_size=0, now=NOW)
    drafts = execute(project, run, cross_channel=False)
    yield run, drafts
    run.close()


@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_pandera_agrees_with_omnicontract(retail_run, backend, tmp_path):
    run, drafts = retail_run
    required = {
        (f.channel_name, f.name, name)
        for f in run.feeds
        for name, spec in f.contract.fields.items()
        if spec.required
    }
    ours = omnicontract_counts(drafts, required)
    theirs: Counter = Counter()
    schemas: dict[str, Any] = {}
    for feed in run.feeds:
        if not feed.ok:
            continue
        entity = feed.contract.entity
        if entity not in schemas:
            schemas[entity] = load_schema(feed.contract, backend, tmp_path)
        frame = canonical_frame(run, feed, backend)
        theirs += pandera_counts(schemas[entity], frame, feed, backend)
    ours = Counter({k: v for k, v in ours.items() if k[3] not in EXCLUDED})
    theirs = Counter({k: v for k, v in theirs.items() if k[3] not in EXCLUDED})
    assert sorted(theirs.items()) == sorted(ours.items())
    # the example plants a failure for most rules: the comparison is not vacuous
    assert {k[3] for k in ours} >= {
        "OC-FLD-001",
        "OC-FLD-004",
        "OC-FLD-005",
        "OC-FLD-006",
        "OC-FLD-007",
        "OC-FLD-008",
        "OC-FLD-009",
        "OC-FLD-010",
        "OC-FLD-011",
        "OC-FLD-012",
    }
