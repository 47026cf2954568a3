"""The hand-written baseline: the checks of the benchmark project in plain DuckDB SQL, as a
competent engineer would write them for these exports without omnicontract.

    python bench/baseline.py PROJECT_DIR [--output FILE]

Per export: one read of the CSV into a table that already holds the parsed columns
(strptime and time zone to UTC, value maps, e-mail lower/trim, numbers); phone numbers
normalized with libphonenumber on the distinct values of all exports at once; then one
aggregate query per export counting every check with ``count(*) FILTER``, one query per
primary key for duplicates, one anti-join per export for customer references, and capped
sample queries for the failing checks only. Prints JSON: counts keyed
``check|channel|field``, samples, rows and the time of each phase.

Same engine settings as omnicontract: threads = CPU count, TimeZone UTC,
preserve_insertion_order off, a temporary directory to spill to.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import phonenumbers
import pycountry
from phonenumbers import NumberParseException, PhoneNumberFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spec import FEEDS, PHONE_REGION, TIMEZONE, Column, Feed

SAMPLES = 5
FUTURE_TOLERANCE = timedelta(minutes=5)
EMAIL_REGEX = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# canonical vocabularies the value maps may pass through unchanged
STATUS = "open pending resolved closed cancelled failed sent delivered read bounced completed"
ENUMS = {"status": STATUS.split(), "direction": ["inbound", "outbound"]}
# (min length, max length) of the text fields the contracts bound
LENGTHS = {
    ("customer", "customer_id"): (1, 64),
    ("customer", "full_name"): (None, 200),
    ("interaction", "interaction_id"): (1, 128),
    ("interaction", "topic"): (None, 200),
    ("interaction", "agent_id"): (None, 64),
}
RANGES = {"amount": (-1_000_000, 1_000_000), "duration_seconds": (0, 86_400)}


def to_e164(raw: str | None, region: str | None, international: bool) -> str | None:
    """A valid number in E.164, or None (the same rule as the product's normalizer);
    ``international``: country code first even without a ``+`` (WhatsApp ``wa_id``)."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if international and not text.startswith("+"):
        text = "+" + text.removeprefix("00")
    if text.startswith("00") and region is None:
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lit_list(values: list[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


class Baseline:
    def __init__(self, root: Path, memory_limit: str | None = None):
        self.root = root
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-baseline-")
        self.con = duckdb.connect(config={"temp_directory": self.tmp.name})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"SET threads = {os.cpu_count() or 1}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        self.now = datetime.now(UTC)
        self.counts: dict[str, int] = {}
        self.samples: dict[str, list[list[object]]] = {}
        self.rows: dict[str, int] = {}
        self.phases: dict[str, float] = {}
        self.countries = sorted(c.alpha_2 for c in pycountry.countries)
        self.currencies = sorted(c.alpha_3 for c in pycountry.currencies)

    # ------------------------------------------------------------ read + parse
    def parsed(self, feed: Feed) -> list[str]:
        """SELECT items turning the export's columns into parsed canonical columns."""
        items = []
        for c in feed.columns:
            col, f = q(c.name), c.field
            fmt = c.options.get("format")
            if f in ("occurred_at", "created_at"):
                items.append(f"timezone({lit(TIMEZONE)}, try_strptime({col}, {lit(fmt)})) AS {f}")
                items.append(f"{col} AS {f}__raw")
            elif f == "birth_date":
                items.append(f"CAST(try_strptime({col}, {lit(fmt)}) AS DATE) AS {f}")
                items.append(f"{col} AS {f}__raw")
            elif "values" in c.options:
                whens = " ".join(
                    f"WHEN {col} = {lit(k)} THEN {lit(v)}" for k, v in c.options["values"].items()
                )
                passthrough = f"WHEN {col} IN {lit_list(ENUMS[f])} THEN {col}"
                items.append(f"CASE {whens} {passthrough} ELSE NULL END AS {f}")
                items.append(f"{col} AS {f}__raw")
            elif f in ("amount", "duration_seconds"):
                text = f"trim({col})"
                if c.options.get("decimal_separator") == ",":
                    text = f"replace(replace({text}, '.', ''), ',', '.')"
                target = "DOUBLE" if f == "amount" else "BIGINT"
                items.append(f"TRY_CAST({text} AS {target}) AS {f}")
                items.append(f"{col} AS {f}__raw")
            elif f == "email":
                items.append(f"lower(trim({col})) AS {f}")
                items.append(f"{col} AS {f}__raw")
            elif f == "phone":
                items.append(f"{col} AS {f}__raw")
            else:
                items.append(f"{col} AS {f}")
        return items

    def load(self, feed: Feed) -> None:
        path = lit(str(self.root / feed.path))
        reader = (
            f"read_csv({path}, all_varchar = true, header = true, "
            f"delim = {lit(feed.delimiter)}, nullstr = [''])"
        )
        self.con.execute(
            f"CREATE TEMP TABLE {feed.channel} AS SELECT {', '.join(self.parsed(feed))} "
            f"FROM {reader}"
        )
        self.rows[feed.channel] = self.con.execute(
            f"SELECT count(*) FROM {feed.channel}"
        ).fetchone()[0]

    def normalize_phones(self) -> int:
        """One raw -> E.164 table per normalization rule, over the distinct raw values of
        every export that uses the rule (local numbers, or country-code-first numbers)."""
        total = 0
        for intl in (False, True):
            feeds = [
                f
                for f in FEEDS
                if (c := f.column_for("phone"))
                and bool(c.options.get("phone_international")) == intl
            ]
            sources = " UNION ALL ".join(
                f"SELECT phone__raw AS raw FROM {f.channel}" for f in feeds
            )
            raws = [
                r[0]
                for r in self.con.execute(
                    f"SELECT DISTINCT raw FROM ({sources}) WHERE raw IS NOT NULL"
                ).fetchall()
            ]
            e164 = [to_e164(r, PHONE_REGION, intl) for r in raws]
            self.con.execute(
                f"CREATE TEMP TABLE phone_map_{int(intl)} AS "
                "SELECT unnest(?::VARCHAR[]) AS raw, unnest(?::VARCHAR[]) AS e164",
                [raws, e164],
            )
            total += len(raws)
        return total

    # ------------------------------------------------------------ checks
    def conditions(self, feed: Feed) -> list[tuple[str, str, str, str]]:
        """(check, field, failing condition, sample expression) of every row check."""
        out: list[tuple[str, str, str, str]] = []
        for c in feed.columns:
            f = c.field
            if (feed.entity, f) in LENGTHS:
                lo, hi = LENGTHS[feed.entity, f]
                parts = [f"length({f}) < {lo}"] if lo is not None else []
                parts += [f"length({f}) > {hi}"] if hi is not None else []
                out.append(("length", f, f"{f} IS NOT NULL AND ({' OR '.join(parts)})", f))
            if (f == "customer_id" and feed.entity == "customer") or f == "interaction_id":
                out.append(("pk-empty", f, f"{f} IS NULL OR trim({f}) = ''", f))
            out.extend(self.value_conditions(c))
        return out

    def value_conditions(self, c: Column) -> list[tuple[str, str, str, str]]:
        f, raw = c.field, f"{c.field}__raw"
        if f in ("occurred_at", "created_at", "birth_date"):
            if f == "birth_date":
                limit = f"{lit(self.now.date().isoformat())}::DATE"
            else:
                limit = f"{lit((self.now + FUTURE_TOLERANCE).isoformat())}::TIMESTAMPTZ"
            out = [
                ("unparseable", f, f"{raw} IS NOT NULL AND {f} IS NULL", raw),
                ("future-timestamp", f, f"{f} > {limit}", raw),
            ]
            if f == "occurred_at":
                out.append(("required", f, f"{raw} IS NULL OR trim({raw}) = ''", raw))
            return out
        if "values" in c.options:
            known = sorted(set(c.options["values"]) | set(ENUMS[f]))
            return [("unmapped-value", f, f"{raw} NOT IN {lit_list(known)}", raw)]
        if f in RANGES:
            lo, hi = RANGES[f]
            return [
                ("type", f, f"{raw} IS NOT NULL AND {f} IS NULL", raw),
                ("range", f, f"{f} < {lo} OR {f} > {hi}", f),
            ]
        simple = {
            "email": ("email", f"NOT regexp_full_match({f}, {lit(EMAIL_REGEX)})", raw),
            "phone": ("phone", f"{raw} IS NOT NULL AND pm.e164 IS NULL", raw),
            "country": ("country", f"{f} NOT IN {lit_list(self.countries)}", f),
            "currency": ("currency", f"{f} NOT IN {lit_list(self.currencies)}", f),
        }
        if f in simple:
            check, cond, sample = simple[f]
            return [(check, f, cond, sample)]
        return []

    def check_feed(self, feed: Feed) -> None:
        t = feed.channel
        source = t
        if phone := feed.column_for("phone"):
            rule = int(bool(phone.options.get("phone_international")))
            source = f"{t} LEFT JOIN phone_map_{rule} pm ON {t}.phone__raw = pm.raw"
        plan = self.conditions(feed)
        aggregates = ", ".join(f"count(*) FILTER (WHERE {cond})" for _c, _f, cond, _s in plan)
        with self.timed("aggregates"):
            counts = self.con.execute(f"SELECT {aggregates} FROM {source}").fetchone()
        pk_field = "customer_id" if feed.entity == "customer" else "interaction_id"
        empty = 0
        with self.timed("samples"):
            for (check, f, cond, sample), n in zip(plan, counts, strict=True):
                if check == "pk-empty":
                    empty = n
                elif n:
                    self.record(check, feed, f, n, self.top(source, sample, cond))
        with self.timed("primary_keys"):
            self.primary_key(feed, pk_field, empty)

    def top(self, source: str, value: str, cond: str) -> list[list[object]]:
        rows = self.con.execute(
            f"SELECT {value} AS v, count(*) AS n FROM {source} WHERE {cond} "
            f"GROUP BY v ORDER BY n DESC, v LIMIT {SAMPLES}"
        ).fetchall()
        return [[str(v) if v is not None else None, n] for v, n in rows]

    def primary_key(self, feed: Feed, f: str, empty: int) -> None:
        rows = self.con.execute(
            f"SELECT v, n, sum(n) OVER (), count(*) OVER () FROM ("
            f"SELECT {f} AS v, count(*) AS n FROM {feed.channel} WHERE {f} IS NOT NULL "
            f"GROUP BY v HAVING count(*) > 1) ORDER BY n DESC, v LIMIT {SAMPLES}"
        ).fetchall()
        dup_rows = int(rows[0][2]) if rows else 0
        if empty or dup_rows:
            samples = [[v, n] for v, n, _r, _g in rows]
            if empty:
                samples = [[None, empty], *samples][:SAMPLES]
            self.record("primary-key", feed, f, empty + dup_rows, samples)

    def references(self) -> None:
        self.con.execute(
            "CREATE TEMP TABLE customer_keys AS SELECT DISTINCT customer_id AS k FROM crm "
            "WHERE customer_id IS NOT NULL"
        )
        for feed in FEEDS:
            if feed.entity != "interaction":
                continue
            rows = self.con.execute(
                f"SELECT customer_id, count(*) AS n, sum(count(*)) OVER () FROM {feed.channel} t "
                "WHERE customer_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM customer_keys k WHERE k.k = t.customer_id) "
                f"GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT {SAMPLES}"
            ).fetchall()
            if rows:
                samples = [[v, n] for v, n, _t in rows]
                self.record("missing-reference", feed, "customer_id", int(rows[0][2]), samples)

    def record(
        self, check: str, feed: Feed, field: str, count: int, samples: list[list[object]]
    ) -> None:
        key = f"{check}|{feed.channel}|{field}"
        self.counts[key] = int(count)
        self.samples[key] = samples

    # ------------------------------------------------------------ run
    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.phases[name] = round(self.phases.get(name, 0.0) + spent, 3)

    def run(self) -> dict[str, object]:
        started = time.perf_counter()
        with self.timed("read_parse"):
            for feed in FEEDS:
                self.load(feed)
        with self.timed("phones"):
            distinct_phones = self.normalize_phones()
        for feed in FEEDS:
            self.check_feed(feed)
        with self.timed("references"):
            self.references()
        self.con.close()
        self.tmp.cleanup()
        return {
            "tool": "baseline",
            "seconds": round(time.perf_counter() - started, 3),
            "phases": self.phases,
            "rows": self.rows,
            "distinct_phones": distinct_phones,
            "counts": dict(sorted(self.counts.items())),
            "samples": dict(sorted(self.samples.items())),
        }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--output", type=Path)
    ap.add_argument("--memory-limit", default=None, help="DuckDB's memory_limit, e.g. 2GB")
    args = ap.parse_args(argv)
    result = Baseline(args.project.resolve(), args.memory_limit).run()
    text = json.dumps(result, indent=2, default=str) + "\n"
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
